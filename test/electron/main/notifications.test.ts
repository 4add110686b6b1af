import { afterEach, describe, expect, test, vi } from 'vitest';
import type { HostEvent } from '../../../electron/contract/events';
import { EventBatcher, type Note, coalesce, createNotifyMemory, mayNotify, notificationsFor } from '../../../electron/main/notifications';
import { approval, job } from './fixtures';

const START = 1_000_000;
const finished = (id: number, status: 'succeeded' | 'failed' | 'interrupted' | 'cancelled', over = {}): HostEvent => ({
  type: 'job',
  // the host sends a just-finished job unread
  job: job({ id, title: `Job ${id}`, status, unread: true, finishedAt: START + id, activity: status === 'succeeded' ? 'done in 2m 14s: 3 files changed' : 'x', error: status === 'failed' ? 'exited with code 3' : null, ...over }),
});

describe('notificationsFor', () => {
  test('a success: title names the job, body reuses the activity wording', () => {
    const notes = notificationsFor(createNotifyMemory(START), [finished(12, 'succeeded')]);
    expect(notes).toEqual([
      { key: 'job:12:1', title: '#12 Job 12', body: 'Done in 2m 14s: 3 files changed', open: { type: 'open-job', id: 12 }, kind: 'finished', outcome: 'succeeded', attention: null },
    ]);
  });

  test('"needs you" and "result ready" are the host\'s job.attention, not re-derived here', () => {
    const report = { resultSummary: { type: 'report' as const, summary: 'r' } };
    const notes = notificationsFor(createNotifyMemory(START), [
      finished(1, 'succeeded', report),
      finished(2, 'succeeded', { resultSummary: { type: 'none', summary: 'x' } }),
      finished(3, 'failed'),
      finished(4, 'interrupted'),
      { type: 'approval', approval: approval({ id: 9, jobId: 5, requestedAt: START }) },
      // whatever the host says wins, e.g. a job read before its note went out
      finished(6, 'failed', { attention: null }),
    ]);
    expect(notes.map((n) => [n.open.type === 'open-job' ? n.open.id : 0, n.attention])).toEqual([
      [1, 'unread-result'],
      [2, null],
      [3, 'needs-you'],
      [4, 'needs-you'],
      [5, 'needs-you'],
      [6, null],
    ]);
  });

  test('a failure says why', () => {
    const [n] = notificationsFor(createNotifyMemory(START), [finished(3, 'failed')]);
    expect(n).toMatchObject({ body: 'Failed: exited with code 3', outcome: 'failed' });
  });

  test('an interrupted job counts as failed', () => {
    const [n] = notificationsFor(createNotifyMemory(START), [finished(3, 'interrupted', { error: 'interrupted: the host stopped while it ran' })]);
    expect(n).toMatchObject({ body: 'Interrupted: the host stopped while it ran', outcome: 'failed' });
  });

  test('one per attempt: repeats (e.g. markRead re-sends the job) stay silent, a retry speaks again', () => {
    const mem = createNotifyMemory(START);
    expect(notificationsFor(mem, [finished(5, 'failed')])).toHaveLength(1);
    expect(notificationsFor(mem, [finished(5, 'failed', { unread: false })])).toHaveLength(0);
    expect(notificationsFor(mem, [finished(5, 'succeeded', { attempt: 2, finishedAt: START + 99 })])).toHaveLength(1);
  });

  test('cancelled jobs, running jobs and anything finished before start are not announced', () => {
    const mem = createNotifyMemory(START);
    const events: HostEvent[] = [
      finished(1, 'cancelled'),
      { type: 'job', job: job({ id: 2, status: 'running' }) },
      finished(3, 'succeeded', { finishedAt: START - 1 }),
    ];
    expect(notificationsFor(mem, events)).toEqual([]);
  });

  test('a new approval asks, with the question; an old or decided one does not', () => {
    const mem = createNotifyMemory(START);
    const jobs = new Map([[41, job({ id: 41, title: 'Tidy notes' })]]);
    const notes = notificationsFor(mem, [{ type: 'approval', approval: approval({ id: 7, jobId: 41, requestedAt: START + 5, question: 'Write 3 files?' }) }], jobs);
    expect(notes).toEqual([{ key: 'approval:7', title: '#41 Tidy notes', body: 'Waiting for approval: Write 3 files?', open: { type: 'open-job', id: 41 }, kind: 'approval', attention: 'needs-you' }]);
    expect(notificationsFor(mem, [{ type: 'approval', approval: approval({ id: 7, jobId: 41, requestedAt: START + 5 }) }])).toEqual([]);
    expect(notificationsFor(mem, [{ type: 'approval', approval: approval({ id: 8, jobId: 41, requestedAt: START - 5 }) }])).toEqual([]);
  });

  test('an approval of an unknown job still reads well', () => {
    const [n] = notificationsFor(createNotifyMemory(START), [{ type: 'approval', approval: approval({ id: 1, jobId: 9, requestedAt: START }) }]);
    expect(n!.title).toBe('#9 needs you');
  });

  test('a question answered, or whose job ended, in the same batch is dropped', () => {
    const mem = createNotifyMemory(START);
    const asked = approval({ id: 1, jobId: 9, requestedAt: START });
    expect(notificationsFor(mem, [{ type: 'approval', approval: asked }, { type: 'approval', approval: { ...asked, decision: 'approved', decidedAt: START + 1 } }])).toEqual([]);
    const notes = notificationsFor(mem, [{ type: 'approval', approval: approval({ id: 2, jobId: 10, requestedAt: START }) }, finished(10, 'cancelled')]);
    expect(notes).toEqual([]);
  });

  test('removed jobs are forgotten, so memory does not grow without bound', () => {
    const mem = createNotifyMemory(START);
    notificationsFor(mem, [finished(1, 'succeeded'), finished(2, 'succeeded')]);
    expect(mem.announced.size).toBe(2);
    notificationsFor(mem, [{ type: 'removed', ids: [1] }]);
    expect([...mem.announced]).toEqual(['job:2:1']);
  });

  test('no exclamation marks anywhere', () => {
    const notes = notificationsFor(createNotifyMemory(START), [finished(1, 'succeeded'), finished(2, 'failed'), { type: 'approval', approval: approval({ id: 1, jobId: 3, requestedAt: START }) }]);
    for (const n of coalesce(notes)) expect(`${n.title} ${n.body}`).not.toContain('!');
  });
});

