import type { ErrandBridge } from '../../../electron/contract/bridge';
import { ipcConnector } from '../../../electron/client/ipc';
import { Session } from '../../../electron/client/session';
import { sessionClient } from './session-client';
import type { ErrandClient } from './types';

/** Inside Electron: a session over the preload bridge (window.errand), the socket's frames over IPC. */
export function bridgeClient(bridge: ErrandBridge, policy: { setTimer?: (fn: () => void, ms: number) => unknown; backoff?: (n: number) => number } = {}): ErrandClient {
  const client = sessionClient('bridge', () => new Session({ client: 'ui', connect: ipcConnector(bridge), reconnect: policy }));
  return bridge.onShell ? { ...client, onShell: (fn) => bridge.onShell!(fn) } : client;
}
