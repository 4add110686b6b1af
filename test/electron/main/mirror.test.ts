import { describe, expect, test } from 'vitest';
import type { Job } from '../../../electron/contract/job';
import { KEEP_PROBLEMS, KEEP_RECENT, type MirrorSource, applyEvent, createMirror, loadMirror, snapshotOf } from '../../../electron/main/mirror';
import { approval, job, status } from './fixtures';

const empty = () => createMirror({ jobs: [], approvals: [], status: status() });

describe('mirror', () => {
  test('keeps running and waiting jobs, drops queued and held ones', () => {
    const m = empty();
    expect(applyEvent(m, { type: 'job', job: job({ id: 1, status: 'running' }) })).toBe(true);
    applyEvent(m, { type: 'job', job: job({ id: 2, status: 'queued' }) });
    applyEvent(m, { type: 'job', job: job({ id: 3, status: 'waiting' }) });
    expect([...m.jobs.keys()].sort()).toEqual([1, 3]);
  });

  test('a retried job that goes back to the queue leaves the tray', () => {
    const m = createMirror({ jobs: [job({ id: 1, status: 'failed', finishedAt: 5 })], approvals: [], status: status() });
    expect(applyEvent(m, { type: 'job', job: job({ id: 1, status: 'queued', attempt: 2 }) })).toBe(true);
    expect(m.jobs.has(1)).toBe(false);
    // nothing to drop: nothing to redraw
    expect(applyEvent(m, { type: 'job', job: job({ id: 2, status: 'queued' }) })).toBe(false);
  });

  test('keeps the newest finished jobs and unread failures beyond them, within bounds', () => {
    const m = empty();
    // an old unread failure, then more successes than KEEP_RECENT
    applyEvent(m, { type: 'job', job: job({ id: 1, status: 'failed', unread: true, finishedAt: 1 }) });
    applyEvent(m, { type: 'job', job: job({ id: 2, status: 'succeeded', finishedAt: 2 }) });
    for (let i = 0; i < KEEP_RECENT; i++) applyEvent(m, { type: 'job', job: job({ id: 100 + i, status: 'succeeded', finishedAt: 100 + i }) });
    expect(m.jobs.has(1)).toBe(true); // still needs you
    expect(m.jobs.has(2)).toBe(false); // pushed out of Recent
    expect(m.jobs.size).toBe(KEEP_RECENT + 1);
  });

  test('unread failures are bounded too', () => {
    const jobs = Array.from({ length: KEEP_RECENT + KEEP_PROBLEMS + 30 }, (_, i) => job({ id: i + 1, status: 'failed', unread: true, finishedAt: i }));
    const m = createMirror({ jobs, approvals: [], status: status() });
    expect(m.jobs.size).toBe(KEEP_RECENT + KEEP_PROBLEMS);
    expect(m.jobs.has(jobs.length)).toBe(true); // newest kept
    expect(m.jobs.has(1)).toBe(false); // oldest dropped
  });

  test('approvals: open ones kept, decided ones and those of removed jobs dropped', () => {
    const m = createMirror({ jobs: [job({ id: 4, status: 'waiting' })], approvals: [approval({ id: 1, jobId: 4 }), approval({ id: 2, jobId: 5, decision: 'approved' })], status: status() });
    expect([...m.approvals.keys()]).toEqual([1]);
    applyEvent(m, { type: 'approval', approval: approval({ id: 3, jobId: 6 }) });
    applyEvent(m, { type: 'approval', approval: approval({ id: 1, jobId: 4, decision: 'denied' }) });
    expect([...m.approvals.keys()]).toEqual([3]);
    applyEvent(m, { type: 'removed', ids: [6] });
    expect(m.approvals.size).toBe(0);
  });

  test('status and queue events replace the summary; log events change nothing', () => {
    const m = empty();
    expect(applyEvent(m, { type: 'status', status: status({ line: '1 running', counts: { running: 1 } }) })).toBe(true);
    expect(m.status.line).toBe('1 running');
    applyEvent(m, { type: 'queue', queue: { paused: true, concurrency: 3, running: 1 } });
    expect(m.status.queue).toEqual({ paused: true, concurrency: 3, running: 1 });
    expect(m.status.line).toBe('1 running');
    expect(applyEvent(m, { type: 'log', jobId: 1, attempt: 1, size: 10 })).toBe(false);
  });

  test('loadMirror reads active, recent and needs-you jobs and open questions, never the whole queue', async () => {
    const calls: unknown[] = [];
    const lists: Record<string, Job[]> = {
      'running,waiting': [job({ id: 1, status: 'running' }), job({ id: 2, status: 'waiting' })],
      'succeeded,failed,cancelled,interrupted': [job({ id: 3, status: 'succeeded', finishedAt: 9 })],
      // the host's attention decides: a job it no longer marks is not kept as "needs you"
      'failed,interrupted': [job({ id: 4, status: 'failed', unread: true, finishedAt: 8 }), job({ id: 5, status: 'failed', unread: true, attention: null, finishedAt: 7 })],
    };
    const source: MirrorSource = {
      call: (async (method: string, input: { status?: string[] }, ctx: { by: string }) => {
        calls.push([method, input, ctx.by]);
        if (method === 'status') return status({ line: '1 running' });
        if (method === 'approvals') return { approvals: [approval({ id: 9, jobId: 2 })] };
        return { jobs: lists[input.status!.join(',')] };
      }) as MirrorSource['call'],
    };
    const m = await loadMirror(source);
    expect([...m.jobs.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect([...m.approvals.keys()]).toEqual([9]);
    expect(m.status.line).toBe('1 running');
    expect(calls).toContainEqual(['list', { status: ['failed', 'interrupted'], unread: true, order: 'newest', limit: KEEP_PROBLEMS }, 'tray']);
    expect(calls.every((c) => (c as [string, unknown, string])[2] === 'tray')).toBe(true);
  });

  test('removed jobs disappear', () => {
    const m = createMirror({ jobs: [job({ id: 1, status: 'succeeded', finishedAt: 1 })], approvals: [], status: status() });
    expect(applyEvent(m, { type: 'removed', ids: [1, 99] })).toBe(true);
    expect(snapshotOf(m).jobs).toEqual([]);
    expect(applyEvent(m, { type: 'removed', ids: [99] })).toBe(false);
  });
});
