import { describe, expect, test } from 'vitest';
import { buildList, groupOf, parseFilter } from '../../renderer/src/state/derive';
import { createAppStore } from '../../renderer/src/state/store';
import { approval, job, snapshot, status } from './fixtures';

describe('store: snapshot + live events', () => {
  test('a snapshot replaces everything; the selection survives only if its job does', () => {
    const store = createAppStore();
    const a = job({ id: 1 });
    const b = job({ id: 2, status: 'waiting' });
    store.getState().sync(snapshot([a, b], [approval({ jobId: 2 })]));
    store.getState().select(2);
    let s = store.getState();
    expect(s.synced).toBe(true);
    expect([...s.jobs.keys()]).toEqual([1, 2]);
    expect(s.approvals.get(2)?.question).toBe('Deploy to prod?');
    expect(s.queue).toEqual({ paused: false, concurrency: 2, running: 1 });
    store.getState().sync(snapshot([a]));
    s = store.getState();
    expect([...s.jobs.keys()]).toEqual([1]);
    expect(s.approvals.size).toBe(0);
    expect(s.selectedId).toBeNull();
  });

  test('a job event updates in place; order moves only when grouping fields change', () => {
    const store = createAppStore();
    const a = job({ id: 1, status: 'running', startedAt: 5 });
    store.getState().sync(snapshot([a]));
    const v0 = store.getState().version;
    const o0 = store.getState().orderVersion;
    store.getState().applyEvents([{ type: 'job', job: { ...a, progress: { done: 3, total: 10, unit: 'files', label: null } } }]);
    expect(store.getState().version).toBe(v0 + 1);
    expect(store.getState().orderVersion).toBe(o0);
    expect(store.getState().jobs.get(1)?.progress?.done).toBe(3);
    store.getState().applyEvents([{ type: 'job', job: { ...a, status: 'succeeded', finishedAt: 9, unread: true } }]);
    expect(store.getState().orderVersion).toBe(o0 + 1);
    store.getState().applyEvents([{ type: 'job', job: job({ id: 7 }) }]);
    expect(store.getState().jobs.has(7)).toBe(true);
    expect(store.getState().orderVersion).toBe(o0 + 2);
  });

  test('removed drops jobs, their approvals and the selection', () => {
    const store = createAppStore();
    store.getState().sync(snapshot([job({ id: 1 }), job({ id: 2, status: 'waiting' })], [approval({ jobId: 2 })]));
    store.getState().select(2);
    store.getState().applyEvents([{ type: 'removed', ids: [2] }]);
    const s = store.getState();
    expect(s.jobs.has(2)).toBe(false);
    expect(s.approvals.has(2)).toBe(false);
    expect(s.selectedId).toBeNull();
  });

  test('approval events open and close questions; a job leaving waiting closes its question', () => {
    const store = createAppStore();
    const j = job({ id: 3, status: 'running' });
    store.getState().sync(snapshot([j]));
    const a = approval({ jobId: 3, id: 30 });
    store.getState().applyEvents([{ type: 'approval', approval: a }, { type: 'job', job: { ...j, status: 'waiting' } }]);
    expect(store.getState().approvals.get(3)?.id).toBe(30);
    store.getState().applyEvents([{ type: 'approval', approval: { ...a, decision: 'approved', decidedAt: 1, decidedBy: 'ui' } }]);
    expect(store.getState().approvals.has(3)).toBe(false);
    store.getState().applyEvents([{ type: 'approval', approval: { ...a, id: 31 } }]);
    store.getState().applyEvents([{ type: 'job', job: { ...j, status: 'failed' } }]);
    expect(store.getState().approvals.has(3)).toBe(false);
  });

  test('queue and status events', () => {
    const store = createAppStore();
    store.getState().sync(snapshot([]));
    store.getState().applyEvents([{ type: 'queue', queue: { paused: true, concurrency: 3, running: 0 } }]);
    expect(store.getState().queue).toEqual({ paused: true, concurrency: 3, running: 0 });
    expect(store.getState().status?.queue.paused).toBe(true);
    store.getState().applyEvents([{ type: 'status', status: status({ line: 'paused · 2 queued' }) }]);
    expect(store.getState().status?.line).toBe('paused · 2 queued');
  });
});

