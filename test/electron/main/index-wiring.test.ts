// electron/main/index.ts end to end against a fake `electron` module and a real host on
// a temporary data dir: what Electron would be asked to do, without an Electron binary.
// The real-Electron counterpart is test/electron-app/smoke.test.ts.
import type { EventEmitter } from 'node:events';
import fs from 'node:fs';
import type os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { until } from '../../helpers/temp-home';

const fake = vi.hoisted(() => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EventEmitter: Emitter } = require('node:events') as { EventEmitter: typeof EventEmitter };
  const { home, cleanup } = (() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fsm = require('node:fs') as typeof fs;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const osm = require('node:os') as typeof os;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const p = require('node:path') as typeof path;
    const h = fsm.mkdtempSync(p.join(osm.tmpdir(), 'errand-wiring-'));
    return { home: h, cleanup: () => fsm.rmSync(h, { recursive: true, force: true }) };
  })();
  process.env.ERRAND_HOME = home;
  const calls: string[] = [];
  const prevented = () => ({ defaultPrevented: false, preventDefault() {
    this.defaultPrevented = true;
  } });

  class App extends Emitter {
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
  const app = new App();

  class WebContents extends Emitter {
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
  class BrowserWindow extends Emitter {
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
  class Tray extends Emitter {
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
  class Notification extends Emitter {
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
  const handlers = new Map<string, (...a: unknown[]) => unknown>();
  const electron = {
    app,
    BrowserWindow,
    Tray,
    Notification,
    Menu: { buildFromTemplate: (template: unknown) => ({ template }), setApplicationMenu: (m: unknown) => calls.push(`appMenu ${m === null ? 'none' : 'set'}`) },
    dialog: { showErrorBox: (t: string, m: string) => calls.push(`error ${t}: ${m}`), showMessageBox: async () => ({ response: 0 }) },
    globalShortcut: { register: (a: string) => (calls.push(`shortcut ${a}`), true), unregister: () => {}, unregisterAll: () => calls.push('unregisterAll') },
    ipcMain: { handle: (c: string, fn: (...a: unknown[]) => unknown) => handlers.set(c, fn), removeHandler: (c: string) => handlers.delete(c) },
    nativeImage: { createFromPath: (p: string) => ({ path: p, setTemplateImage: () => {} }) },
    nativeTheme: Object.assign(new Emitter(), { shouldUseDarkColorsForSystemIntegratedUI: true }),
    shell: { openExternal: async () => {} },
  };
  const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (...a: unknown[]) => calls.push(`log.error ${String(a[0])}`) };
  const log = { transports: { file: {}, console: {} }, errorHandler: { startCatching: () => {} }, scope: () => logger };
  return { electron, log, home, cleanup, calls, handlers, App, BrowserWindow, Tray, Notification };
});

vi.mock('electron', () => fake.electron);
vi.mock('electron-log/main', () => ({ default: fake.log }));

const { app, BrowserWindow, Tray, Notification } = fake.electron;
const trusted = { senderFrame: { url: pathToFileURL(path.join(process.cwd(), 'out', 'renderer', 'index.html')).href, parent: null } };
const call = (method: string, input: unknown) => fake.handlers.get('errand:call')!(trusted, method, input) as Promise<{ result?: unknown; error?: unknown }>;
const menuLabels = (): string[] => (Tray.last.menu?.template ?? []).map((i) => i.label ?? '---');

afterAll(() => fake.cleanup());

describe('the tray app, wired to fakes', () => {
  test('starts: name, data dir from ERRAND_HOME, host, IPC, tray, window, shortcuts', async () => {
    await import('../../../electron/main/index');
    await until(() => Tray.last && fake.calls.includes('shortcut CommandOrControl+Shift+N'), 15_000, 'the tray app to start');
    expect(app.getName()).toBe('Errand');
    expect(app.getPath('userData')).toBe(fake.home);
    expect(fs.existsSync(path.join(fake.home, 'errand.db'))).toBe(true);
    expect(fake.handlers.has('errand:call')).toBe(true);
    expect(Tray.last.tooltip).toBe('idle');
    expect(Tray.last.image.path).toBe(path.join(process.cwd(), 'build', 'icons', 'tray', 'idle-light.png'));
    expect(menuLabels()).toEqual(['idle', '---', 'New job…', 'Pause queue', 'Open Errand', '---', 'Quit']);
    // a manual start shows the window, loading the built renderer with the preload
    expect(BrowserWindow.all).toHaveLength(1);
    const win = BrowserWindow.all[0]!;
    expect(win.loaded).toBe(path.join(process.cwd(), 'out', 'renderer', 'index.html'));
    expect(win.options).toMatchObject({ webPreferences: { preload: path.join(process.cwd(), 'out', 'preload', 'index.cjs'), sandbox: true, contextIsolation: true } });
    await until(() => win.visible, 5000, 'the window to show');
    // Windows/Linux packaged get no app menu; a dev build gets Edit/View
    expect(fake.calls).toContain('appMenu set');
    // jobs find `errand` through the shim written into the data dir
    expect(fs.existsSync(path.join(fake.home, 'bin', 'errand'))).toBe(true);
  });

  test('errand:call works from the window; events reach it', async () => {
    const r = await call('status', {});
    expect(r).toMatchObject({ result: { line: 'idle' } });
    const refused = await (fake.handlers.get('errand:call')!({ senderFrame: { url: 'https://evil.example/', parent: null } }, 'status', {}) as Promise<unknown>);
    expect(refused).toMatchObject({ error: { code: 'unauthorized' } });
  });

  test('a job that fails: tray shows it, and a notification is raised once the window is out of sight', async () => {
    const win = BrowserWindow.all[0]!;
    // closing hides (tray app); the window stays alive
    const e = { defaultPrevented: false, preventDefault() {
      this.defaultPrevented = true;
    } };
    win.emit('close', e);
    expect(e.defaultPrevented).toBe(true);
    expect(win.visible).toBe(false);

    const added = (await call('add', { title: 'Deploy preview', command: { shell: 'exit 3' }, cwd: fake.home })) as { result: { id: number } };
    const id = added.result.id;
    await until(() => Notification.shown.length > 0, 15_000, 'a notification');
    expect(Notification.shown).toEqual([{ title: `#${id} Deploy preview`, body: 'Failed: exited with code 3' }]);
    await until(() => Tray.last.image.path.endsWith('failed-light.png'), 5000, 'the failed icon');
    expect(menuLabels()).toContain(`#${id} Deploy preview: exited with code 3`);
    expect(app.badge).toBe(1);
    expect(win.webContents.sent.some(([c, ev]) => c === 'errand:event' && (ev as { type: string }).type === 'job')).toBe(true);
  });

  test('a tray row opens its job in the window', async () => {
    const win = BrowserWindow.all[0]!;
    const row = Tray.last.menu!.template.find((i) => i.label?.startsWith('#1 '))!;
    row.click!();
    expect(win.visible).toBe(true);
    expect(win.webContents.sent).toContainEqual(['errand:shell', { type: 'open-job', id: 1 }]);
    // a second launch focuses the same window instead of making another
    win.hide();
    app.emit('second-instance');
    expect(win.visible).toBe(true);
    expect(BrowserWindow.all).toHaveLength(1);
  });

  test('Pause queue in the menu pauses, and the menu then offers Resume', async () => {
    Tray.last.menu!.template.find((i) => i.label === 'Pause queue')!.click!();
    await until(() => menuLabels().includes('Resume queue'), 5000, 'Resume queue');
    expect(await call('queue', {})).toMatchObject({ result: { paused: true } });
  });

  test('Quit closes the host (lock released), then the app quits', async () => {
    Tray.last.menu!.template.find((i) => i.label === 'Quit')!.click!();
    await until(() => (app as unknown as { quitted: boolean }).quitted, 15_000, 'the app to quit');
    expect(fs.existsSync(path.join(fake.home, 'host.lock'))).toBe(false);
    expect(Tray.last.isDestroyed()).toBe(true);
    expect(fake.calls).toContain('unregisterAll');
    expect(fake.calls.filter((c) => c.startsWith('log.error'))).toEqual([]);
  });
});
