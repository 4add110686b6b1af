import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ErrandError } from '../contract/errors';
import { connectSocket } from '../client/node/socket';
import type { Session } from '../client/session';

const NO_HOST = new Set(['ENOENT', 'ECONNREFUSED']);
const LOST = 'Lost the connection to the Errand host (it stopped or crashed). Run the command again; a new host starts automatically.';

/** One fresh attempt each time: a refused connection is never kept and handed out again. */
const open = (socket: string, client: string): Promise<Session> => connectSocket(socket, { client, lostMessage: LOST });

/**
 * Connects to the host of a data dir, starting `errand serve` detached in the
 * background when none answers (a stale socket file of a dead host counts as none).
 */
export async function connectOrStart(home: string, socket: string, entry: string, opts: { start?: boolean; client?: string } = {}): Promise<Session> {
  const client = opts.client ?? 'cli';
  try {
    return await open(socket, client);
  } catch (e) {
    if (!NO_HOST.has((e as NodeJS.ErrnoException).code ?? '') || opts.start === false) throw e;
  }
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const logFile = path.join(home, 'host.log');
  const out = fs.openSync(logFile, 'a', 0o600);
  const child = spawn(process.execPath, [entry, 'serve', '--home', home], { detached: true, stdio: ['ignore', out, out], env: process.env });
  fs.closeSync(out);
  let deadline = Date.now() + 15_000;
  // A host that exits early may have lost the start race to another CLI's host: give that
  // one its time to open the store (its recovery may wait out a grace period). Any other
  // early exit is a failure to start: say so soon.
  child.once('exit', () => {
    if (!lastLine(logFile).includes('already owns')) deadline = Math.min(deadline, Date.now() + 3000);
  });
  child.unref();
  for (let wait = 20; ; wait = Math.min(wait * 1.5, 250)) {
    await new Promise((r) => setTimeout(r, wait));
    try {
      return await open(socket, client);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (!NO_HOST.has(code)) throw e;
    }
    if (Date.now() > deadline) {
      const tail = lastLine(logFile);
      throw new ErrandError('internal', `Could not start the Errand host${tail ? `: ${tail.replace(/^errand: /, '').replace(/\.$/, '')}` : ''}. See ${logFile}.`);
    }
  }
}

function lastLine(file: string): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    return lines[lines.length - 1]?.trim() ?? '';
  } catch {
    return '';
  }
}
