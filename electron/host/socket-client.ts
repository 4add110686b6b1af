// The socket transport's client side: used by the CLI and by a tray app that finds a host already running.
import net from 'node:net';
import type { Input, MethodName, Output } from '../contract/api';
import { ErrandError } from '../contract/errors';
import type { HostEvent } from '../contract/events';
import { PROTOCOL_VERSION } from '../contract/protocol';
import type { RequestFrame, ServerFrame } from '../contract/wire';

export interface Client {
  call<K extends MethodName>(method: K, input: Input<K>): Promise<Output<K>>;
  /** Starts the event stream; returns a function that stops listening. */
  subscribe(fn: (e: HostEvent) => void): Promise<() => void>;
  /** Resolves when the host closes the connection (e.g. it shut down or died). */
  readonly disconnected: Promise<void>;
  close(): void;
}

const LOST = 'Lost the connection to the Errand host (it stopped or crashed). Run the command again; a new host starts automatically.';

/** Connects to a host's socket and greets it; rejects with the socket error code when nobody listens. */
export function connect(path: string, clientName = 'cli'): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(path);
    let nextId = 1;
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    const listeners = new Set<(e: HostEvent) => void>();
    let buffer = '';
    let resolveDisconnected!: () => void;
    const disconnected = new Promise<void>((r) => (resolveDisconnected = r));

    const request = (method: string, params: unknown): Promise<unknown> =>
      new Promise((res, rej) => {
        if (socket.destroyed) {
          rej(new ErrandError('internal', LOST));
          return;
        }
        const id = nextId++;
        pending.set(id, { resolve: res, reject: rej });
        socket.write(`${JSON.stringify({ id, method, params } satisfies RequestFrame)}\n`);
      });

    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.trim()) continue;
        const frame = JSON.parse(line) as ServerFrame;
        if ('event' in frame) {
          for (const fn of listeners) fn(frame.event);
          continue;
        }
        const p = frame.id === null ? undefined : pending.get(frame.id);
        if (!p) continue;
        pending.delete(frame.id!);
        if ('error' in frame) p.reject(ErrandError.from(frame.error));
        else p.resolve(frame.result);
      }
    });
    socket.on('close', () => {
      for (const p of pending.values()) p.reject(new ErrandError('internal', LOST));
      pending.clear();
      resolveDisconnected();
    });
    socket.once('error', (err) => {
      reject(err);
      socket.destroy();
    });
    socket.once('connect', () => {
      const client: Client = {
        call: (method, input) => request(method, input) as never,
        subscribe: async (fn) => {
          listeners.add(fn);
          if (listeners.size === 1) await request('subscribe', {});
          return () => listeners.delete(fn);
        },
        disconnected,
        close: () => socket.end(),
      };
      request('hello', { protocolVersion: PROTOCOL_VERSION, client: clientName }).then(
        () => resolve(client),
        (e: unknown) => {
          socket.destroy();
          reject(e);
        },
      );
    });
  });
}
