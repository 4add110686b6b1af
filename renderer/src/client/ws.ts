import type { Input, MethodName, Output } from '../../../electron/contract/api';
import { ErrandError } from '../../../electron/contract/errors';
import type { HostEvent } from '../../../electron/contract/events';
import { PROTOCOL_VERSION } from '../../../electron/contract/protocol';
import type { ServerFrame } from '../../../electron/contract/wire';
import type { ConnectionState, ErrandClient, SyncHandlers } from './types';

/** The subset of the DOM WebSocket the client uses, so tests can hand in a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface WsClientOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  /** Delay before reconnect attempt n (1-based). Default: 250 ms doubling to 5 s, ±20 %. */
  backoff?: (attempt: number) => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  /**
   * After a few failed reconnects: is there a reason retrying cannot help (the page's
   * token was replaced)? Returns the message to show, or null to keep trying.
   */
  diagnose?: () => Promise<string | null>;
}

const OPEN = 1;

export const defaultBackoff = (attempt: number): number => {
  const base = Math.min(5000, 250 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
};

/** Asks the page's own server whether this browser is still let in (a 401 means the token changed). */
export async function diagnoseHttp(fetcher: typeof fetch = fetch): Promise<string | null> {
  try {
    const r = await fetcher('/', { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' });
    return r.status === 401 ? 'This window’s access link is no longer valid. Open the link errand serve --ui prints.' : null;
  } catch {
    return null; // the host is down: keep trying
  }
}

/** The page's own WebSocket address: same origin, path /ws. */
export function wsUrlFor(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

/**
 * The browser client of `errand serve --ui`: hello, subscribe, snapshot; requests by id;
 * on a drop it reconnects with backoff and resyncs from a fresh snapshot.
 */
export function wsClient(opts: WsClientOptions): ErrandClient {
  const create = opts.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const backoff = opts.backoff ?? defaultBackoff;
  const setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));

  let socket: SocketLike | null = null;
  let ready = false; // hello answered on the current socket
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  const raw = (s: SocketLike, method: string, params: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      try {
        s.send(JSON.stringify({ id, method, params }));
      } catch (e) {
        pending.delete(id);
        reject(new ErrandError('busy', `Could not send to the Errand host: ${(e as Error).message}.`));
      }
    });

  const call = <K extends MethodName>(method: K, input: Input<K>): Promise<Output<K>> => {
    if (!socket || !ready || socket.readyState !== OPEN) {
      return Promise.reject(new ErrandError('busy', 'Not connected to the Errand host; reconnecting.'));
    }
    return raw(socket, method, input) as Promise<Output<K>>;
  };

  return {
    transport: 'websocket',
    call,
    start(h: SyncHandlers) {
      let stopped = false;
      let attempt = 0;
      let timer: unknown = null;
      let synced = false;

      const setState = (s: ConnectionState): void => {
        if (!stopped) h.onState(s);
      };

      const failPending = (message: string): void => {
        const err = new ErrandError('busy', message);
        for (const p of pending.values()) p.reject(err);
        pending.clear();
      };

      const connect = (): void => {
        timer = null;
        if (stopped) return;
        let s: SocketLike;
        try {
          s = create(opts.url);
        } catch (e) {
          retry((e as Error).message);
          return;
        }
        socket = s;
        ready = false;
        synced = false;
        s.onmessage = (ev) => {
          if (socket !== s) return;
          let frame: ServerFrame;
          // a snapshot of many jobs: mark when it arrived, before parsing (for the benchmark)
          if (typeof ev.data === 'string' && ev.data.length > 1_000_000 && typeof performance !== 'undefined') performance.mark('errand:big-frame');
          try {
            frame = JSON.parse(String(ev.data)) as ServerFrame;
          } catch {
            return;
          }
          if ('event' in frame) {
            // Events before the snapshot reply are already part of it: the socket is ordered.
            if (synced && !stopped) h.onEvent(frame.event as HostEvent);
            return;
          }
          if (frame.id === null) return;
          const p = pending.get(frame.id);
          if (!p) return;
          pending.delete(frame.id);
          if ('error' in frame) p.reject(ErrandError.from(frame.error));
          else p.resolve(frame.result);
        };
        s.onopen = () => {
          if (socket !== s) return;
          void (async () => {
            try {
              await raw(s, 'hello', { protocolVersion: PROTOCOL_VERSION, client: 'ui' });
            } catch (e) {
              // A protocol mismatch does not heal by retrying; a reload fetches the host's own UI.
              if (e instanceof ErrandError && e.code === 'invalid_input') {
                stopped = true;
                h.onState({ kind: 'failed', message: `${e.message} Reload the page.` });
                s.close();
                return;
              }
              throw e;
            }
            ready = true;
            await raw(s, 'subscribe', {});
            const snap = (await raw(s, 'snapshot', {})) as Output<'snapshot'>;
            if (socket !== s || stopped) return;
            attempt = 0;
            h.onSync(snap);
            synced = true;
            setState({ kind: 'open' });
          })().catch(() => {
            // the close handler reconnects
            if (socket === s) s.close();
          });
        };
        s.onerror = () => {};
        s.onclose = (ev) => {
          if (socket !== s) return;
          socket = null;
          ready = false;
          synced = false;
          failPending('The connection to the Errand host closed before it answered.');
          if (!stopped) retry(ev.reason || (ev.code === 1006 ? 'connection lost' : `closed (${ev.code})`));
        };
      };

      const retry = (reason: string): void => {
        attempt++;
        const ms = backoff(attempt);
        setState({ kind: 'reconnecting', attempt, retryInMs: ms, reason });
        timer = setTimer(connect, ms);
        if (attempt === 3 && opts.diagnose) {
          opts.diagnose().then(
            (message) => {
              if (!message || stopped || socket) return;
              stopped = true;
              if (timer !== null) clearTimer(timer);
              h.onState({ kind: 'failed', message });
            },
            () => {},
          );
        }
      };

      setState({ kind: 'connecting' });
      connect();
      return () => {
        stopped = true;
        if (timer !== null) clearTimer(timer);
        const s = socket;
        socket = null;
        ready = false;
        failPending('The window closed its connection.');
        s?.close(1000, 'closed');
      };
    },
  };
}
