import type { Input, MethodName, Output } from '../../../electron/contract/api';
import type { ShellCommand } from '../../../electron/contract/bridge';
import type { SyncHandlers } from '../../../electron/client/window-sync';

export type { ConnectionState, Snapshot, SyncHandlers } from '../../../electron/client/window-sync';

/**
 * The renderer's one door to the host, over a client session (electron/client): the
 * Electron IPC bridge or a WebSocket (errand serve --ui). Calls reject with an
 * ErrandError that keeps the host's code, message and field.
 */
export interface ErrandClient {
  readonly transport: 'bridge' | 'websocket' | 'memory';
  call<K extends MethodName>(method: K, input: Input<K>): Promise<Output<K>>;
  /** Connects and keeps the handlers in sync (snapshot and its pages, then events). Returns a stop function. */
  start(handlers: SyncHandlers): () => void;
  /** Commands from the tray shell (open a job, new job); Electron only. */
  onShell?(fn: (command: ShellCommand) => void): () => void;
}
