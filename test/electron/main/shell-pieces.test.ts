// Shortcuts, menus, paths, login item, quit prompt, CLI shim and throttle: the small
// decisions around the tray.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { cliShim, writeShim } from '../../../electron/main/cli-shim';
import { quitPrompt, startupFailure } from '../../../electron/main/lifecycle';
import { autostartFile, createLoginItem, desktopEntry, desktopExecArg, loginItemSupport, startHidden } from '../../../electron/main/login-item';
import { appMenuTemplate, menuText, trayTemplate } from '../../../electron/main/menus';
import { PACKAGED_BINDING, appLogFile, iconsDir, resolveHome, sqliteBinding, trayIconFile } from '../../../electron/main/paths';
import { GLOBAL_SHORTCUTS, displayAccelerator, registerShortcuts } from '../../../electron/main/shortcuts';
import { throttle } from '../../../electron/main/throttle';
import { trayMenuModel } from '../../../electron/main/tray-model';
import { ErrandError } from '../../../electron/contract/errors';
import { job, status } from './fixtures';

describe('shortcuts', () => {
  test('Ctrl/Cmd+Shift+E opens, Ctrl/Cmd+Shift+N starts a new job', () => {
    expect(GLOBAL_SHORTCUTS).toEqual([
      { accelerator: 'CommandOrControl+Shift+E', action: 'open' },
      { accelerator: 'CommandOrControl+Shift+N', action: 'new-job' },
    ]);
  });

  test('registers each and runs its action', () => {
    const handlers = new Map<string, () => void>();
    const gs = { register: vi.fn((a: string, fn: () => void) => (handlers.set(a, fn), true)), unregister: vi.fn() };
    const run = vi.fn();
    const r = registerShortcuts(gs, run, { warn: vi.fn() }, 'linux');
    expect(r.registered).toHaveLength(2);
    handlers.get('CommandOrControl+Shift+N')!();
    expect(run).toHaveBeenCalledWith('new-job');
    r.dispose();
    expect(gs.unregister).toHaveBeenCalledTimes(2);
  });

  test('a taken or invalid shortcut is logged and the rest still register', () => {
    const gs = {
      register: vi.fn((a: string) => {
        if (a.endsWith('E')) return false;
        throw new Error('bad accelerator');
      }),
      unregister: vi.fn(),
    };
    const log = { warn: vi.fn() };
    const r = registerShortcuts(gs, vi.fn(), log, 'linux');
    expect(r.failed).toEqual(['CommandOrControl+Shift+E', 'CommandOrControl+Shift+N']);
    expect(log.warn).toHaveBeenCalledWith('global shortcut Ctrl+Shift+E is taken by another app; use the tray menu instead');
    expect(log.warn).toHaveBeenCalledTimes(2);
    r.dispose();
    expect(gs.unregister).not.toHaveBeenCalled();
  });

  test('displayAccelerator reads per platform', () => {
    expect(displayAccelerator('CommandOrControl+Shift+E', 'darwin')).toBe('⌘⇧E');
    expect(displayAccelerator('CommandOrControl+Shift+E', 'win32')).toBe('Ctrl+Shift+E');
  });
});

