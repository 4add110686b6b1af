// A start-up that fails after the host is up (here: no tray can be made) must not leave
// the data dir locked: one error dialog, the host closed, exit 1.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import { startHost } from '../../../electron/host/host';
import { until } from '../../helpers/temp-home';
import { fakeElectron } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron().electron);
vi.mock('electron-log/main', async () => ({ default: (await import('./fake-electron')).fakeElectron().log }));
const fake = fakeElectron();

afterAll(() => fake.cleanup());

test('a failure after the host started: error dialog, host closed (lock released), exit 1', async () => {
  fake.electron.Tray.failNext = new Error('no system tray on this desktop');
  await import('../../../electron/main/index');
  await until(() => fake.calls.includes('exit 1'), 15_000, 'the app to give up');
  expect(fake.calls.find((c) => c.startsWith('error '))).toMatch(/Errand could not start: no system tray on this desktop/);
  expect(fs.existsSync(path.join(fake.home, 'host.lock'))).toBe(false);
  // nothing holds the store: another host takes it at once
  const next = await startHost({ home: fake.home, socket: false });
  await next.close();
});
