import type { Input, MethodName, Output } from '../../../electron/contract/api';
import type { ShellCommand } from '../../../electron/contract/bridge';
import type { HostEvent } from '../../../electron/contract/events';

export type Snapshot = Output<'snapshot'>;

/** What the window shows about its link to the host: quiet, never a spinner. */
export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'reconnecting'; attempt: number; retryInMs: number; reason: string }
  | { kind: 'failed'; message: string };

export interface SyncHandlers {
  /** A fresh snapshot: on the first connect and after every reconnect. Replaces all state. */
  onSync(snapshot: Snapshot): void;
  /** A live event that happened after the last snapshot. */
  onEvent(event: HostEvent): void;
  onState(state: ConnectionState): void;
}

/**
 * The renderer's one door to the host. Two implementations: the Electron preload
 * bridge and a WebSocket (errand serve --ui). Calls reject with an ErrandError that
 * keeps the host's code, message and field.
 */
export interface ErrandClient {
  readonly transport: 'bridge' | 'websocket' | 'memory';
  call<K extends MethodName>(method: K, input: Input<K>): Promise<Output<K>>;
  /** Connects and keeps the handlers in sync (snapshot, then events). Returns a stop function. */
  start(handlers: SyncHandlers): () => void;
  /** Commands from the tray shell (open a job, new job); Electron only. */
  onShell?(fn: (command: ShellCommand) => void): () => void;
}
