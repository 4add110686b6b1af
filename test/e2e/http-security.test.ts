import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../electron/contract/protocol';
import { silentLogger } from '../../electron/core/logger';
import { type Host, startHost } from '../../electron/host/host';
import {
  authorize,
  checkHost,
  checkOrigin,
  contentSecurityPolicy,
  cookieName,
  loadOrCreateToken,
  parseCookies,
  resolveStatic,
  securityHeaders,
  TOKEN_FILE,
} from '../../electron/host/http-security';
import { serveUi, type UiServer } from '../../electron/host/http-server';
import { tempHome } from '../helpers/temp-home';

describe('pure checks', () => {
  test('Host must be a loopback name at our port (DNS rebinding)', () => {
    expect(checkHost('127.0.0.1:7345', 7345)).toBe('127.0.0.1:7345');
    expect(checkHost('LOCALHOST:7345', 7345)).toBe('localhost:7345');
    expect(checkHost('[::1]:7345', 7345)).toBe('[::1]:7345');
    for (const bad of ['evil.example:7345', '127.0.0.1:7346', '127.0.0.1', 'localhost', '127.0.0.2:7345', 'localhost.evil.example:7345', '0.0.0.0:7345', '', undefined]) {
      expect(checkHost(bad, 7345), String(bad)).toBeNull();
    }
  });

  test('a WebSocket Origin must be the served origin', () => {
    expect(checkOrigin('http://127.0.0.1:7345', '127.0.0.1:7345')).toBe(true);
    expect(checkOrigin('http://localhost:7345', 'localhost:7345')).toBe(true);
    for (const bad of ['http://evil.example', 'null', 'https://127.0.0.1:7345', 'http://127.0.0.1:7346', 'http://localhost:7345', undefined]) {
      expect(checkOrigin(bad, '127.0.0.1:7345'), String(bad)).toBe(false);
    }
  });

  test('authorize: query token once, then cookie; wrong or missing refused', () => {
    const t = 'a'.repeat(43);
    expect(authorize(`/?token=${t}`, {}, 1, t)).toEqual({ ok: true, via: 'query', cleanUrl: '/' });
    expect(authorize(`/index.html?x=1&token=${t}`, {}, 1, t)).toEqual({ ok: true, via: 'query', cleanUrl: '/index.html?x=1' });
    expect(authorize('/?token=nope', {}, 1, t)).toEqual({ ok: false, reason: 'wrong' });
    expect(authorize('/', { cookie: `other=1; ${cookieName(1)}=${t}` }, 1, t)).toEqual({ ok: true, via: 'cookie' });
    expect(authorize('/', { cookie: `${cookieName(1)}=${'b'.repeat(43)}` }, 1, t)).toEqual({ ok: false, reason: 'wrong' });
    expect(authorize('/', { cookie: `${cookieName(2)}=${t}` }, 1, t)).toEqual({ ok: false, reason: 'missing' });
    expect(authorize('/', { authorization: `Bearer ${t}` }, 1, t)).toEqual({ ok: true, via: 'bearer' });
    expect(authorize('/', {}, 1, t)).toEqual({ ok: false, reason: 'missing' });
  });

  test('parseCookies', () => {
    expect([...parseCookies(' a=1; b = 2 ;c=; =x; a=3')]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', ''],
    ]);
  });

  test('static paths cannot leave the root', () => {
    const root = path.resolve('/srv/ui');
    expect(resolveStatic(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveStatic(root, '/assets/index-1.js?v=2')).toBe(path.join(root, 'assets/index-1.js'));
    for (const bad of ['/../etc/passwd', '/%2e%2e/etc/passwd', '/assets/..%2f..%2fetc/passwd', '/assets/%2e%2e/%2e%2e/x', '/.env', '/a\\..\\b', '/a%00.js', '/%E0%A4%A', 'relative', '/assets/./x']) {
      expect(resolveStatic(root, bad), bad).toBeNull();
    }
  });

  test('the token is made once, 0600, and reused; a malformed one is replaced', () => {
    const { home, cleanup } = tempHome();
    try {
      const t1 = loadOrCreateToken(home);
      expect(t1).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const file = path.join(home, TOKEN_FILE);
      if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(loadOrCreateToken(home)).toBe(t1);
      fs.chmodSync(file, 0o644);
      expect(loadOrCreateToken(home)).toBe(t1);
      if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      fs.writeFileSync(file, 'short');
      expect(loadOrCreateToken(home)).not.toBe(t1);
    } finally {
      cleanup();
    }
  });

  test('CSP: nothing remote, scripts only from self, the WebSocket back to this origin, no framing', () => {
    const csp = contentSecurityPolicy('127.0.0.1:7345');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:7345");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(csp).not.toMatch(/https?:/);
    const h = securityHeaders('127.0.0.1:7345');
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['Referrer-Policy']).toBe('no-referrer');
  });
});

