// A fake `electron` (and electron-log) module for running electron/main/index.ts in
// Node: records what the shell asks of Electron. One instance per test file (vitest
// isolates module graphs per file), created by the vi.mock factories.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ipcConnector } from '../../../electron/client/ipc';
import { Session } from '../../../electron/client/session';
import { type ErrandBridge, IPC } from '../../../electron/contract/bridge';

export const calls: string[] = [];
/** What the next message box answers (0 = first button) and what was asked. */
export const dialogs = { response: 0, asked: [] as { message: string; buttons: string[] }[] };
const prevented = () => ({
  defaultPrevented: false,
  preventDefault() {
    this.defaultPrevented = true;
  },
});

export class App extends EventEmitter {
  name = '';
  paths: Record<string, string> = { userData: '/default/userData' };
  isPackaged = false;
  quitted = false;
  badge = 0;
  setName(n: string) {
    this.name = n;
  }
  getName() {
    return this.name;
  }
  getPath(k: string) {
    return this.paths[k]!;
  }
  setPath(k: string, v: string) {
    this.paths[k] = v;
  }
  requestSingleInstanceLock() {
    return true;
  }
  whenReady() {
    return Promise.resolve();
  }
  getAppPath() {
    return process.cwd();
  }
  setBadgeCount(n: number) {
    this.badge = n;
    return true;
  }
  getLoginItemSettings() {
    return { openAtLogin: false, wasOpenedAtLogin: false };
  }
  setLoginItemSettings() {}
  exit(code: number) {
    calls.push(`exit ${code}`);
  }
  quit() {
    const e = prevented();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) {
      this.emit('will-quit', prevented());
      this.quitted = true;
    }
  }
}

export class WebContents extends EventEmitter {
  sent: [string, unknown][] = [];
  loading = true;
  openHandler: unknown = null;
  session = { setPermissionRequestHandler: () => {}, setPermissionCheckHandler: () => {} };
  setWindowOpenHandler(fn: unknown) {
    this.openHandler = fn;
  }
  isLoading() {
    return this.loading;
  }
  isDestroyed() {
    return false;
  }
  send(channel: string, payload: unknown) {
    this.sent.push([channel, payload]);
  }
}
export class BrowserWindow extends EventEmitter {
  static all: BrowserWindow[] = [];
  webContents = new WebContents();
  visible = false;
  focused = false;
  loaded = '';
  constructor(public options: unknown) {
    super();
    BrowserWindow.all.push(this);
  }
  loadFile(f: string) {
    this.loaded = f;
    // the page finishes loading on the next tick, like a real one would later
    setTimeout(() => {
      this.webContents.loading = false;
      this.webContents.emit('did-finish-load');
      this.emit('ready-to-show');
    }, 5);
    return Promise.resolve();
  }
  loadURL(u: string) {
    return this.loadFile(u);
  }
  isDestroyed() {
    return false;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  show() {
    this.visible = true;
  }
  hide() {
    this.visible = false;
    this.focused = false;
  }
  focus() {
    this.focused = true;
  }
  isVisible() {
    return this.visible;
  }
  isFocused() {
    return this.focused;
  }
}
export class Tray extends EventEmitter {
  static last: Tray;
  /** Set by a test to make the next tray fail to start (a start-up failure after the host is up). */
  static failNext: Error | null = null;
  image: { path: string };
  tooltip = '';
  menu: { template: { label?: string; click?: () => void }[] } | null = null;
  menus = 0;
  destroyed = false;
  constructor(image: { path: string }) {
    super();
    if (Tray.failNext) {
      const e = Tray.failNext;
      Tray.failNext = null;
      throw e;
    }
    this.image = image;
    Tray.last = this;
  }
  setImage(i: { path: string }) {
    this.image = i;
  }
  setToolTip(t: string) {
    this.tooltip = t;
  }
  setTitle() {}
  setContextMenu(m: { template: [] }) {
    this.menu = m;
    this.menus++;
  }
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
  }
}
export class Notification extends EventEmitter {
  static shown: { title: string; body: string }[] = [];
  constructor(public opts: { title: string; body: string }) {
    super();
  }
  static isSupported() {
    return true;
  }
  show() {
    Notification.shown.push({ title: this.opts.title, body: this.opts.body });
  }
}
export const app = new App();

