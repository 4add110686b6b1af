import { EventEmitter } from 'node:events';
import path from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import type { BrowserWindowConstructorOptions } from 'electron';
import { createWindow, externalUrl, permissionAllowed, preloadPath, rendererTarget, reveal, sendWhenLoaded, windowOptions } from '../../../electron/main/window';

describe('rendererTarget', () => {
  const appPath = '/repo';
  test('built files by default', () => {
    expect(rendererTarget({ isPackaged: false, env: {}, appPath })).toEqual({ kind: 'file', file: path.join('/repo', 'out', 'renderer', 'index.html') });
  });
  test('the dev server in development', () => {
    expect(rendererTarget({ isPackaged: false, env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' }, appPath })).toEqual({ kind: 'url', url: 'http://localhost:5173/' });
  });
  test('a packaged app ignores ELECTRON_RENDERER_URL', () => {
    expect(rendererTarget({ isPackaged: true, env: { ELECTRON_RENDERER_URL: 'http://localhost:5173' }, appPath }).kind).toBe('file');
  });
  test('only a loopback http URL is accepted', () => {
    expect(rendererTarget({ isPackaged: false, env: { ELECTRON_RENDERER_URL: 'https://example.com/' }, appPath }).kind).toBe('file');
    expect(rendererTarget({ isPackaged: false, env: { ELECTRON_RENDERER_URL: 'http://evil.example:5173/' }, appPath }).kind).toBe('file');
    expect(rendererTarget({ isPackaged: false, env: { ELECTRON_RENDERER_URL: '::::' }, appPath }).kind).toBe('file');
  });
  test('preload is the CommonJS build a sandboxed renderer needs', () => {
    expect(preloadPath('/repo')).toBe(path.join('/repo', 'out', 'preload', 'index.cjs'));
  });
});

describe('windowOptions', () => {
  test('the DESIGN.md §7 settings', () => {
    const o = windowOptions({ preload: '/p.cjs' });
    expect(o.webPreferences).toMatchObject({
      preload: '/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(o.show).toBe(false);
    expect(o.title).toBe('Errand');
  });
  test('icon on Linux and Windows, not on macOS (the bundle has it)', () => {
    expect(windowOptions({ preload: '/p', icon: '/i.png', platform: 'linux' }).icon).toBe('/i.png');
    expect(windowOptions({ preload: '/p', icon: '/i.png', platform: 'darwin' }).icon).toBeUndefined();
  });
});

describe('policies', () => {
  test('externalUrl: http(s) only', () => {
    expect(externalUrl('https://errand.dev/docs')).toBe('https://errand.dev/docs');
    expect(externalUrl('http://localhost:3000/')).toBe('http://localhost:3000/');
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'vscode://x', 'not a url']) expect(externalUrl(bad)).toBeNull();
  });
  test('permissions: only sanitized clipboard writes', () => {
    expect(permissionAllowed('clipboard-sanitized-write')).toBe(true);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fileSystem']) expect(permissionAllowed(p)).toBe(false);
  });
});

/** Just enough of BrowserWindow to see which guards createWindow attaches. */
class FakeWindow extends EventEmitter {
  static last: FakeWindow;
  options: BrowserWindowConstructorOptions;
  loaded: string | null = null;
  hidden = false;
  openHandler: ((d: { url: string }) => { action: string }) | null = null;
  permissionRequest: ((wc: unknown, p: string, cb: (ok: boolean) => void) => void) | null = null;
  permissionCheck: ((wc: unknown, p: string) => boolean) | null = null;
  webContents = Object.assign(new EventEmitter(), {
    setWindowOpenHandler: (fn: (d: { url: string }) => { action: string }) => (this.openHandler = fn),
    session: {
      setPermissionRequestHandler: (fn: (wc: unknown, p: string, cb: (ok: boolean) => void) => void) => (this.permissionRequest = fn),
      setPermissionCheckHandler: (fn: (wc: unknown, p: string) => boolean) => (this.permissionCheck = fn),
    },
  });
  constructor(options: BrowserWindowConstructorOptions) {
    super();
    this.options = options;
    FakeWindow.last = this;
  }
  loadFile(f: string) {
    this.loaded = `file:${f}`;
    return Promise.resolve();
  }
  loadURL(u: string) {
    this.loaded = `url:${u}`;
    return Promise.resolve();
  }
  hide() {
    this.hidden = true;
  }
}

function make(quitting = false, target: Parameters<typeof createWindow>[0]['target'] = { kind: 'file', file: '/repo/out/renderer/index.html' }) {
  const shell = { openExternal: vi.fn(async () => {}) };
  const log = { warn: vi.fn() };
  createWindow({ BrowserWindow: FakeWindow as never, shell, target, preload: '/repo/out/preload/index.cjs', isQuitting: () => quitting, log });
  return { win: FakeWindow.last, shell, log };
}

const event = (extra: object = {}) => ({ preventDefault: vi.fn(), ...extra });

describe('createWindow', () => {
  test('loads the built renderer with the secure options', () => {
    const { win } = make();
    expect(win.loaded).toBe('file:/repo/out/renderer/index.html');
    expect(win.options.webPreferences?.sandbox).toBe(true);
  });

  test('loads the dev server URL when that is the target', () => {
    expect(make(false, { kind: 'url', url: 'http://localhost:5173/' }).win.loaded).toBe('url:http://localhost:5173/');
  });

  test('window.open is denied; web links go to the browser, others nowhere', () => {
    const { win, shell, log } = make();
    expect(win.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledWith('https://example.com/');
    expect(win.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
    expect(log.warn).toHaveBeenCalledWith('blocked navigation to file:///etc/passwd');
  });

  test('navigation, redirects and webviews are prevented', () => {
    const { win } = make();
    for (const name of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const e = event({ url: 'https://example.com/' });
      win.webContents.emit(name, e);
      expect(e.preventDefault, name).toHaveBeenCalled();
    }
  });

  test('permission requests and checks are denied except clipboard writes', () => {
    const { win } = make();
    const cb = vi.fn();
    win.permissionRequest!(null, 'media', cb);
    expect(cb).toHaveBeenLastCalledWith(false);
    win.permissionRequest!(null, 'clipboard-sanitized-write', cb);
    expect(cb).toHaveBeenLastCalledWith(true);
    expect(win.permissionCheck!(null, 'geolocation')).toBe(false);
  });

  test('closing hides the window instead, until the app quits', () => {
    const open = make(false);
    const e = event();
    open.win.emit('close', e);
    expect(e.preventDefault).toHaveBeenCalled();
    expect(open.win.hidden).toBe(true);

    const quitting = make(true);
    const e2 = event();
    quitting.win.emit('close', e2);
    expect(e2.preventDefault).not.toHaveBeenCalled();
    expect(quitting.win.hidden).toBe(false);
  });
});

describe('reveal and sendWhenLoaded', () => {
  test('reveal restores a minimised window and focuses it', () => {
    const calls: string[] = [];
    const w = { isMinimized: () => true, restore: () => calls.push('restore'), show: () => calls.push('show'), focus: () => calls.push('focus') };
    reveal(w as never);
    expect(calls).toEqual(['restore', 'show', 'focus']);
  });

  test('a message for a loading page waits for did-finish-load', () => {
    const wc = Object.assign(new EventEmitter(), { isLoading: vi.fn(() => true), isDestroyed: () => false, send: vi.fn() });
    const win = { webContents: wc, isDestroyed: () => false };
    sendWhenLoaded(win as never, 'errand:shell', { type: 'new-job' });
    expect(wc.send).not.toHaveBeenCalled();
    wc.emit('did-finish-load');
    expect(wc.send).toHaveBeenCalledWith('errand:shell', { type: 'new-job' });
    wc.isLoading.mockReturnValue(false);
    sendWhenLoaded(win as never, 'errand:shell', { type: 'open-job', id: 3 });
    expect(wc.send).toHaveBeenLastCalledWith('errand:shell', { type: 'open-job', id: 3 });
  });

  test('nothing is sent to a destroyed window', () => {
    const wc = { isLoading: () => false, isDestroyed: () => false, send: vi.fn() };
    sendWhenLoaded({ webContents: wc, isDestroyed: () => true } as never, 'c', 1);
    expect(wc.send).not.toHaveBeenCalled();
  });
});
