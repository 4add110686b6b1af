import type { Input, MethodName, Output } from './api';
import type { ErrorPayload } from './errors';
import type { HostEvent } from './events';

/** Errors cross contextBridge as data, so the renderer keeps their code and field. */
export type BridgeReply<T> = { result: T } | { error: ErrorPayload };

/**
 * What the tray shell asks of the job window: open a job (a notification or tray row
 * was clicked) or start a new one (Ctrl/Cmd+Shift+N). Mirrors ShellCommand in
 * electron/main/ipc.ts.
 */
export type ShellCommand = { type: 'open-job'; id: number } | { type: 'new-job' };

/** What the preload exposes (electron/preload/index.ts) as window.errand; derived from the contract's method table. */
export interface ErrandBridge {
  call<K extends MethodName>(method: K, input: Input<K>): Promise<BridgeReply<Output<K>>>;
  onEvent(fn: (event: HostEvent) => void): () => void;
  /**
   * Commands from the shell. Ones sent before the first subscriber are kept and
   * delivered on subscribe, so a click that opened the window is not lost while the
   * renderer starts. Optional so test doubles and the browser transport need not
   * implement it; the preload always does.
   */
  onShell?(fn: (command: ShellCommand) => void): () => void;
}