describe('list model', () => {
  const jobs = [
    job({ id: 1, status: 'succeeded', finishedAt: 100 }),
    job({ id: 2, status: 'failed', finishedAt: 200, unread: true }),
    job({ id: 3, status: 'failed', finishedAt: 150, unread: false }),
    job({ id: 4, status: 'running', startedAt: 50 }),
    job({ id: 5, status: 'queued', priority: 0 }),
    job({ id: 6, status: 'queued', priority: 5, labels: ['work'] }),
    job({ id: 7, status: 'held' }),
    job({ id: 8, status: 'waiting', title: 'Write 3 files', labels: ['home'] }),
    job({ id: 9, status: 'succeeded', finishedAt: 300, title: 'Deploy docs' }),
  ];
  const map = new Map(jobs.map((j) => [j.id, j]));

  test('groups like an inbox: needs you, running, queued (scheduler order), done (newest first)', () => {
    const m = buildList(map, new Map(), 'all', { text: '', label: null });
    expect(m.rows.filter((r) => r.kind === 'header').map((r) => (r.kind === 'header' ? `${r.title}:${r.count}` : ''))).toEqual(['Needs you:2', 'Running:1', 'Queued:3', 'Done:3']);
    expect(m.ids).toEqual([8, 2, 4, 6, 5, 7, 9, 3, 1]);
    expect(m.counts).toMatchObject({ needs: 2, running: 1, queued: 3, done: 3, failed: 2, approvals: 1, all: 9 });
    expect(m.labels).toEqual(['home', 'work']);
    expect(m.indexOf.get(8)).toBe(1);
  });

  test('unread failures need you; once read they are done (from the host\'s job.attention)', () => {
    expect(groupOf(job({ status: 'failed', unread: true }))).toBe('needs');
    expect(groupOf(job({ status: 'failed', unread: false }))).toBe('done');
    expect(groupOf(job({ status: 'interrupted', unread: true }))).toBe('needs');
    expect(groupOf(job({ status: 'cancelled', unread: true }))).toBe('done');
    expect(groupOf(job({ status: 'succeeded', unread: true, resultSummary: { type: 'report', summary: 'r' } }))).toBe('done');
  });

  test('the group follows job.attention, not a re-derivation from status and unread', () => {
    // the host is the one judge: whatever it says about a job is what the window shows
    const odd = new Map([[1, job({ id: 1, status: 'failed', unread: true, attention: null, finishedAt: 5 })], [2, job({ id: 2, status: 'succeeded', unread: false, attention: 'needs-you', finishedAt: 6 })]]);
    const m = buildList(odd, new Map(), 'all', { text: '', label: null });
    expect(m.counts).toMatchObject({ needs: 1, done: 1 });
    expect(m.rows.filter((r) => r.kind === 'job' && r.group === 'needs').map((r) => (r.kind === 'job' ? r.id : 0))).toEqual([2]);
  });

  test('filters by text, label, status and id; views narrow to one group', () => {
    expect(buildList(map, new Map(), 'all', { text: 'deploy', label: null }).ids).toEqual([9]);
    expect(buildList(map, new Map(), 'all', { text: '', label: 'work' }).ids).toEqual([6]);
    expect(buildList(map, new Map(), 'all', { text: 'is:failed', label: null }).ids).toEqual([2, 3]);
    expect(buildList(map, new Map(), 'all', { text: '#4', label: null }).ids).toEqual([4]);
    expect(buildList(map, new Map(), 'all', { text: 'label:home files', label: null }).ids).toEqual([8]);
    const queued = buildList(map, new Map(), 'queued', { text: '', label: null });
    expect(queued.ids).toEqual([6, 5, 7]);
    expect(queued.rows.every((r) => r.kind === 'job')).toBe(true);
    expect(buildList(map, new Map(), 'failed', { text: '', label: null }).ids).toEqual([2, 3]);
    expect(buildList(map, new Map(), 'approvals', { text: '', label: null }).ids).toEqual([8]);
  });

  test('parseFilter', () => {
    expect(parseFilter(' Deploy  is:failed label:Work #12 status:nonsense ')).toEqual({ words: ['deploy', 'status:nonsense'], statuses: ['failed'], labels: ['work'], ids: [12] });
  });

  test('100k jobs build in well under a frame budget per pass', () => {
    const big = new Map<number, ReturnType<typeof job>>();
    for (let i = 1; i <= 100_000; i++) big.set(i, job({ id: i, status: i % 10 === 0 ? 'queued' : 'succeeded', finishedAt: i, labels: i % 3 ? ['a'] : [] }));
    const t0 = performance.now();
    const m = buildList(big, new Map(), 'all', { text: '', label: null });
    const ms = performance.now() - t0;
    expect(m.ids.length).toBe(100_000);
    expect(ms).toBeLessThan(1500);
  });
});
