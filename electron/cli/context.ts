import fs from 'node:fs';
import path from 'node:path';
import { ErrandError } from '../contract/errors';
import { defaultHome, socketPath } from '../client/node/paths';
import type { Session } from '../client/session';
import { connectOrStart } from './autostart';

export interface Globals {
  home?: string;
}

export function resolveHome(g: Globals, env: NodeJS.ProcessEnv = process.env): string {
  return g.home ? path.resolve(g.home) : defaultHome(env);
}

/** The path of this CLI's entry script, to start a background host with. */
export function cliEntry(): string {
  return fs.realpathSync(process.argv[1]!);
}

export async function client(g: Globals, opts: { start?: boolean } = {}): Promise<Session> {
  const home = resolveHome(g);
  return connectOrStart(home, socketPath(home), cliEntry(), opts);
}

/** Runs fn with a connected client and closes it afterwards. */
export async function withClient<T>(g: Globals, fn: (c: Session) => Promise<T>): Promise<T> {
  const c = await client(g);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

export function parseId(text: string, field = 'id'): number {
  const m = /^#?(\d{1,15})$/.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new ErrandError('invalid_input', `Not a job id: '${text}'. Ids are positive numbers, as errand ls shows them.`, field);
  return n;
}

export function parseIntArg(text: string, field: string): number {
  if (!/^[-+]?\d+$/.test(text.trim())) throw new ErrandError('invalid_input', `${field} must be a whole number, not '${text}'.`, field);
  return Number(text);
}

export const print = (s: string): void => {
  process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
};
export const printJson = (v: unknown): void => print(JSON.stringify(v, null, 2));

/** One clear line on stderr (or a JSON error object with --json) and a non-zero exit. */
export function fail(e: unknown, json: boolean): void {
  const err = e instanceof ErrandError ? e : new ErrandError('internal', connectionHint(e));
  if (json) process.stdout.write(`${JSON.stringify({ error: { code: err.code, message: err.message } })}\n`);
  else process.stderr.write(`errand: ${err.message}\n`);
  process.exitCode = err.code === 'invalid_input' ? 2 : 1;
}

function connectionHint(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES') return 'Permission denied on the Errand socket: is the data dir owned by another user? Use --home to pick another.';
  return (e as Error)?.message ?? String(e);
}
