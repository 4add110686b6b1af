import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { connectSocket } from '../../../electron/client/node/socket';
import { connectOrStart } from '../../../electron/cli/autostart';
import { PROTOCOL_VERSION } from '../../../electron/contract/protocol';
import { tempHome } from '../../helpers/temp-home';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function home(): string {
  const t = tempHome('errand-client-');
  cleanups.push(t.cleanup);
  return t.home;
}

type Request = { id: number; method: string; params: unknown };

/** A stand-in host on a socket: answers hello itself, the rest through `answer` (which writes raw bytes). */
async function fakeHost(sock: string, answer: (req: Request, socket: net.Socket) => void): Promise<net.Server> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let buf = '';
    socket.on('error', () => {});
    socket.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const req = JSON.parse(buf.slice(0, nl)) as Request;
        buf = buf.slice(nl + 1);
        if (req.method === 'hello') socket.write(`${JSON.stringify({ id: req.id, result: { protocolVersion: PROTOCOL_VERSION, hostVersion: 'fake', pid: 1, home: '/' } })}\n`);
        else answer(req, socket);
      }
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  );
  return server;
}

/** Writes in 64 KB pieces, each after the previous one drained, as a big reply really arrives. */
async function writeChunked(socket: net.Socket, data: Buffer): Promise<void> {
  for (let i = 0; i < data.length; i += 64 * 1024) {
    if (!socket.write(data.subarray(i, i + 64 * 1024))) await new Promise((r) => socket.once('drain', r));
  }
}

describe('socket transport', () => {
  test('nobody listening: the socket’s error (ENOENT); a host that starts later is reached by the next call (nothing cached)', async () => {
    const sock = path.join(home(), 'errand.sock');
    await expect(connectSocket(sock, { client: 'test' })).rejects.toMatchObject({ code: 'ENOENT' });
    await fakeHost(sock, (req, s) => s.write(`${JSON.stringify({ id: req.id, result: { line: 'idle' } })}\n`));
    const session = await connectSocket(sock, { client: 'test' });
    await expect(session.call('status', {})).resolves.toEqual({ line: 'idle' });
    session.close();
  });

  test('the CLI’s connectOrStart does not keep a refused connection either', async () => {
    const h = home();
    const sock = path.join(h, 'errand.sock');
    // a stale socket file of a dead host: refused
    const stale = net.createServer();
    await new Promise<void>((r) => stale.listen(sock, r));
    await new Promise<void>((r) => stale.close(() => r()));
    fs.writeFileSync(sock, '');
    await expect(connectOrStart(h, sock, '/nonexistent', { start: false })).rejects.toMatchObject({ code: expect.stringMatching(/ECONNREFUSED|ENOENT|ENOTSOCK/) });
    fs.rmSync(sock);
    await fakeHost(sock, (req, s) => s.write(`${JSON.stringify({ id: req.id, result: { ok: true } })}\n`));
    const session = await connectOrStart(h, sock, '/nonexistent', { start: false });
    await expect(session.call('pause', {})).resolves.toEqual({ ok: true });
    session.close();
  });

  test('a 50 MB reply in 64 KB chunks arrives whole, in linear time', async () => {
    const sock = path.join(home(), 'errand.sock');
    const jobs = Array.from({ length: 100_000 }, (_, i) => ({ id: i + 1, title: `job ${i + 1} ${'·'.repeat(250)}`, status: 'queued' }));
    let size = 0;
    await fakeHost(sock, (req, s) => {
      const data = Buffer.from(`${JSON.stringify({ id: req.id, result: { jobs } })}\n`);
      size = data.length;
      void writeChunked(s, data);
    });
    const session = await connectSocket(sock, { client: 'test' });
    const t = Date.now();
    const r = await session.call('list', {});
    expect(size).toBeGreaterThan(50 * 1024 * 1024);
    expect(r.jobs).toHaveLength(100_000);
    expect(r.jobs.at(-1)).toMatchObject({ id: 100_000 });
    // the old client rescanned its whole buffer per chunk: minutes for this; linear is well under a few seconds
    expect(Date.now() - t).toBeLessThan(15_000);
    session.close();
  }, 60_000);

  test('a malformed frame fails the call in flight with a clear error, never an uncaught throw', async () => {
    const sock = path.join(home(), 'errand.sock');
    await fakeHost(sock, (req, s) => s.write(req.method === 'status' ? `{"id":${req.id},"result":{"line":\n` : `${JSON.stringify({ id: req.id, result: { ok: true } })}\n`));
    const session = await connectSocket(sock, { client: 'test' });
    const errors: Error[] = [];
    session.onError((e) => errors.push(e));
    await expect(session.call('status', {})).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/malformed frame/) });
    expect(errors).toHaveLength(1);
    await session.closed;
  });

  test('pending calls reject when the host goes away mid-request', async () => {
    const sock = path.join(home(), 'errand.sock');
    await fakeHost(sock, (_req, s) => setTimeout(() => s.destroy(), 20));
    const session = await connectSocket(sock, { client: 'test', lostMessage: 'Lost the connection to the Errand host.' });
    const calls = [session.call('status', {}), session.call('queue', {})];
    for (const c of calls) await expect(c).rejects.toMatchObject({ message: 'Lost the connection to the Errand host.' });
    await session.closed;
  });
});