// --- over real HTTP ----------------------------------------------------------------

let home: string;
let cleanup: () => void;
let host: Host;
let ui: UiServer;
let staticDir: string;

beforeAll(async () => {
  ({ home, cleanup } = tempHome('errand-http-'));
  staticDir = path.join(home, 'static');
  fs.mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Errand</title>');
  fs.writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(home, 'secret.txt'), 'SECRET');
  fs.writeFileSync(path.join(staticDir, '.hidden'), 'hidden');
  fs.symlinkSync(path.join(home, 'secret.txt'), path.join(staticDir, 'link.txt'));
  host = await startHost({ home, socket: false });
  ui = await serveUi({ handlers: host.handlers, listen: host.listen, home, port: 0, staticDir, log: silentLogger });
});
afterAll(async () => {
  await ui?.close();
  await host?.close();
  cleanup?.();
});

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(p: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: ui.port, path: p, method, headers: { Host: `127.0.0.1:${ui.port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const cookie = (): string => `${cookieName(ui.port)}=${ui.token}`;

function wsConnect(headers: Record<string, string>, query = ''): Promise<{ ws: WebSocket } | { status: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${ui.port}/ws${query}`, { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode! });
      res.resume();
    });
    ws.once('error', () => {});
  });
}

function rpc(ws: WebSocket, id: number, method: string, params: unknown): Promise<{ id: number; result?: unknown; error?: { code: string; message: string } }> {
  return new Promise((resolve) => {
    const on = (data: WebSocket.RawData): void => {
      const f = JSON.parse(String(data));
      if (f.id === id) {
        ws.off('message', on);
        resolve(f);
      }
    };
    ws.on('message', on);
    ws.send(JSON.stringify({ id, method, params }));
  });
}

