import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import { socketPath } from '../../../electron/client/node/paths';
import { connectSocket } from '../../../electron/client/node/socket';
import { silentLogger } from '../../../electron/core/logger';
import { startHost } from '../../../electron/host/host';
import { serveSocket } from '../../../electron/host/socket-server';
import { tempHome } from '../../helpers/temp-home';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0).reverse()) await c();
});

const mode = (p: string): number => fs.statSync(p).mode & 0o777;
const deps = { handlers: {} as never, listen: () => () => {}, log: silentLogger, by: 'cli' };

test.skipIf(process.platform === 'win32')('listening never changes the process umask; the socket is 0600 in a 0700 dir', async () => {
  const t = tempHome('errand-sock-');
  cleanups.push(t.cleanup);
  fs.chmodSync(t.home, 0o755); // an existing, looser data dir is tightened
  const umask = vi.spyOn(process, 'umask');
  const server = await serveSocket(path.join(t.home, 'errand.sock'), deps);
  cleanups.push(() => server.close());
  expect(umask).not.toHaveBeenCalled();
  expect(mode(t.home)).toBe(0o700);
  expect(mode(server.path)).toBe(0o600);
});

test.skipIf(process.platform === 'win32')('a data dir too deep for a socket path: the host listens in a private temp dir of its own, and clients find it', async () => {
  const t = tempHome('errand-sock-');
  cleanups.push(t.cleanup);
  const home = path.join(t.home, 'd'.repeat(100));
  const sock = socketPath(home);
  expect(path.dirname(sock).startsWith(path.join(home, ''))).toBe(false);
  cleanups.push(() => fs.rmSync(path.dirname(sock), { recursive: true, force: true }));
  const host = await startHost({ home });
  cleanups.push(() => host.close());
  expect(host.socketPath).toBe(sock);
  expect(mode(path.dirname(sock))).toBe(0o700);
  expect(mode(sock)).toBe(0o600);
  const session = await connectSocket(sock, { client: 'test' });
  expect((await session.call('status', {})).line).toBe('idle');
  session.close();
});

test.skipIf(process.platform === 'win32')('a socket dir that is a symlink is refused', async () => {
  const t = tempHome('errand-sock-');
  cleanups.push(t.cleanup);
  fs.mkdirSync(path.join(t.home, 'real'), { mode: 0o700 });
  fs.symlinkSync(path.join(t.home, 'real'), path.join(t.home, 'link'));
  await expect(serveSocket(path.join(t.home, 'link', 'errand.sock'), deps)).rejects.toThrow(/not a directory/);
});
