import type { ErrorPayload } from './errors';
import type { HostEvent } from './events';

// Frames of the socket and WebSocket transports. One JSON object per frame.
export interface RequestFrame {
  id: number;
  method: string;
  params?: unknown;
}
export type ResponseFrame = { id: number | null; result: unknown } | { id: number | null; error: ErrorPayload };
export interface EventFrame {
  event: HostEvent;
}
export type ServerFrame = ResponseFrame | EventFrame;

/** Transport-level methods beside the contract's: start/stop receiving events. */
export const SUBSCRIBE = 'subscribe';
export const UNSUBSCRIBE = 'unsubscribe';
