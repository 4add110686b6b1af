// A data dir already owned by another host (say `errand serve`): one clear dialog and
// exit code 1, no half-started tray.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test, vi } from 'vitest';
import { until } from '../../helpers/temp-home';
import { fakeElectron } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron().electron);
vi.mock('electron-log/main', async () => ({ default: (await import('./fake-electron')).fakeElectron().log }));
const fake = fakeElectron();
let other: ChildProcess | null = null;

afterAll(() => {
  other?.kill();
  fake.cleanup();
});

test('another live host holds the lock: error dialog naming the way out, exit 1', async () => {
  // a live process that is not us stands in for the other host
  other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  fs.writeFileSync(path.join(fake.home, 'host.lock'), String(other.pid));
  await import('../../../electron/main/index');
  await until(() => fake.calls.includes('exit 1'), 15_000, 'the app to give up');
  const error = fake.calls.find((c) => c.startsWith('error '))!;
  expect(error).toContain('Another Errand host owns this data');
  expect(error).toContain(`pid ${other.pid}`);
  expect(error).toContain('errand shutdown');
  expect(fake.electron.Tray.last).toBeUndefined();
});
