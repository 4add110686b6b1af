// `errand shutdown` stops the host the tray app embeds; the app follows it out.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import { until } from '../../helpers/temp-home';
import { fakeElectron, reply, windowSession } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron().electron);
vi.mock('electron-log/main', async () => ({ default: (await import('./fake-electron')).fakeElectron().log }));
const fake = fakeElectron();
const { app, Tray } = fake.electron;

afterAll(() => fake.cleanup());

test('the shutdown method quits the app without asking', async () => {
  await import('../../../electron/main/index');
  await until(() => fake.handlers.has('errand:frame') && Tray.last?.menu, 15_000, 'the tray app to start');
  expect(await reply(await windowSession(), 'shutdown', {})).toEqual({ result: { ok: true } });
  await until(() => (app as unknown as { quitted: boolean }).quitted, 15_000, 'the app to quit');
  expect(fake.dialogs.asked).toEqual([]);
  expect(fs.existsSync(path.join(fake.home, 'host.lock'))).toBe(false);
  expect(Tray.last.isDestroyed()).toBe(true);
});