describe('menus', () => {
  test('tray template mirrors the model; clicks run the action; accelerators are display-only', () => {
    const onAction = vi.fn();
    const model = trayMenuModel({ jobs: [job({ id: 3, status: 'running', title: 'R&D notes' })], approvals: [], status: status({ line: '1 running' }) }, 0, { openAtLogin: false });
    const t = trayTemplate(model, onAction, 'linux');
    expect(t[0]).toEqual({ label: '1 running', enabled: false });
    expect(t[1]).toEqual({ type: 'separator' });
    const row = t.find((i) => i.label?.startsWith('#3'))!;
    expect(row.label).toBe('#3 R&&D notes');
    row.click!(undefined as never, undefined as never, undefined as never);
    expect(onAction).toHaveBeenCalledWith({ type: 'open-job', id: 3 });
    expect(t.find((i) => i.label === 'New job…')).toMatchObject({ accelerator: 'CommandOrControl+Shift+N', registerAccelerator: false });
    expect(t.find((i) => i.label === 'Open at login')).toMatchObject({ type: 'checkbox', checked: false });
  });

  test('"&" is literal on macOS and escaped elsewhere', () => {
    expect(menuText('A & B', 'darwin')).toBe('A & B');
    expect(menuText('A & B', 'win32')).toBe('A && B');
  });

  test('app menu: Edit roles on macOS, none on packaged Windows/Linux, devtools only in development', () => {
    expect(appMenuTemplate('darwin', true)).toEqual([{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }]);
    expect(appMenuTemplate('linux', true)).toBeNull();
    expect(appMenuTemplate('win32', false)).toEqual([{ role: 'editMenu' }, { role: 'viewMenu' }]);
  });
});

describe('paths', () => {
  test('sqliteBinding: env first, then the packaged resource, else none', () => {
    expect(sqliteBinding({ isPackaged: false, resourcesPath: '/r', env: { ERRAND_SQLITE_BINDING: '/cache/x.node' } })).toBe(path.resolve('/cache/x.node'));
    expect(sqliteBinding({ isPackaged: true, resourcesPath: '/r', env: {} })).toBe(path.join('/r', PACKAGED_BINDING));
    expect(sqliteBinding({ isPackaged: false, resourcesPath: '/r', env: {} })).toBeUndefined();
  });
  test('resolveHome: ERRAND_HOME like the CLI, else userData', () => {
    expect(resolveHome({ ERRAND_HOME: '/data/e' }, '/u')).toBe(path.resolve('/data/e'));
    expect(resolveHome({}, '/u')).toBe('/u');
  });
  test('the app log is not inside logs/ (job logs live there)', () => {
    expect(path.dirname(appLogFile('/h'))).toBe('/h');
  });
  test('icons: build/icons in development, resources/icons packaged; variant by platform and panel', () => {
    expect(iconsDir({ isPackaged: false, resourcesPath: '/r', appPath: '/repo' })).toBe(path.join('/repo', 'build', 'icons'));
    expect(iconsDir({ isPackaged: true, resourcesPath: '/r', appPath: '/r/app.asar' })).toBe(path.join('/r', 'icons'));
    expect(trayIconFile('/i', 'needs-you', 'darwin', true)).toBe(path.join('/i', 'tray', 'needs-youTemplate.png'));
    expect(trayIconFile('/i', 'failed', 'linux', true)).toBe(path.join('/i', 'tray', 'failed-light.png'));
    expect(trayIconFile('/i', 'idle', 'win32', false)).toBe(path.join('/i', 'tray', 'idle-dark.png'));
  });
  test('every tray icon the shell can ask for exists in build/icons, with its @2x', () => {
    const dir = path.resolve('build/icons');
    for (const state of ['idle', 'working', 'needs-you', 'failed'] as const) {
      for (const [platform, dark] of [['darwin', true], ['linux', true], ['win32', false]] as const) {
        const f = trayIconFile(dir, state, platform, dark);
        expect(fs.existsSync(f), f).toBe(true);
        expect(fs.existsSync(f.replace(/\.png$/, '@2x.png')), f).toBe(true);
      }
    }
  });
});

