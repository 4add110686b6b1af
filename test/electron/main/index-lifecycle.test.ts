// Quitting with work in flight: the shell asks first, Cancel keeps everything running,
// Quit stops the host, which records the running job as interrupted.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, test, vi } from 'vitest';
import { until } from '../../helpers/temp-home';
import type { Session } from '../../../electron/client/session';
import { fakeElectron, reply, windowSession } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron().electron);
vi.mock('electron-log/main', async () => ({ default: (await import('./fake-electron')).fakeElectron().log }));
const fake = fakeElectron();
const { app, Tray } = fake.electron;
let ui: Session | null = null;
const call = async (method: string, input: unknown) => reply((ui ??= await windowSession()), method, input);
const clickQuit = (): void => Tray.last.menu!.template.find((i) => i.label === 'Quit')!.click!();

afterAll(() => fake.cleanup());

test('Quit with a running job asks first; Cancel keeps it, Quit interrupts it and releases the store', async () => {
  await import('../../../electron/main/index');
  await until(() => fake.handlers.has('errand:frame') && Tray.last?.menu, 15_000, 'the tray app to start');
  const added = (await call('add', { title: 'long', command: { argv: ['sleep', '30'] }, cwd: fake.home })) as { result: { id: number } };
  await until(() => Tray.last.tooltip.startsWith('1 running'), 10_000, 'the job to run');

  fake.dialogs.response = 1; // Cancel
  clickQuit();
  await until(() => fake.dialogs.asked.length === 1, 5000, 'the quit prompt');
  expect(fake.dialogs.asked[0]).toEqual({ message: 'Quit Errand and stop 1 job?', buttons: ['Quit', 'Cancel'] });
  await new Promise((r) => setTimeout(r, 100));
  expect((app as unknown as { quitted: boolean }).quitted).toBe(false);
  expect(await call('get', { id: added.result.id })).toMatchObject({ result: { job: { status: 'running' } } });

  fake.dialogs.response = 0; // Quit
  clickQuit();
  await until(() => (app as unknown as { quitted: boolean }).quitted, 20_000, 'the app to quit');
  expect(fs.existsSync(path.join(fake.home, 'host.lock'))).toBe(false);
  const db = new Database(path.join(fake.home, 'errand.db'), { readonly: true });
  try {
    expect(db.prepare('SELECT status FROM jobs WHERE id = ?').get(added.result.id)).toEqual({ status: 'interrupted' });
  } finally {
    db.close();
  }
});
