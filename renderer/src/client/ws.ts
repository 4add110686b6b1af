import { Session } from '../../../electron/client/session';
import type { ReconnectPolicy } from '../../../electron/client/reconnect';
import { domWebSocket, type SocketLike, webSocketConnector } from '../../../electron/client/websocket';
import { sessionClient } from './session-client';
import type { ErrandClient } from './types';

export type { SocketLike } from '../../../electron/client/websocket';
export { defaultBackoff } from '../../../electron/client/reconnect';

export interface WsClientOptions extends Omit<ReconnectPolicy, 'diagnoseAfter'> {
  url: string;
  createSocket?: (url: string) => SocketLike;
}

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
 * The browser client of `errand serve --ui`: a session over the page's WebSocket that
 * reconnects with backoff and resyncs from a fresh snapshot; after three failed tries it
 * asks the server whether the page's token is still good.
 */
export function wsClient(opts: WsClientOptions): ErrandClient {
  const { url, createSocket = domWebSocket, ...policy } = opts;
  return sessionClient('websocket', () => new Session({ client: 'ui', connect: webSocketConnector(url, createSocket), reconnect: { ...policy, diagnoseAfter: 3 } }));
}
