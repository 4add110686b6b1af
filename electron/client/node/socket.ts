// The socket transport (a Unix domain socket, a named pipe on Windows): NDJSON frames.
import net from 'node:net';
import { ErrandError } from '../../contract/errors';
import { type SessionOptions, Session } from '../session';
import type { Connector } from '../transport';
import { LineDecoder } from './line-decoder';

/**
 * Replies can be far bigger than requests (a list of 100k jobs is ~50 MB), so the client
 * reads up to this much per frame; a string cannot hold much more in V8.
 */
export const MAX_REPLY_BYTES = 256 * 1024 * 1024;

export function socketConnector(path: string, maxReplyBytes = MAX_REPLY_BYTES): Connector {
  return (sink) => {
    const socket = net.createConnection(path);
    let failure: Error | undefined;
    const decoder = new LineDecoder(
      maxReplyBytes,
      (line) => sink.onFrame(line),
      (head) => sink.onOversize?.(head, maxReplyBytes),
    );
    socket.once('connect', () => sink.onOpen());
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', (e) => (failure ??= e));
    socket.once('close', () => sink.onClose(failure ? failure.message : 'the host closed the connection', failure));
    return {
      send: (text) => {
        if (socket.destroyed || !socket.writable) throw new Error('the socket is closed');
        socket.write(`${text}\n`);
      },
      close: () => {
        socket.end();
        // a host that never answers the FIN must not keep this process alive
        setTimeout(() => socket.destroy(), 1000).unref();
      },
    };
  };
}

/**
 * A session over a host's socket, resolved once the host has answered hello. Rejects
 * with the socket's own error (code ENOENT or ECONNREFUSED when nobody listens), so a
 * caller can start a host and try again: nothing about a failed attempt is kept.
 */
export function connectSocket(path: string, opts: Omit<SessionOptions, 'connect'>): Promise<Session> {
  const session = new Session({ ...opts, connect: socketConnector(path) });
  return new Promise((resolve, reject) => {
    const off = session.onState((s) => {
      if (s.kind === 'open') {
        off();
        resolve(session);
      } else if (s.kind === 'closed') {
        off();
        reject(s.error ?? new ErrandError('internal', `Could not connect to the Errand host: ${s.reason}.`));
      }
    });
    session.start();
  });
}
