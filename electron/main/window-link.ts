// A window's connection to the host, behind the IPC channel: the same text frames as the
// socket. In-process, a host Connection per window (its own subscription, its own
// waiters, aborted when the window goes); attached to another process's host, a relay
// of the frames to that host's socket, untouched.
import net from 'node:net';
import { ErrandError } from '../contract/errors';
import { MAX_FRAME_BYTES } from '../contract/protocol';
import { frameIdOf, overLimit } from '../client/frame-id';
import { LineDecoder } from '../client/node/line-decoder';
import { MAX_REPLY_BYTES } from '../client/node/socket';
import { Connection } from '../host/connection';
import type { Host, Logger } from '../host/host';

/** One window's link: frames in; out through the `send` it was opened with (null once closed). */
export interface FrameLink {
  receive(text: string): void;
  close(): void;
}
export type OpenLink = (send: (frame: string | null) => void) => FrameLink;

const errorFrame = (id: number | null, e: ErrandError): string => JSON.stringify({ id, error: e.toJSON() });
const tooBig = (limit: number): ErrandError =>
  new ErrandError('invalid_input', `Frame larger than ${limit / 1024 / 1024} MB was dropped; send less per call (fewer jobs or ids).`);

/** The in-process host: one Connection per window, replies and events in one ordered stream. */
export function hostLink(host: Pick<Host, 'handlers' | 'listen'>, log: Logger): OpenLink {
  return (send) => {
    const conn = new Connection({ handlers: host.handlers, listen: host.listen, log, by: 'ui' }, (frame) => send(JSON.stringify(frame)));
    return {
      receive: (text) => {
        if (overLimit(text, MAX_FRAME_BYTES)) conn.oversize(MAX_FRAME_BYTES, text.slice(0, 64));
        else conn.receive(text);
      },
      close: () => conn.close(),
    };
  };
}

/** Another process's host: frames go to its socket and come back as they are. */
export function socketRelay(socketPath: string): OpenLink {
  return (send) => {
    const socket = net.createConnection(socketPath);
    let closed = false;
    const decoder = new LineDecoder(
      MAX_REPLY_BYTES,
      (line) => send(line),
      (head) => send(errorFrame(frameIdOf(head), new ErrandError('internal', `A reply over ${MAX_REPLY_BYTES / 1024 / 1024} MB was dropped; ask for less at a time.`))),
    );
    socket.on('data', (chunk: Buffer) => decoder.push(chunk));
    socket.on('error', () => {}); // 'close' follows
    socket.once('close', () => {
      closed = true;
      send(null);
    });
    return {
      receive: (text) => {
        // one frame is one line on the socket: JSON never holds a raw newline, a forged frame might
        if (closed) return;
        if (text.includes('\n') || overLimit(text, MAX_FRAME_BYTES)) {
          send(errorFrame(frameIdOf(text.slice(0, 64)), text.includes('\n') ? new ErrandError('invalid_input', 'A frame may not contain a raw newline.') : tooBig(MAX_FRAME_BYTES)));
          return;
        }
        socket.write(`${text}\n`); // written once connected
      },
      close: () => {
        closed = true;
        socket.destroy();
      },
    };
  };
}
