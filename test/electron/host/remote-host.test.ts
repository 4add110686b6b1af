import { afterEach, expect, test } from 'vitest';
import type { HostEvent } from '../../../electron/contract/events';
import { type Host, startHost } from '../../../electron/host/host';
import { attachHost } from '../../../electron/host/remote-host';
import { tempHome, until } from '../../helpers/temp-home';

let host: Host | null = null;
let cleanup = (): void => {};
afterEach(async () => {
  await host?.close();
  cleanup();
});

test('a tray app that finds a host running attaches over the socket: calls, events, audit names, close only disconnects', async () => {
  const t = tempHome('errand-attach-');
  cleanup = t.cleanup;
  host = await startHost({ home: t.home });
  await expect(startHost({ home: t.home })).rejects.toMatchObject({ code: 'busy' });
  const remote = await attachHost(t.home);
  expect(remote.remote).toBe(true);
  const events: HostEvent[] = [];
  const stop = remote.listen((e) => events.push(e));
  await new Promise((r) => setTimeout(r, 50));
  const job = await remote.call('add', { command: { argv: ['true'] }, cwd: t.home }, { by: 'ui' });
  await until(() => events.some((e) => e.type === 'job' && e.job.id === job.id && e.job.status === 'succeeded'), 10_000, 'job event');
  await remote.call('pause', {}, { by: 'tray' });
  const detail = await host.call('get', { id: job.id });
  expect(detail.events[0]).toMatchObject({ type: 'created', by: 'ui' });
  stop();
  await remote.close();
  // the owning host is unaffected
  expect((await host.call('queue', {})).paused).toBe(true);
});