describe('serveUi over HTTP', () => {
  test('binds loopback only and prints a token URL', () => {
    expect(ui.url).toBe(`http://127.0.0.1:${ui.port}/?token=${ui.token}`);
    expect(fs.readFileSync(path.join(home, TOKEN_FILE), 'utf8').trim()).toBe(ui.token);
  });

  test('no token: 401 with a page saying how to get the link, and the security headers', async () => {
    const r = await get('/');
    expect(r.status).toBe(401);
    expect(r.body).toContain('errand serve --ui');
    expect(r.headers['content-security-policy']).toContain("default-src 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['x-frame-options']).toBe('DENY');
    expect(r.headers['set-cookie']).toBeUndefined();
  });

  test('a wrong token or cookie: 401', async () => {
    expect((await get('/?token=wrong')).status).toBe(401);
    expect((await get('/', { Cookie: `${cookieName(ui.port)}=${'x'.repeat(43)}` })).status).toBe(401);
    expect((await get('/assets/app.js')).status).toBe(401);
  });

  test('the right token sets an HttpOnly SameSite=Strict cookie and redirects to the clean URL', async () => {
    const r = await get(`/?token=${ui.token}`);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/');
    const set = r.headers['set-cookie']![0]!;
    expect(set).toContain(`${cookieName(ui.port)}=${ui.token}`);
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Strict');
    expect(set).toContain('Path=/');
  });

  test('with the cookie: the page, with a strict CSP that allows only this origin’s WebSocket', async () => {
    const r = await get('/', { Cookie: cookie() });
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>Errand</title>');
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(contentSecurityPolicy(`127.0.0.1:${ui.port}`));
    expect(r.headers['cache-control']).toBe('no-store');
    const js = await get('/assets/app.js', { Cookie: cookie() });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const head = await get('/', { Cookie: cookie() }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  test('a foreign Host header is refused (DNS rebinding), even with the cookie', async () => {
    for (const h of ['evil.example', `evil.example:${ui.port}`, `127.0.0.1:${ui.port + 1}`]) {
      const r = await get('/', { Host: h, Cookie: cookie() });
      expect(r.status, h).toBe(421);
      expect(r.body).not.toContain('<title>Errand</title>');
    }
    expect((await get('/', { Host: `localhost:${ui.port}`, Cookie: cookie() })).status).toBe(200);
  });

  test('only GET and HEAD', async () => {
    const r = await get('/', { Cookie: cookie() }, 'POST');
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET, HEAD');
  });

  test('no path traversal, no dotfiles, no symlinks out of the root', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/.hidden', '/link.txt', '/missing.js']) {
      const r = await get(p, { Cookie: cookie() });
      expect(r.status, p).toBe(404);
      expect(r.body).not.toContain('SECRET');
    }
  });

  test('WebSocket: same frames and session logic as the socket transport', async () => {
    const c = await wsConnect({ Origin: `http://127.0.0.1:${ui.port}`, Cookie: cookie() });
    expect('ws' in c).toBe(true);
    const ws = (c as { ws: WebSocket }).ws;
    try {
      expect((await rpc(ws, 1, 'status', {})).error?.message).toContain('Send hello');
      expect((await rpc(ws, 2, 'hello', { protocolVersion: PROTOCOL_VERSION, client: 'ui' })).result).toMatchObject({ protocolVersion: PROTOCOL_VERSION });
      expect((await rpc(ws, 3, 'subscribe', {})).result).toEqual({ ok: true });
      const event = new Promise<unknown>((resolve) => {
        const on = (d: WebSocket.RawData): void => {
          const f = JSON.parse(String(d));
          if (f.event?.type === 'job') {
            ws.off('message', on);
            resolve(f.event);
          }
        };
        ws.on('message', on);
      });
      await host.call('add', { command: { shell: 'true' }, cwd: home, title: 'from the API' });
      expect(await event).toMatchObject({ type: 'job', job: { title: 'from the API' } });
      const added = await rpc(ws, 4, 'add', { command: { shell: 'true' }, cwd: home, title: 'from the UI' });
      const detail = await rpc(ws, 5, 'get', { id: (added.result as { id: number }).id });
      expect((detail.result as { events: { by: string }[] }).events[0]!.by).toBe('ui');
      expect((await rpc(ws, 6, 'nope', {})).error?.code).toBe('invalid_input');
    } finally {
      ws.close();
    }
  });

  test('WebSocket: a token in the URL works too (no cookie)', async () => {
    const c = await wsConnect({ Origin: `http://127.0.0.1:${ui.port}` }, `?token=${ui.token}`);
    expect('ws' in c).toBe(true);
    (c as { ws: WebSocket }).ws.close();
  });

  test('WebSocket refusals: foreign Origin 403, no Origin 403, no token 401, wrong Host 421', async () => {
    expect(await wsConnect({ Origin: 'http://evil.example', Cookie: cookie() })).toEqual({ status: 403 });
    expect(await wsConnect({ Origin: `http://localhost:${ui.port}`, Cookie: cookie() })).toEqual({ status: 403 });
    expect(await wsConnect({ Cookie: cookie() })).toEqual({ status: 403 });
    expect(await wsConnect({ Origin: `http://127.0.0.1:${ui.port}` })).toEqual({ status: 401 });
    expect(await wsConnect({ Origin: `http://127.0.0.1:${ui.port}`, Cookie: `${cookieName(ui.port)}=wrong` })).toEqual({ status: 401 });
    expect(await wsConnect({ Origin: `http://evil.example:${ui.port}`, Host: `evil.example:${ui.port}`, Cookie: cookie() })).toEqual({ status: 421 });
  });

  test('WebSocket: a frame over MAX_FRAME_BYTES closes the connection (1009)', async () => {
    const c = (await wsConnect({ Origin: `http://127.0.0.1:${ui.port}`, Cookie: cookie() })) as { ws: WebSocket };
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.ws.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect(await closed).toBe(1009);
  });

  test('the token survives a restart; a busy port is a clear error', async () => {
    const again = serveUi({ handlers: host.handlers, listen: host.listen, home, port: ui.port, staticDir, log: silentLogger });
    await expect(again).rejects.toMatchObject({ code: 'busy', message: expect.stringContaining(`Port ${ui.port}`) });
    const other = await serveUi({ handlers: host.handlers, listen: host.listen, home, port: 0, staticDir, log: silentLogger });
    try {
      expect(other.token).toBe(ui.token);
      expect(other.port).not.toBe(ui.port);
    } finally {
      await other.close();
    }
  });
});
