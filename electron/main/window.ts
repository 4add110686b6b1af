// The job window, locked down per DESIGN.md §7: isolated, sandboxed, no Node, no
// navigation, no popups, no permissions (except writing to the clipboard, which the
// result view's "copy" needs). It hides instead of closing: Errand lives in the tray.
import path from 'node:path';
import type { BrowserWindow, BrowserWindowConstructorOptions, Shell } from 'electron';

export type RendererTarget = { kind: 'file'; file: string } | { kind: 'url'; url: string };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Where the renderer comes from: the built out/renderer/index.html, or in development
 * the electron-vite dev server. A packaged app ignores ELECTRON_RENDERER_URL, and only
 * a loopback http URL is accepted, so no environment variable can point it at the web.
 */
export function rendererTarget(o: { isPackaged: boolean; env: NodeJS.ProcessEnv; appPath: string }): RendererTarget {
  const dev = o.env.ELECTRON_RENDERER_URL;
  if (!o.isPackaged && dev) {
    try {
      const u = new URL(dev);
      if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return { kind: 'url', url: u.href };
    } catch {
      // not a URL: fall through to the built files
    }
  }
  return { kind: 'file', file: path.join(o.appPath, 'out', 'renderer', 'index.html') };
}

export const preloadPath = (appPath: string): string => path.join(appPath, 'out', 'preload', 'index.cjs');

export function windowOptions(o: { preload: string; icon?: string | undefined; platform?: NodeJS.Platform }): BrowserWindowConstructorOptions {
  return {
    title: 'Errand',
    width: 1200,
    height: 760,
    minWidth: 720,
    minHeight: 420,
    show: false,
    autoHideMenuBar: true,
    ...(o.icon && o.platform !== 'darwin' ? { icon: o.icon } : {}),
    webPreferences: {
      preload: o.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

/** Links the renderer tries to follow open in the browser: http(s) only, never file: or custom schemes. */
export function externalUrl(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

/** The only permission granted: sanitized clipboard writes ("copy patch"). */
export const permissionAllowed = (permission: string): boolean => permission === 'clipboard-sanitized-write';

export interface WindowDeps {
  BrowserWindow: typeof BrowserWindow;
  shell: Pick<Shell, 'openExternal'>;
  target: RendererTarget;
  preload: string;
  icon?: string | undefined;
  platform?: NodeJS.Platform;
  /** True once the app is quitting: then close really closes. */
  isQuitting: () => boolean;
  log?: { warn(msg: string, ...rest: unknown[]): void };
}

/** Creates the job window with every guard attached before anything loads. */
export function createWindow(d: WindowDeps): BrowserWindow {
  const win = new d.BrowserWindow(windowOptions({ preload: d.preload, icon: d.icon, platform: d.platform }));
  const wc = win.webContents;
  const openOutside = (url: string): void => {
    const ext = externalUrl(url);
    if (ext) void d.shell.openExternal(ext).catch((e: unknown) => d.log?.warn(`could not open ${ext}`, e));
    else d.log?.warn(`blocked navigation to ${url}`);
  };

  wc.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });
  wc.on('will-navigate', (e) => {
    e.preventDefault();
    openOutside(e.url);
  });
  wc.on('will-redirect', (e) => e.preventDefault());
  wc.on('will-attach-webview', (e) => e.preventDefault());
  wc.session.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionAllowed(permission)));
  wc.session.setPermissionCheckHandler((_wc, permission) => permissionAllowed(permission));

  win.on('close', (e) => {
    if (d.isQuitting()) return;
    e.preventDefault();
    win.hide();
  });

  if (d.target.kind === 'url') void win.loadURL(d.target.url);
  else void win.loadFile(d.target.file);
  return win;
}

/** Shows and focuses the window; restores it if minimised. */
export function reveal(win: Pick<BrowserWindow, 'isMinimized' | 'restore' | 'show' | 'focus'>): void {
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

/**
 * Sends to the renderer once its page has loaded: a message sent while the first
 * page is still loading would reach no listener and be lost.
 */
export function sendWhenLoaded(win: Pick<BrowserWindow, 'webContents' | 'isDestroyed'>, channel: string, payload: unknown): void {
  const wc = win.webContents;
  if (win.isDestroyed() || wc.isDestroyed()) return;
  if (wc.isLoading()) wc.once('did-finish-load', () => !wc.isDestroyed() && wc.send(channel, payload));
  else wc.send(channel, payload);
}
