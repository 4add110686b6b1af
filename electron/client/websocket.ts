// The WebSocket transport (`errand serve --ui` in a browser): one frame per message.
import type { Connector } from './transport';

/** The part of the DOM WebSocket this transport uses, so tests can hand in a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

/** Why a WebSocket closed, in words: 1006 is a drop, 1009 a frame over the host's limit. */
export function closeReason(ev: { code: number; reason: string }): string {
  if (ev.reason) return ev.reason;
  if (ev.code === 1006) return 'connection lost';
  if (ev.code === 1009) return 'a frame was over the size limit';
  return `closed (${ev.code})`;
}

export function webSocketConnector(url: string, create: (url: string) => SocketLike): Connector {
  return (sink) => {
    const ws = create(url);
    ws.onopen = () => sink.onOpen();
    ws.onmessage = (ev) => sink.onFrame(typeof ev.data === 'string' ? ev.data : String(ev.data));
    ws.onerror = () => {}; // a close event follows with the reason
    ws.onclose = (ev) => sink.onClose(closeReason(ev));
    return {
      send: (text) => {
        if (ws.readyState !== OPEN) throw new Error('the WebSocket is not open');
        ws.send(text);
      },
      close: () => ws.close(1000, 'closed'),
    };
  };
}

/** The browser's own WebSocket. */
export const domWebSocket = (url: string): SocketLike => new WebSocket(url) as unknown as SocketLike;