describe('mayNotify', () => {
  test('progress and log events never start the batch timer', () => {
    expect(mayNotify({ type: 'job', job: job({ id: 1, status: 'running' }) })).toBe(false);
    expect(mayNotify({ type: 'log', jobId: 1, attempt: 1, size: 5 })).toBe(false);
    expect(mayNotify({ type: 'job', job: job({ id: 1, status: 'failed' }) })).toBe(true);
    expect(mayNotify({ type: 'approval', approval: approval({ id: 1, jobId: 1 }) })).toBe(true);
  });
});

describe('coalesce', () => {
  const many = (n: number, failEvery = 0): Note[] =>
    notificationsFor(
      createNotifyMemory(START),
      Array.from({ length: n }, (_, i) => finished(i + 1, failEvery && (i + 1) % failEvery === 0 ? 'failed' : 'succeeded')),
    );

  test('up to three pass through unchanged', () => {
    const notes = many(3);
    expect(coalesce(notes)).toEqual(notes);
  });

  test('ten finishing at once become one summary', () => {
    const out = coalesce(many(10, 5));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ title: '10 jobs finished', body: '8 succeeded · 2 failed', outcome: 'failed', open: { type: 'open-job', id: 5 }, attention: 'needs-you' });
  });

  test('all succeeded: the summary opens the window', () => {
    expect(coalesce(many(4))[0]).toMatchObject({ body: '4 succeeded', open: { type: 'open' }, attention: null });
  });

  test('approvals are summarised separately and listed by id', () => {
    const mem = createNotifyMemory(START);
    const asks = notificationsFor(mem, [1, 2, 3, 4].map((i): HostEvent => ({ type: 'approval', approval: approval({ id: i, jobId: 40 + i, requestedAt: START }) })));
    const out = coalesce([...asks, ...many(1)]);
    expect(out.map((n) => n.title)).toEqual(['4 jobs need you', '#1 Job 1']);
    expect(out[0]!.body).toBe('Waiting for approval: #41, #42, #43, #44');
  });
});

describe('EventBatcher', () => {
  afterEach(() => vi.useRealTimers());

  test('a burst within the window is flushed once, after the window', () => {
    vi.useFakeTimers();
    const flush = vi.fn();
    const b = new EventBatcher<number>(1000, flush);
    for (let i = 0; i < 10; i++) {
      b.push(i);
      vi.advanceTimersByTime(50);
    }
    expect(flush).not.toHaveBeenCalled();
    vi.advanceTimersByTime(600);
    expect(flush).toHaveBeenCalledTimes(1);
    expect(flush).toHaveBeenCalledWith([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    b.push(42);
    vi.advanceTimersByTime(1000);
    expect(flush).toHaveBeenLastCalledWith([42]);
  });

  test('dispose drops pending events and their timer', () => {
    vi.useFakeTimers();
    const flush = vi.fn();
    const b = new EventBatcher<number>(1000, flush);
    b.push(1);
    b.dispose();
    vi.advanceTimersByTime(5000);
    expect(flush).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
