import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { ErrandError } from '../contract/errors';
import { DEFAULT_UI_PORT, MAX_FRAME_BYTES } from '../contract/protocol';
import type { Dispose, Listener } from '../core/event-hub';
import type { Logger } from '../core/logger';
import type { Handlers } from './api';
import { Connection } from './connection';
import {
  authorize,
  checkHost,
  checkOrigin,
  contentType,
  loadOrCreateToken,
  page,
  resolveStatic,
  securityHeaders,
  sessionCookie,
  unauthorizedPage,
} from './http-security';

/** A browser tab that stops reading is dropped once this much output is queued for it. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
export const WS_PATH = '/ws';

export interface ServeUiOptions {
  handlers: Handlers;
  listen: (fn: Listener) => Dispose;
  /** The data dir: the UI token lives here (ui-token, 0600). */
  home: string;
  /** Default DEFAULT_UI_PORT; 0 picks a free port. */
  port?: number;
  /** The built renderer (out/renderer). */
  staticDir: string;
  log: Logger;
}

export interface UiServer {
  /** The link to open: http://127.0.0.1:PORT/?token=… */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * The job window over HTTP + WebSocket for `errand serve --ui`: loopback only, a
 * token turned into an HttpOnly cookie, Host and Origin checked against DNS
 * rebinding, the same frames and sessions as the socket transport.
 */
export async function serveUi(opts: ServeUiOptions): Promise<UiServer> {
  const token = loadOrCreateToken(opts.home);
  const log = opts.log;
  let port = opts.port ?? DEFAULT_UI_PORT;
  const staticRoot = fs.realpathSync.native(opts.staticDir);
  const clients = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch((e: unknown) => {
      log.error('ui request failed', e);
      if (!res.headersSent) send(res, 500, securityHeaders(null), page('Errand could not answer', '<p>See the host log in the data dir.</p>'));
      else res.destroy();
    });
  });
  server.on('clientError', (_e, socket) => socket.destroy());

  async function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const host = checkHost(req.headers.host, port);
    if (!host) {
      send(res, 421, securityHeaders(null), page('Wrong host', '<p>Errand answers only on 127.0.0.1, localhost or [::1] at its own port.</p>'));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { ...securityHeaders(null), Allow: 'GET, HEAD' }, page('Not allowed', '<p>The job window only reads pages; actions go over its WebSocket.</p>'));
      return;
    }
    const auth = authorize(req.url ?? '/', req.headers, port, token);
    if (!auth.ok) {
      send(res, 401, securityHeaders(null), unauthorizedPage());
      return;
    }
    if (auth.via === 'query') {
      res.writeHead(303, { ...securityHeaders(null), Location: auth.cleanUrl, 'Set-Cookie': sessionCookie(port, token) });
      res.end();
      return;
    }
    const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (pathname === WS_PATH) {
      send(res, 426, { ...securityHeaders(null), Upgrade: 'websocket' }, page('WebSocket only', '<p>This address is the job window’s WebSocket.</p>'));
      return;
    }
    const file = resolveStatic(staticRoot, pathname);
    const real = file ? await realFile(file) : null;
    if (!real || !real.startsWith(staticRoot + path.sep)) {
      const missingBuild = pathname === '/' || pathname === '/index.html';
      send(
        res,
        missingBuild ? 503 : 404,
        securityHeaders(null),
        missingBuild ? page('The job window is not built', '<p>Run <code>npm run build</code> in the Errand checkout, then reload.</p>') : page('Not found', '<p>No such file.</p>'),
      );
      return;
    }
    const stat = await fs.promises.stat(real);
    res.writeHead(200, { ...securityHeaders(host), 'Content-Type': contentType(real), 'Content-Length': String(stat.size) });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = fs.createReadStream(real);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const host = checkHost(req.headers.host, port);
    if (!host) return refuseUpgrade(socket, 421, 'Misdirected Request');
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== WS_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!checkOrigin(req.headers.origin, host)) {
      log.warn(`refused a WebSocket from origin ${JSON.stringify(req.headers.origin ?? null)}`);
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    if (!authorize(req.url ?? '/', req.headers, port, token).ok) return refuseUpgrade(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    clients.add(ws);
    const conn = new Connection({ handlers: opts.handlers, listen: opts.listen, log, by: 'ui' }, (frame) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_QUEUED_BYTES) {
        log.warn('dropping a UI client that does not read its WebSocket');
        ws.terminate();
        return;
      }
      ws.send(JSON.stringify(frame));
    });
    // One frame per message; ws enforces MAX_FRAME_BYTES (maxPayload) and closes with 1009 above it.
    ws.on('message', (data) => {
      const text = Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
      conn.receive(text);
    });
    ws.on('error', (e) => log.debug('ui websocket error', e));
    ws.on('close', () => {
      conn.close();
      clients.delete(ws);
    });
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(
        e.code === 'EADDRINUSE'
          ? new ErrandError('busy', `Port ${port} on 127.0.0.1 is in use. Pass --port N for another port, or --port 0 for any free one.`, 'port')
          : e,
      );
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  log.info(`job window served at http://127.0.0.1:${port}/`);

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    token,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const ws of clients) ws.close(1001, 'host shutting down');
        wss.close();
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => {
          for (const ws of clients) ws.terminate();
          server.closeAllConnections();
        }, 500).unref();
      })),
  };
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  const buf = Buffer.from(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(buf.length) });
  res.end(res.req.method === 'HEAD' ? undefined : buf);
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

async function realFile(file: string): Promise<string | null> {
  try {
    const real = await fs.promises.realpath(file);
    return (await fs.promises.stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}
