import { afterEach, describe, expect, test } from 'vitest';
import { type ActivityContext, activityOf } from '../../../electron/core/activity';
import { statusLine } from '../../../electron/core/status-line';
import { jobOf, openTestEngine, type TestEngine, waitFor } from '../../helpers/engine';

const now = 1_700_000_000_000;
const base: ActivityContext = {
  status: 'queued',
  now,
  paused: false,
  running: 0,
  concurrency: 2,
  notBefore: null,
  autoRetries: 0,
  maxRetries: 0,
  blockedOn: [],
  command: 'npm test',
  step: null,
  question: null,
  cancelling: false,
  error: null,
  startedAt: null,
  finishedAt: null,
  resultSummary: null,
};
const a = (c: Partial<ActivityContext>): string => activityOf({ ...base, ...c });

describe('activity: every moment a job is not moving is attributed', () => {
  test('queued', () => {
    expect(a({ running: 2 })).toBe('waiting for a slot (2/2 busy)');
    expect(a({ blockedOn: [12] })).toBe('waiting on #12');
    expect(a({ blockedOn: [12, 14], running: 2 })).toBe('waiting on #12, #14');
    expect(a({ paused: true })).toBe('queue paused');
    expect(a({ notBefore: now + 30_000, autoRetries: 1, maxRetries: 2 })).toBe('retrying in 30s (attempt 2/3)');
    expect(a({ notBefore: now + 90_000 })).toBe('starts in 1m 30s');
    expect(a({ treeBusyWith: 4 })).toBe('waiting for #4 (same git work tree)');
    expect(a({})).toBe('starting');
  });

  test('held, running, waiting', () => {
    expect(a({ status: 'held' })).toBe('held');
    expect(a({ status: 'running' })).toBe('running: npm test');
    expect(a({ status: 'running', step: 'tests' })).toBe('step: tests');
    expect(a({ status: 'running', cancelling: true })).toBe('cancelling: stop signal sent');
    expect(a({ status: 'waiting', question: 'Deploy to prod?' })).toBe('waiting for approval: Deploy to prod?');
    expect(a({ status: 'waiting' })).toBe('waiting for approval: a decision');
  });

  test('finished ones say how they ended', () => {
    expect(a({ status: 'succeeded', startedAt: now - 134_000, finishedAt: now, resultSummary: '3 files changed' })).toBe('done in 2m 14s: 3 files changed');
    expect(a({ status: 'failed', error: 'exited with code 1' })).toBe('exited with code 1');
    expect(a({ status: 'cancelled', error: 'cancelled by cli' })).toBe('cancelled by cli');
    expect(a({ status: 'interrupted' })).toBe('interrupted: the host stopped while it ran');
  });
});

describe('status line', () => {
  const counts = { queued: 0, held: 0, running: 0, waiting: 0, succeeded: 0, failed: 0, cancelled: 0, interrupted: 0 };
  test('calm, one line', () => {
    expect(statusLine({ counts, needsYou: 0, etaSeconds: null, paused: false })).toBe('idle');
    expect(statusLine({ counts: { ...counts, running: 2, queued: 3 }, needsYou: 1, etaSeconds: 230, paused: false })).toBe('2 running · 1 needs you · 3 queued · ETA 4m');
    expect(statusLine({ counts: { ...counts, queued: 3 }, needsYou: 0, etaSeconds: 230, paused: true })).toBe('paused · 3 queued');
  });
});

describe('activity through the engine', () => {
  let t: TestEngine | null = null;
  afterEach(() => t?.dispose());

  test('"running: <command>" while a job runs', async () => {
    t = openTestEngine();
    const job = t.engine.add({ command: { argv: ['sleep', '30'] }, cwd: t.home });
    await waitFor(t.engine, job.id, ['running']);
    expect(jobOf(t.engine, job.id).activity).toBe('running: sleep 30');
    await t.engine.cancel([job.id]);
  });
});
