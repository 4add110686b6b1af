import type { Input, MethodName, Output } from '../contract/api';
import type { ErrorPayload } from '../contract/errors';
import type { HostEvent } from '../contract/events';

/** Errors cross contextBridge as data, so the renderer keeps their code and field. */
export type BridgeReply<T> = { result: T } | { error: ErrorPayload };

/** What the preload exposes as window.errand; derived from the contract's method table. */
export interface ErrandBridge {
  call<K extends MethodName>(method: K, input: Input<K>): Promise<BridgeReply<Output<K>>>;
  onEvent(fn: (event: HostEvent) => void): () => void;
}
