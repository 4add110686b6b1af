import fs from 'node:fs';
import net from 'node:net';
import { MAX_FRAME_BYTES } from '../contract/protocol';
import { Connection, type ConnectionDeps } from './connection';
import { LineDecoder } from './ndjson';

/** A client that stops reading is dropped once this much output is queued for it. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

export interface SocketServer {
  path: string;
  close(): Promise<void>;
}

/**
 * NDJSON over a Unix domain socket (a named pipe on Windows), created 0600 under a
 * umask of 077. The caller holds the data-dir lock, so a socket file already there was
 * left by a dead host and is replaced.
 */
export async function serveSocket(path: string, deps: ConnectionDeps): Promise<SocketServer> {
  if (process.platform !== 'win32') fs.rmSync(path, { force: true });
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
      (line) => void conn.receive(line),
      () => conn.oversize(MAX_FRAME_BYTES),
    );
    socket.on('data', (chunk) => decoder.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      conn.close();
      sockets.delete(socket);
    });
  });
  const old = process.platform === 'win32' ? null : process.umask(0o077);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    if (old !== null) process.umask(old);
  }
  if (process.platform !== 'win32') fs.chmodSync(path, 0o600);
  return {
    path,
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
