// The tray app: Electron glue only. Every decision (menu, icon, notifications, sender
// check, quit prompt, paths) is a plain function in a sibling module with its own
// tests; this file wires them to Electron objects.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrowserWindow, Menu, Notification, Tray, app, dialog, globalShortcut, ipcMain, nativeImage, nativeTheme, shell } from 'electron';
import type { HostEvent } from '../contract/events';
import { type HostLike, startHost } from '../host/host';
import { attachHost } from './attached-host';
import { cliShim, writeShim } from './cli-shim';
import { type ShellCommand, SHELL_CHANNEL, registerIpc } from './ipc';
import { createLoginItem, startHidden } from './login-item';
import { quitPrompt, startupFailure } from './lifecycle';
import { type AppLogger, setupLogging } from './logging';
import { appMenuTemplate, trayTemplate } from './menus';
import { applyEvent, loadMirror, snapshotOf } from './mirror';
import { EventBatcher, type Note, coalesce, createNotifyMemory, mayNotify, notificationsFor } from './notifications';
import { appIconFile, iconsDir, resolveHome, sqliteBinding, trayIconFile } from './paths';
import { registerShortcuts } from './shortcuts';
import { throttle } from './throttle';
import { type TrayAction, type TrayState, badgeCount, macTitle, menuKey, relabelDelay, trayMenuModel, trayState } from './tray-model';
import { createWindow, preloadPath, rendererTarget, reveal, sendWhenLoaded } from './window';
import { type OpenLink, hostLink, socketRelay } from './window-link';

const platform = process.platform;
app.setName('Errand');
// ERRAND_HOME moves the whole app (store and Chromium profile) like it moves the CLI,
// and must be set before the single-instance lock, which is keyed on userData.
const home = resolveHome(process.env, app.getPath('userData'));
if (home !== app.getPath('userData')) app.setPath('userData', home);

/**
 * What quitting must undo, filled in as start-up goes: the host (its lock above all) and
 * the pieces to stop before it closes and after. The quit handling exists before any of
 * them, so a start-up that fails half-way still closes whatever it had started.
 */
interface Running {
  host: HostLike | null;
  quitting: boolean;
  beforeClose: (() => void)[];
  willQuit: (() => void)[];
}
const run: Running = { host: null, quitting: false, beforeClose: [], willQuit: [] };

if (!app.requestSingleInstanceLock()) {
  // A second launch: the first instance shows its window (second-instance below).
  app.quit();
} else {
  const { log, hostLog } = setupLogging(home, app.isPackaged);
  const closeHost = quitHandling(log);
  app
    .whenReady()
    .then(() => main(log, hostLog))
    .catch(async (e: unknown) => {
      const f = startupFailure(e);
      log.error(f.title, e);
      dialog.showErrorBox(f.title, f.message);
      await closeHost();
      app.exit(1);
    });
}

/** Registers the quit handling; returns the function that closes the host once. */
function quitHandling(log: AppLogger): () => Promise<void> {
  let closing: Promise<void> | null = null;
  let hostClosed = false;
  const each = (fns: (() => void)[]): void => {
    for (const fn of fns.splice(0)) {
      try {
        fn();
      } catch (e) {
        log.error('shutdown step failed', e);
      }
    }
  };
  const closeHost = (): Promise<void> =>
    (closing ??= (async () => {
      const host = run.host;
      each(run.beforeClose);
      if (host) await host.close().catch((err: unknown) => log.error('host did not close cleanly', err));
      hostClosed = true;
    })());
  app.on('before-quit', (e) => {
    run.quitting = true;
    if (!run.host || hostClosed) return;
    // Hold the quit until the host has stopped its jobs and closed the store.
    e.preventDefault();
    if (closing) return;
    void closeHost().finally(() => app.quit());
  });
  app.on('will-quit', () => each(run.willQuit));
  return closeHost;
}

