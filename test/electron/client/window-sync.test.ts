// A window's sync against a real host: the snapshot's first page is the urgent one and
// small; the rest pages in behind it; events and pages applied in arrival order leave
// the window with exactly the host's state.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connectSocket } from '../../../electron/client/node/socket';
import { socketConnector } from '../../../electron/client/node/socket';
import { Session } from '../../../electron/client/session';
import { type Snapshot, syncWindow } from '../../../electron/client/window-sync';
import type { Job } from '../../../electron/contract/job';
import { PAGE_DEFAULT } from '../../../electron/contract/limits';
import { type Host, startHost } from '../../../electron/host/host';
import { tempHome, until } from '../../helpers/temp-home';

let host: Host;
let home: string;
let cleanup: () => void;
const N = 4500;

beforeAll(async () => {
  ({ home, cleanup } = tempHome('errand-sync-'));
  host = await startHost({ home });
  const long = await host.call('addMany', { jobs: [1, 2].map(() => ({ command: { argv: ['sleep', '30'] }, cwd: home })) });
  await until(async () => (await host.call('status', {})).counts.running === 2, 10_000, 'two running');
  await host.call('pause', {});
  await host.call('addMany', { jobs: Array.from({ length: N }, (_, i) => ({ command: { argv: ['true'] }, cwd: home, title: `queued ${i}` })) });
  expect(long.ids).toHaveLength(2);
}, 60_000);
afterAll(async () => {
  await host.close();
  cleanup();
});

test('first page: small and most urgent (running first); later pages and events, applied in order, end equal to the host', async () => {
  const jobs = new Map<number, Job>();
  let first: Snapshot | null = null;
  let pages = 0;
  const session = new Session({ client: 'ui', connect: socketConnector(host.socketPath!), reconnect: {} });
  // another client changes jobs while the window pages in
  const other = await connectSocket(host.socketPath!, { client: 'cli' });
  const changes: Promise<unknown>[] = [];
  const stop = syncWindow(session, {
    onSync: (snap) => {
      first = snap;
      jobs.clear();
      for (const j of snap.jobs) jobs.set(j.id, j);
      const late = [...Array(20).keys()].map((k) => 2 + N - k * 100);
      changes.push(other.call('hold', { ids: late }), other.call('prioritise', { id: 3, priority: 9 }), other.call('remove', { ids: [4] }).catch(() => null));
    },
    onPage: (page) => {
      pages++;
      for (const j of page) jobs.set(j.id, j);
    },
    onEvent: (e) => {
      if (e.type === 'job') jobs.set(e.job.id, e.job);
      if (e.type === 'removed') for (const id of e.ids) jobs.delete(id);
    },
    onState: () => {},
  });
  try {
    await until(() => first && jobs.size >= N + 1 && pages >= 4, 20_000, 'every page');
    await Promise.all(changes);
    await new Promise((r) => setTimeout(r, 300)); // the changes' own events
    const snap = first!;
    expect(snap.jobs.length).toBeLessThanOrEqual(PAGE_DEFAULT);
    expect(snap.jobs.slice(0, 2).map((j) => j.status)).toEqual(['running', 'running']);
    expect(snap.cursor).not.toBeNull();
    const truth = (await host.call('list', {})).jobs;
    expect(jobs.size).toBe(truth.length);
    for (const j of truth) expect(jobs.get(j.id), `job ${j.id}`).toMatchObject({ status: j.status, priority: j.priority });
  } finally {
    stop();
    other.close();
  }
}, 60_000);