describe('login item', () => {
  test('offered only in a packaged app', () => {
    expect(loginItemSupport('linux', false)).toBeNull();
    expect(loginItemSupport('darwin', true)).toBe('os');
    expect(loginItemSupport('win32', true)).toBe('os');
    expect(loginItemSupport('linux', true)).toBe('xdg');
  });

  test('desktop entry quotes the path and starts hidden', () => {
    expect(desktopExecArg('/opt/Errand/errand')).toBe('/opt/Errand/errand');
    expect(desktopExecArg('/home/a b/Errand "x" $HOME 100%.AppImage')).toBe('"/home/a b/Errand \\"x\\" \\$HOME 100%%.AppImage"');
    expect(desktopEntry('/opt/Errand/errand')).toContain('Exec=/opt/Errand/errand --hidden\n');
    expect(autostartFile({ XDG_CONFIG_HOME: '/cfg' }, '/home/u')).toBe(path.join('/cfg', 'autostart', 'errand.desktop'));
    expect(autostartFile({}, '/home/u')).toBe(path.join('/home/u', '.config', 'autostart', 'errand.desktop'));
  });

  test('startHidden: at login only', () => {
    expect(startHidden(['errand'], false)).toBe(false);
    expect(startHidden(['errand', '--hidden'], false)).toBe(true);
    expect(startHidden([], true)).toBe(true);
  });

  test('Linux: off by default, toggling writes and removes the autostart file', () => {
    const cfg = fs.mkdtempSync(path.join(os.tmpdir(), 'errand-autostart-'));
    try {
      const item = createLoginItem({ app: {} as never, platform: 'linux', isPackaged: true, env: { XDG_CONFIG_HOME: cfg }, homedir: '/nowhere', exec: '/opt/Errand/errand', fs });
      expect(item.get()).toBe(false);
      item.set(true);
      expect(item.get()).toBe(true);
      expect(fs.readFileSync(path.join(cfg, 'autostart', 'errand.desktop'), 'utf8')).toContain('Exec=/opt/Errand/errand --hidden');
      item.set(false);
      expect(item.get()).toBe(false);
    } finally {
      fs.rmSync(cfg, { recursive: true, force: true });
    }
  });

  test('macOS/Windows: the OS setting, with --hidden; development: not offered', () => {
    const app = { getLoginItemSettings: vi.fn(() => ({ openAtLogin: false })), setLoginItemSettings: vi.fn() };
    const item = createLoginItem({ app: app as never, platform: 'win32', isPackaged: true, env: {}, homedir: '/h', exec: 'x', fs });
    expect(item.get()).toBe(false);
    item.set(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, openAsHidden: true, args: ['--hidden'] });
    const dev = createLoginItem({ app: app as never, platform: 'win32', isPackaged: false, env: {}, homedir: '/h', exec: 'x', fs });
    expect(dev.get()).toBeNull();
  });
});

describe('quit and start-up failures', () => {
  test('no prompt when nothing would be interrupted', () => {
    expect(quitPrompt(status({ counts: { queued: 5, succeeded: 3 } }))).toBeNull();
  });
  test('a prompt naming what stops, Cancel as the default', () => {
    const p = quitPrompt(status({ counts: { running: 2, waiting: 1 } }))!;
    expect(p.message).toBe('Quit Errand and stop 3 jobs?');
    expect(p.detail).toMatch(/^2 running, 1 waiting for you\. Quitting stops them/);
    expect(p.buttons).toEqual(['Quit', 'Cancel']);
    expect(p.defaultId).toBe(1);
    expect(`${p.message}${p.detail}`).not.toContain('!');
    expect(quitPrompt(status({ counts: { running: 1 } }))!.message).toBe('Quit Errand and stop 1 job?');
  });
  test('a Node-ABI binding under Electron gets advice to use npm start', () => {
    const f = startupFailure(new Error('The module better_sqlite3.node was compiled against a different Node.js version using NODE_MODULE_VERSION 115.'));
    expect(f.title).toBe('Errand could not open its database');
    expect(f.message).toContain('npm start');
  });
  test('a busy data dir says who owns it', () => {
    const f = startupFailure(new ErrandError('busy', 'Another Errand host (pid 42) already owns /h. Use it (errand status), or stop it with errand shutdown.'));
    expect(f.title).toBe('Another Errand host owns this data');
    expect(f.message).toContain('errand shutdown');
  });
  test('anything else is passed on', () => {
    expect(startupFailure(new Error('disk full'))).toEqual({ title: 'Errand could not start', message: 'disk full' });
  });
});

