import type { ErrandBridge } from '../../../electron/contract/bridge';
import { ErrandError } from '../../../electron/contract/errors';
import { bridgeClient } from './bridge';
import type { ErrandClient } from './types';
import { diagnoseHttp, wsClient, wsUrlFor } from './ws';

export type { ConnectionState, ErrandClient, Snapshot, SyncHandlers } from './types';

/** Inside Electron the preload bridge; in a browser (errand serve --ui) the page's WebSocket. */
export function createClient(win: { errand?: ErrandBridge | undefined; location: { protocol: string; host: string } }): ErrandClient {
  if (win.errand) return bridgeClient(win.errand);
  if (win.location.protocol === 'http:' || win.location.protocol === 'https:') return wsClient({ url: wsUrlFor(win.location), diagnose: () => diagnoseHttp() });
  return offlineClient('This window has no host to talk to. Open it from the Errand tray icon, or run errand serve --ui and open the link it prints.');
}

/** A window opened outside Electron and outside errand serve --ui: says so, calls fail. */
export function offlineClient(message: string): ErrandClient {
  return {
    transport: 'memory',
    call: () => Promise.reject(new ErrandError('unauthorized', message)),
    start(h) {
      h.onState({ kind: 'failed', message });
      return () => {};
    },
  };
}