export const handlers = new Map<string, (...a: unknown[]) => unknown>();
export const electron = {
  app,
  BrowserWindow,
  Tray,
  Notification,
  Menu: { buildFromTemplate: (template: unknown) => ({ template }), setApplicationMenu: (m: unknown) => calls.push(`appMenu ${m === null ? 'none' : 'set'}`) },
  dialog: {
    showErrorBox: (t: string, m: string) => calls.push(`error ${t}: ${m}`),
    showMessageBox: async (o: { message: string; buttons: string[] }) => (dialogs.asked.push({ message: o.message, buttons: o.buttons }), { response: dialogs.response }),
  },
  globalShortcut: { register: (a: string) => (calls.push(`shortcut ${a}`), true), unregister: () => {}, unregisterAll: () => calls.push('unregisterAll') },
  ipcMain: { on: (c: string, fn: (...a: unknown[]) => unknown) => handlers.set(c, fn), removeListener: (c: string) => handlers.delete(c) },
  nativeImage: { createFromPath: (p: string) => ({ path: p, setTemplateImage: () => {} }) },
  nativeTheme: Object.assign(new EventEmitter(), { shouldUseDarkColorsForSystemIntegratedUI: true }),
  shell: { openExternal: async () => {} },
};
const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (...a: unknown[]) => calls.push(`log.error ${String(a[0])}`) };
export const log = { transports: { file: {}, console: {} }, errorHandler: { startCatching: () => {} }, scope: () => logger };

/** The built renderer's URL: the one page main trusts. */
export const trustedPage = (): string => pathToFileURL(path.join(process.cwd(), 'out', 'renderer', 'index.html')).href;

let senders = 0;
/** A window page talking through main's IPC handlers, as the preload would: a bridge and its webContents. */
export function fakePage(url = trustedPage()) {
  const listeners = new Set<(f: string | null) => void>();
  const sender = Object.assign(new EventEmitter(), {
    id: 10_000 + ++senders,
    destroyed: false,
    isDestroyed() {
      return this.destroyed;
    },
    send: (channel: string, payload: unknown) => {
      if (channel === IPC.frame) for (const fn of [...listeners]) fn(payload as string | null);
    },
  });
  const event = { sender, senderFrame: { url, parent: null }, reply: (channel: string, payload: unknown) => sender.send(channel, payload) };
  const on = (channel: string, ...args: unknown[]): void => void handlers.get(channel)?.(event, ...args);
  const bridge: ErrandBridge = {
    open: () => on(IPC.open),
    send: (text) => on(IPC.frame, text),
    close: () => on(IPC.close),
    onFrame: (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  /** The page goes away (window closed or crashed). */
  const destroy = (): void => {
    sender.destroyed = true;
    sender.emit('destroyed');
  };
  return { sender, bridge, destroy };
}

/** A window's client session over main's IPC, greeted and ready. */
export async function windowSession(url = trustedPage()): Promise<Session> {
  const session = new Session({ client: 'ui', connect: ipcConnector(fakePage(url).bridge) });
  await new Promise<void>((resolve, reject) => {
    session.onState((s) => (s.kind === 'open' ? resolve() : s.kind === 'closed' ? reject(s.error ?? new Error(s.reason)) : undefined));
    session.start();
  });
  return session;
}

/** A call as data ({result} or {error}), for comparing with toMatchObject. */
export async function reply(session: Session, method: string, input: unknown): Promise<{ result?: unknown; error?: { code: string; message: string; field?: string | undefined } }> {
  try {
    return { result: await session.call(method as never, input as never) };
  } catch (e) {
    return { error: e as { code: string; message: string } };
  }
}

let home: string | null = null;

/** The file's fake; ERRAND_HOME points at its fresh data dir (removed by cleanup). */
export function fakeElectron() {
  home ??= fs.mkdtempSync(path.join(os.tmpdir(), 'errand-wiring-'));
  process.env.ERRAND_HOME = home;
  const dir = home;
  return { electron, log, home: dir, calls, dialogs, handlers, cleanup: (): void => fs.rmSync(dir, { recursive: true, force: true }) };
}
