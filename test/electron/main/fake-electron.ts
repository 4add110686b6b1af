// A fake `electron` (and electron-log) module for running electron/main/index.ts in
// Node: records what the shell asks of Electron. One instance per test file (vitest
// isolates module graphs per file), created by the vi.mock factories.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
  image: { path: string };
  tooltip = '';
  menu: { template: { label?: string; click?: () => void }[] } | null = null;
  menus = 0;
  destroyed = false;
  constructor(image: { path: string }) {
    super();
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
  ipcMain: { handle: (c: string, fn: (...a: unknown[]) => unknown) => handlers.set(c, fn), removeHandler: (c: string) => handlers.delete(c) },
  nativeImage: { createFromPath: (p: string) => ({ path: p, setTemplateImage: () => {} }) },
  nativeTheme: Object.assign(new EventEmitter(), { shouldUseDarkColorsForSystemIntegratedUI: true }),
  shell: { openExternal: async () => {} },
};
const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (...a: unknown[]) => calls.push(`log.error ${String(a[0])}`) };
export const log = { transports: { file: {}, console: {} }, errorHandler: { startCatching: () => {} }, scope: () => logger };

let home: string | null = null;

/** The file's fake; ERRAND_HOME points at its fresh data dir (removed by cleanup). */
export function fakeElectron() {
  home ??= fs.mkdtempSync(path.join(os.tmpdir(), 'errand-wiring-'));
  process.env.ERRAND_HOME = home;
  const dir = home;
  return { electron, log, home: dir, calls, dialogs, handlers, cleanup: (): void => fs.rmSync(dir, { recursive: true, force: true }) };
}
