// What a session needs of a transport: text frames both ways and word of open and close.
// Each transport (socket, WebSocket, Electron IPC) is a Connector; the session owns the
// protocol (hello, ids, events) and stays the same over all of them.

/** How a transport reports to the session that opened it. */
export interface TransportSink {
  /** The link is up: frames may be sent. */
  onOpen(): void;
  /** One frame from the host (JSON text), in the order the host sent it. */
  onFrame(text: string): void;
  /**
   * A frame the transport could not deliver whole (over its size limit); `head` is its
   * first bytes, which usually name the request id.
   */
  onOversize?(head: string, limit: number): void;
  /** The link is gone (refused, dropped or closed); `error` keeps a socket's code (ENOENT, ECONNREFUSED). */
  onClose(reason: string, error?: Error): void;
}

/** One open link. send() may throw when the link cannot take the frame. */
export interface Transport {
  send(text: string): void;
  close(): void;
}

/** Opens a new link and reports on it through the sink; called again for every reconnect. */
export type Connector = (sink: TransportSink) => Transport;
