import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// The checks of the HTTP + WebSocket transport as small pure functions, so each
// refusal can be tested on its own (test/e2e/http-security.test.ts) and over HTTP.

export const TOKEN_FILE = 'ui-token';
const TOKEN_RE = /^[A-Za-z0-9_-]{32,128}$/;

/** Loopback names a browser may use to reach the UI. Anything else is DNS rebinding or a mistake. */
export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'] as const;

/**
 * The data dir's UI token: created once (0600), reused across restarts so a bookmarked
 * link and the browser's cookie keep working. A malformed file is replaced.
 */
export function loadOrCreateToken(home: string): string {
  const file = path.join(home, TOKEN_FILE);
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    if (TOKEN_RE.test(text)) {
      if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
      return text;
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const token = randomBytes(32).toString('base64url');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return token;
}

/** Constant-time comparison; false for anything missing or of the wrong length. */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string' || !given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The Host header must name a loopback host at our port. Returns the canonical
 * `host:port` on success (used to build the served origin), null otherwise.
 */
export function checkHost(header: string | undefined, port: number): string | null {
  if (!header) return null;
  const h = header.trim().toLowerCase();
  for (const name of LOOPBACK_HOSTS) {
    if (h === `${name}:${port}`) return h;
  }
  return null;
}

/** The origin a browser reports for a page served under `host` (already checked). */
export const originFor = (host: string): string => `http://${host}`;

/**
 * A WebSocket upgrade must come from the page we served: its Origin equals the
 * origin of the Host it connects to. A missing Origin (not a browser) is refused too:
 * scripts and the CLI use the socket transport.
 */
export function checkOrigin(origin: string | undefined, host: string): boolean {
  return typeof origin === 'string' && origin.toLowerCase() === originFor(host);
}

export function cookieName(port: number): string {
  // Cookies are not isolated by port, so two hosts on one machine must not share a name.
  return `errand_ui_${port}`;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${30 * 24 * 3600}`;
}

export type AuthResult =
  /** Authorised by the cookie (or a bearer header). */
  | { ok: true; via: 'cookie' | 'bearer' }
  /** The right token in the query: set the cookie and redirect to the clean URL. */
  | { ok: true; via: 'query'; cleanUrl: string }
  | { ok: false; reason: 'missing' | 'wrong' };

/** Decides whether a request (URL path+query, Cookie and Authorization headers) carries the token. */
export function authorize(url: string, headers: { cookie?: string | undefined; authorization?: string | undefined }, port: number, token: string): AuthResult {
  const u = new URL(url, 'http://127.0.0.1');
  const query = u.searchParams.get('token');
  if (query !== null) {
    if (!tokenMatches(query, token)) return { ok: false, reason: 'wrong' };
    u.searchParams.delete('token');
    const q = u.searchParams.toString();
    return { ok: true, via: 'query', cleanUrl: `${u.pathname}${q ? `?${q}` : ''}` };
  }
  const cookie = parseCookies(headers.cookie).get(cookieName(port));
  if (cookie !== undefined) return tokenMatches(cookie, token) ? { ok: true, via: 'cookie' } : { ok: false, reason: 'wrong' };
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
  if (bearer !== undefined) return tokenMatches(bearer, token) ? { ok: true, via: 'bearer' } : { ok: false, reason: 'wrong' };
  return { ok: false, reason: 'missing' };
}

/**
 * The page's Content-Security-Policy: nothing remote, scripts and styles from this
 * origin only, and the WebSocket back to the same origin.
 */
export function contentSecurityPolicy(host: string): string {
  const ws = ` ws://${host}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${ws}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The policy of Errand's own short refusal pages: no script at all, an inline style sheet. */
export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Headers every response carries, refusals included (`host` null: a refusal page). */
export function securityHeaders(host: string | null): Record<string, string> {
  return {
    'Content-Security-Policy': host ? contentSecurityPolicy(host) : PAGE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a request path onto a file inside `root`, or null. Refuses traversal (`..`,
 * encoded or not), absolute paths, backslashes, NUL bytes and dotfiles. Does not
 * touch the disk; the caller still confirms the real path stays inside root.
 */
export function resolveStatic(root: string, urlPath: string): string | null {
  let p: string;
  try {
    p = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return null;
  }
  if (p.includes('\0') || p.includes('\\') || !p.startsWith('/')) return null;
  if (p === '/' || p === '/index.html') p = '/index.html';
  const segments = p.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.' || s.startsWith('.'))) return null;
  const base = path.resolve(root);
  const full = path.resolve(base, ...segments);
  return full.startsWith(base + path.sep) ? full : null;
}

export function unauthorizedPage(): string {
  return page(
    'Errand needs its access link',
    '<p>This page only opens with the link Errand prints when it starts.</p><p>Run <code>errand serve --ui</code> in a terminal and open the <code>http://127.0.0.1:…/?token=…</code> link it prints.</p>',
  );
}

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>${title}</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em}h1{font-size:1.2em}</style></head><body><h1>${title}</h1>${body}</body></html>\n`;
}
