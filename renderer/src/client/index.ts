import type { ErrandBridge } from '../../../electron/contract/bridge';
import { bridgeClient } from './bridge';
import type { ErrandClient } from './types';
import { wsClient, wsUrlFor } from './ws';

export type { ConnectionState, ErrandClient, Snapshot, SyncHandlers } from './types';

/** Inside Electron the preload bridge; in a browser (errand serve --ui) the page's WebSocket. */
export function createClient(win: { errand?: ErrandBridge | undefined; location: { protocol: string; host: string } }): ErrandClient {
  if (win.errand) return bridgeClient(win.errand);
  return wsClient({ url: wsUrlFor(win.location) });
}
