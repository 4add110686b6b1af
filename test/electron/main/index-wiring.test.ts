// electron/main/index.ts end to end against a fake `electron` module and a real host on
// a temporary data dir: what Electron would be asked to do, without an Electron binary.
// The real-Electron counterpart is test/electron-app/smoke.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import type { Session } from '../../../electron/client/session';
import type { HostEvent } from '../../../electron/contract/events';
import { until } from '../../helpers/temp-home';
import { fakeElectron, reply, windowSession } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron().electron);
vi.mock('electron-log/main', async () => ({ default: (await import('./fake-electron')).fakeElectron().log }));
const fake = fakeElectron();

const { app, BrowserWindow, Tray, Notification } = fake.electron;
let ui: Session | null = null;
const uiEvents: HostEvent[] = [];
/** A call from the window, through main's IPC frames, as {result} or {error}. */
const call = async (method: string, input: unknown) => {
  if (!ui) {
    ui = await windowSession();
    ui.subscribe((e) => uiEvents.push(e));
  }
  return reply(ui, method, input);
};
const menuLabels = (): string[] => (Tray.last.menu?.template ?? []).map((i) => i.label ?? '---');

afterAll(() => fake.cleanup());

describe('the tray app, wired to fakes', () => {
  test('starts: name, data dir from ERRAND_HOME, host, IPC, tray, window, shortcuts', async () => {
    await import('../../../electron/main/index');
    await until(() => Tray.last && fake.calls.includes('shortcut CommandOrControl+Shift+N'), 15_000, 'the tray app to start');
    expect(app.getName()).toBe('Errand');
    expect(app.getPath('userData')).toBe(fake.home);
    expect(fs.existsSync(path.join(fake.home, 'errand.db'))).toBe(true);
    expect([...fake.handlers.keys()].sort()).toEqual(['errand:close', 'errand:frame', 'errand:open']);
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

  test('the window talks to the host in frames over IPC; another page is refused', async () => {
    const r = await call('status', {});
    expect(r).toMatchObject({ result: { line: 'idle' } });
    await expect(windowSession('https://evil.example/')).rejects.toThrow(/may not call Errand/);
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
    // the window's own subscription carried the job's events
    expect(uiEvents.some((e) => e.type === 'job' && e.job.id === id && e.job.status === 'failed')).toBe(true);
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