async function main(log: AppLogger, hostLog: AppLogger): Promise<void> {
  const layout = { isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, appPath: app.getAppPath(), env: process.env };
  const icons = iconsDir(layout);
  const target = rendererTarget(layout);
  let window: BrowserWindow | null = null;

  if (platform === 'darwin') app.dock?.hide();
  Menu.setApplicationMenu(((t) => (t ? Menu.buildFromTemplate(t) : null))(appMenuTemplate(platform, app.isPackaged)));
  // Keep running with no window: Errand lives in the tray.
  app.on('window-all-closed', () => {});

  let binDir: string | undefined;
  try {
    const cliPath = path.join(app.getAppPath(), 'out', 'main', 'cli.js');
    binDir = writeShim(cliShim({ dir: path.join(home, 'bin'), platform, execPath: process.execPath, cliPath, binding: sqliteBinding(layout) }), fs);
  } catch (e) {
    log.warn('could not write the errand CLI shim; jobs will use the errand on PATH, if any', e);
  }

  let host: HostLike;
  let openLink: OpenLink;
  try {
    const own = await startHost({ home, nativeBinding: sqliteBinding(layout), logger: hostLog, binDir });
    run.host = host = own;
    openLink = hostLink(own, hostLog);
  } catch (e) {
    // A host the CLI started already owns the store: use it over its socket rather than refuse.
    const attached = (e as { code?: unknown }).code === 'busy' ? await attachHost(home).catch(() => null) : null;
    if (!attached) throw e;
    log.info(`attached to the Errand host already running for ${home}`);
    run.host = host = attached;
    openLink = socketRelay(attached.socketPath);
  }
  // `errand shutdown` from a terminal stops the host; the app follows.
  void host.closed.then(() => app.quit());

  // --- window -------------------------------------------------------------------------
  const ensureWindow = (): BrowserWindow => {
    if (window && !window.isDestroyed()) return window;
    window = createWindow({ BrowserWindow, shell, target, preload: preloadPath(app.getAppPath()), icon: appIconFile(icons), platform, isQuitting: () => run.quitting, log });
    window.on('closed', () => (window = null));
    return window;
  };
  const showWindow = (): BrowserWindow => {
    const fresh = !window || window.isDestroyed();
    const w = ensureWindow();
    // a new window shows at its first paint, not as a blank frame
    if (fresh) w.once('ready-to-show', () => reveal(w));
    else reveal(w);
    return w;
  };
  const shellCommand = (cmd: ShellCommand): void => sendWhenLoaded(showWindow(), SHELL_CHANNEL, cmd);

  // each window gets its own connection: the same frames as the socket, in order
  run.beforeClose.push(registerIpc(ipcMain, openLink, target, log));

  // --- state mirror ---------------------------------------------------------------------
  // Subscribe first and replay afterwards, so nothing that happens during the initial
  // reads is lost.
  const early: HostEvent[] = [];
  let onEvent = (e: HostEvent): void => void early.push(e);
  host.listen((e) => onEvent(e));
  const mirror = await loadMirror(host);

  // --- login item -------------------------------------------------------------------------
  const loginItem = createLoginItem({ app, platform, isPackaged: app.isPackaged, env: process.env, homedir: os.homedir(), exec: process.env.APPIMAGE ?? process.execPath, fs });
  // read once and after each toggle, not on every tray refresh
  let openAtLogin = loginItem.get();

  // --- tray -----------------------------------------------------------------------------
  const darkPanel = (): boolean => platform === 'linux' || nativeTheme.shouldUseDarkColorsForSystemIntegratedUI;
  const image = (state: TrayState): Electron.NativeImage => {
    const img = nativeImage.createFromPath(trayIconFile(icons, state, platform, darkPanel()));
    if (platform === 'darwin') img.setTemplateImage(true);
    return img;
  };
  let shownState: TrayState = trayState(mirror.status);
  const tray = new Tray(image(shownState));
  let shownKey = '';
  let relabelTimer: NodeJS.Timeout | null = null;

  const onAction = (a: TrayAction): void => {
    const fail = (what: string) => (e: unknown) => log.error(`tray: ${what} failed`, e);
    switch (a.type) {
      case 'open':
        showWindow();
        return;
      case 'open-job':
        shellCommand({ type: 'open-job', id: a.id });
        return;
      case 'new-job':
        shellCommand({ type: 'new-job' });
        return;
      case 'pause':
      case 'resume':
        host.call(a.type, {}, { by: 'tray' }).catch(fail(a.type));
        return;
      case 'toggle-login':
        try {
          loginItem.set(!openAtLogin);
        } catch (e) {
          fail('open at login')(e);
        }
        openAtLogin = loginItem.get();
        refresh();
        return;
      case 'quit':
        void confirmQuit();
        return;
    }
  };

  const refreshNow = (): void => {
    if (tray.isDestroyed()) return;
    const snap = snapshotOf(mirror);
    const state = trayState(snap.status);
    if (state !== shownState) tray.setImage(image((shownState = state)));
    tray.setToolTip(snap.status.line);
    if (platform === 'darwin') tray.setTitle(macTitle(snap.status), { fontType: 'monospacedDigit' });
    const now = Date.now();
    const model = trayMenuModel(snap, now, { openAtLogin });
    const key = menuKey(model);
    if (key !== shownKey) {
      tray.setContextMenu(Menu.buildFromTemplate(trayTemplate(model, onAction, platform)));
      shownKey = key;
    }
    app.setBadgeCount(badgeCount(snap));
    if (relabelTimer) clearTimeout(relabelTimer);
    const delay = relabelDelay(snap, now);
    relabelTimer = delay === null ? null : setTimeout(refreshNow, delay);
  };
  const refresh = throttle(refreshNow, 500);
  refreshNow();
  nativeTheme.on('updated', () => tray.setImage(image(shownState)));
  // Windows: a left click opens the window; the menu is on right click. macOS and
  // Linux show the menu on click.
  if (platform === 'win32') tray.on('click', () => showWindow());

  // --- notifications ----------------------------------------------------------------------
  const memory = createNotifyMemory(Date.now());
  const live = new Set<Notification>(); // Electron drops click handlers of collected notifications
  const raise = (note: Note): void => {
    const n = new Notification({ title: note.title, body: note.body, silent: note.kind === 'finished' && note.outcome === 'succeeded' });
    live.add(n);
    n.on('click', () => (note.open.type === 'open-job' ? shellCommand(note.open) : showWindow()));
    n.on('close', () => live.delete(n));
    n.show();
  };
  const batcher = new EventBatcher<HostEvent>(1000, (events) => {
    const notes = coalesce(notificationsFor(memory, events, mirror.jobs));
    // the window is in front of you: it already shows what happened
    if (!notes.length || !Notification.isSupported() || (window?.isVisible() && window.isFocused())) return;
    for (const note of notes) raise(note);
  });

  onEvent = (e) => {
    if (applyEvent(mirror, e)) refresh();
    if (mayNotify(e)) batcher.push(e);
  };
  for (const e of early.splice(0)) onEvent(e);

  // --- shortcuts, second launch, start-up window ----------------------------------------
  const shortcuts = registerShortcuts(globalShortcut, (a) => (a === 'open' ? showWindow() : shellCommand({ type: 'new-job' })), log, platform);
  app.on('second-instance', () => showWindow());
  if (!startHidden(process.argv, platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin)) showWindow();

  // --- quit -------------------------------------------------------------------------------
  async function confirmQuit(): Promise<void> {
    // attached to a CLI-started host, quitting leaves its jobs running: nothing to confirm
    const prompt = host.remote ? null : quitPrompt(mirror.status);
    if (prompt) {
      const { response } = await dialog.showMessageBox({ type: 'question', ...prompt });
      if (response !== 0) return;
    }
    app.quit();
  }

  run.beforeClose.push(() => {
    batcher.dispose();
    refresh.cancel();
    if (relabelTimer) clearTimeout(relabelTimer);
  });
  run.willQuit.push(() => {
    shortcuts.dispose();
    globalShortcut.unregisterAll();
    tray.destroy();
  });
  log.info(`Errand ready (${app.isPackaged ? 'packaged' : 'development'}), data in ${home}`);
}