describe('cli shim', () => {
  test('POSIX: runs the bundled CLI with Electron as Node, quoting paths', () => {
    const s = cliShim({ dir: '/h/bin', platform: 'linux', execPath: "/opt/it's/errand", cliPath: '/opt/app.asar/out/main/cli.js' });
    expect(s.file).toBe(path.join('/h/bin', 'errand'));
    expect(s.mode).toBe(0o755);
    expect(s.content).toContain(`ELECTRON_RUN_AS_NODE=1 exec '/opt/it'\\''s/errand' '/opt/app.asar/out/main/cli.js' "$@"`);
  });
  test('Windows: a .cmd with its own environment scope', () => {
    const s = cliShim({ dir: 'C:\\h\\bin', platform: 'win32', execPath: 'C:\\Errand\\Errand.exe', cliPath: 'C:\\app.asar\\out\\main\\cli.js' });
    expect(s.file.endsWith('errand.cmd')).toBe(true);
    expect(s.content).toBe('@echo off\r\nsetlocal\r\nset ELECTRON_RUN_AS_NODE=1\r\n"C:\\Errand\\Errand.exe" "C:\\app.asar\\out\\main\\cli.js" %*\r\n');
  });
  test('passes the Electron binding on, so a host the CLI starts can open the store', () => {
    const posix = cliShim({ dir: '/h/bin', platform: 'darwin', execPath: '/E', cliPath: '/c.js', binding: '/R/native/better_sqlite3.node' });
    expect(posix.content).toContain(`ELECTRON_RUN_AS_NODE=1 ERRAND_SQLITE_BINDING='/R/native/better_sqlite3.node' exec '/E' '/c.js' "$@"`);
    const win = cliShim({ dir: 'C:\\h', platform: 'win32', execPath: 'E.exe', cliPath: 'c.js', binding: 'C:\\R\\b.node' });
    expect(win.content).toContain('set "ERRAND_SQLITE_BINDING=C:\\R\\b.node"\r\n"E.exe"');
    expect(cliShim({ dir: '/h', platform: 'linux', execPath: '/E', cliPath: '/c.js' }).content).not.toContain('ERRAND_SQLITE_BINDING');
  });
  test('written once, executable, and actually runs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'errand-shim-'));
    try {
      const script = path.join(dir, 'echo.cjs');
      fs.writeFileSync(script, 'process.stdout.write(JSON.stringify({ args: process.argv.slice(2), asNode: process.env.ELECTRON_RUN_AS_NODE, binding: process.env.ERRAND_SQLITE_BINDING }))');
      // process.execPath (node) stands in for the Electron binary
      const shim = cliShim({ dir: path.join(dir, 'bin'), platform: process.platform, execPath: process.execPath, cliPath: script, binding: "/x/it's.node" });
      const spy = { ...fs, writeFileSync: vi.fn(fs.writeFileSync) };
      expect(writeShim(shim, spy as never)).toBe(path.join(dir, 'bin'));
      writeShim(shim, spy as never);
      expect(spy.writeFileSync).toHaveBeenCalledTimes(1);
      if (process.platform !== 'win32') {
        const out = JSON.parse(execFileSync(shim.file, ['progress', '3/10', 'two words'], { encoding: 'utf8' }));
        expect(out).toEqual({ args: ['progress', '3/10', 'two words'], asNode: '1', binding: "/x/it's.node" });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('throttle', () => {
  afterEach(() => vi.useRealTimers());
  test('runs at once, then collapses a burst into one trailing call', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const t = throttle(fn, 500);
    t();
    expect(fn).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 20; i++) {
      t();
      vi.advanceTimersByTime(10);
    }
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(500);
    expect(fn).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(5000);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(vi.getTimerCount()).toBe(0);
  });
  test('cancel drops the trailing call', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const t = throttle(fn, 500);
    t();
    t();
    t.cancel();
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
