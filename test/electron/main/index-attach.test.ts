// A data dir already owned by a live host that answers on its socket (say the CLI's
// `errand serve`): the tray app attaches to it instead of refusing, and quitting the
// app leaves that host and its jobs running.
import { afterAll, expect, test, vi } from 'vitest';
import { type Host, startHost } from '../../../electron/host/host';
import { until } from '../../helpers/temp-home';
import { fakeElectron, reply, windowSession } from './fake-electron';

vi.mock('electron', async () => (await import('./fake-electron')).fakeElectron().electron);
vi.mock('electron-log/main', async () => ({ default: (await import('./fake-electron')).fakeElectron().log }));
const fake = fakeElectron();
let other: Host | null = null;

afterAll(async () => {
  await other?.close();
  fake.cleanup();
});

test('attaches to the running host: tray shows its state, UI calls go through, quit leaves it running', async () => {
  other = await startHost({ home: fake.home });
  const job = await other.call('add', { command: { shell: 'sleep 30' }, cwd: fake.home });
  await until(async () => (await other!.call('get', { id: job.id })).job.status === 'running', 10_000, 'job running');
  await import('../../../electron/main/index');
  await until(() => fake.electron.Tray.last?.tooltip.startsWith('1 running'), 15_000, 'tray tooltip from the attached host');
  expect(fake.calls.some((c) => c.startsWith('error '))).toBe(false);
  // the window's frames are relayed to the other host's socket
  const ui = await windowSession();
  const r = (await reply(ui, 'status', {})) as { result?: { line: string } };
  expect(r.result?.line).toMatch(/^1 running/);
  const added = (await reply(ui, 'add', { command: { shell: 'true' }, cwd: fake.home, title: 'from the window' })) as { result: { id: number } };
  expect((await other.call('get', { id: added.result.id })).events[0]).toMatchObject({ type: 'created', by: 'ui' });
  fake.electron.app.quit();
  await until(() => fake.calls.some((c) => c.startsWith('exit') || c === 'quit') || fake.electron.app.quitted, 10_000, 'app to quit');
  expect(fake.dialogs.asked).toEqual([]); // no "jobs are running" prompt: they keep running
  expect((await other.call('get', { id: job.id })).job.status).toBe('running');
  await other.call('cancel', { ids: [job.id] });
});
