import { afterEach, expect, test } from 'vitest';
import type { HostEvent } from '../../../electron/contract/events';
import { type Host, startHost } from '../../../electron/host/host';
import { attachHost } from '../../../electron/main/attached-host';
import { tempHome, until } from '../../helpers/temp-home';

let host: Host | null = null;
let cleanup = (): void => {};
afterEach(async () => {
  await host?.close();
  host = null;
  cleanup();
});

test('a tray app that finds a host running attaches over the socket: calls, events, audit name, close only disconnects', async () => {
  const t = tempHome('errand-attach-');
  cleanup = t.cleanup;
  host = await startHost({ home: t.home });
  await expect(startHost({ home: t.home })).rejects.toMatchObject({ code: 'busy' });
  const remote = await attachHost(t.home);
  expect(remote.remote).toBe(true);
  const events: HostEvent[] = [];
  const stop = remote.listen((e) => events.push(e));
  // subscribe and add go out on one ordered connection: the job's events are not missed
  const job = await remote.call('add', { command: { argv: ['true'] }, cwd: t.home });
  await until(() => events.some((e) => e.type === 'job' && e.job.id === job.id && e.job.status === 'succeeded'), 10_000, 'job event');
  await remote.call('pause', {});
  const detail = await host.call('get', { id: job.id });
  expect(detail.events[0]).toMatchObject({ type: 'created', by: 'tray' });
  stop();
  await remote.close();
  await remote.closed;
  // the owning host is unaffected
  expect((await host.call('queue', {})).paused).toBe(true);
});

test('no host yet: attaching fails with the socket error, and a later attempt connects (nothing cached)', async () => {
  const t = tempHome('errand-attach-');
  cleanup = t.cleanup;
  await expect(attachHost(t.home)).rejects.toMatchObject({ code: expect.stringMatching(/ENOENT|ECONNREFUSED/) });
  host = await startHost({ home: t.home });
  const remote = await attachHost(t.home);
  expect((await remote.call('status', {})).line).toBe('idle');
  // the owner going away ends the attachment
  await host.close();
  host = null;
  await remote.closed;
  await expect(remote.call('status', {})).rejects.toMatchObject({ message: /Lost the connection/ });
});
