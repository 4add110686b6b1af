// Wire-level constants. Bump PROTOCOL_VERSION on any incompatible change to the
// methods or events; `hello` refuses a mismatch and says which side to upgrade.
export const PROTOCOL_VERSION = 2;

/** Largest frame either side accepts, in bytes (one NDJSON line / WebSocket message). */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

export const SOCKET_NAME = 'errand.sock';
export const DB_NAME = 'errand.db';

/** Default port of `errand serve --ui` (loopback only). */
export const DEFAULT_UI_PORT = 7345;
