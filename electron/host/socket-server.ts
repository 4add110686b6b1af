import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { MAX_FRAME_BYTES } from '../contract/protocol';
import { LineDecoder } from '../client/node/line-decoder';
import { Connection, type ConnectionDeps } from './connection';
import { ensurePrivateDir } from './private-dir';

/** A client that stops reading is dropped once this much output is queued for it. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

export interface SocketServer {
  path: string;
  close(): Promise<void>;
}

/**
 * NDJSON over a Unix domain socket (a named pipe on Windows). The socket lives in a 0700
 * directory (the data dir, or a private one of its own under the temp dir), so it is
 * private from the moment it exists; it is made 0600 too once listening. The caller
 * holds the data-dir lock, so a socket file already there was left by a dead host and is
 * replaced.
 */
export async function serveSocket(socketPath: string, deps: ConnectionDeps): Promise<SocketServer> {
  if (process.platform !== 'win32') {
    ensurePrivateDir(path.dirname(socketPath));
    fs.rmSync(socketPath, { force: true });
  }
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const conn = new Connection({ ...deps }, (frame) => {
      if (socket.destroyed) return;
      if (socket.writableLength > MAX_QUEUED_BYTES) {
        deps.log.warn('dropping a client that does not read its socket');
        socket.destroy();
        return;
      }
      socket.write(`${JSON.stringify(frame)}\n`);
    });
    const decoder = new LineDecoder(
      MAX_FRAME_BYTES,
      (line) => conn.receive(line),
      (head) => conn.oversize(MAX_FRAME_BYTES, head),
    );
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      conn.close();
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (process.platform !== 'win32') fs.chmodSync(socketPath, 0o600);
  return {
    path: socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.end();
        setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, 500).unref();
      }),
  };
}
