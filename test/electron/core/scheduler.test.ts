import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { TestApi as Engine } from '../../helpers/test-api';
import { jobOf, openTestEngine, readText, storeOf, type TestEngine, until, waitFor } from '../../helpers/engine';

let t: TestEngine;
let engine: Engine;
beforeEach(() => {
  t = openTestEngine();
  engine = t.engine;
});
afterEach(() => t.dispose());

/** A shell job that waits until the test opens its gate (a file), then runs `then`. */
const gated = (name: string, then = 'true'): string => `while [ ! -e ${JSON.stringify(name)} ]; do sleep 0.02; done; ${then}`;
const open = (name: string): void => fs.writeFileSync(path.join(t.home, name), '');
const statuses = (ids: number[]): string[] => ids.map((id) => jobOf(engine, id).status);
const running = (): number => engine.list({ status: ['running'] }).length;

describe('concurrency', () => {
  test('default 2; queued jobs wait for a slot; changeable at run time without stopping anything', async () => {
    expect(engine.queueState()).toEqual({ paused: false, concurrency: 2, running: 0 });
    const ids = [1, 2, 3, 4, 5].map(() => engine.add({ command: { shell: gated('go') }, cwd: t.home }).id);
    await until(() => running() === 2, 10_000, '2 running');
    expect(statuses(ids)).toEqual(['running', 'running', 'queued', 'queued', 'queued']);
    expect(jobOf(engine, ids[2]!).activity).toBe('waiting for a slot (2/2 busy)');
    engine.setConcurrency(3);
    await until(() => running() === 3, 10_000, '3 running');
    expect(engine.queueState()).toMatchObject({ concurrency: 3, running: 3 });
    engine.setConcurrency(1); // lowering it stops nothing: the three keep running
    expect(running()).toBe(3);
    expect(jobOf(engine, ids[3]!).activity).toBe('waiting for a slot (3/1 busy)');
    open('go');
    for (const id of ids) await waitFor(engine, id);
    expect(statuses(ids)).toEqual(Array(5).fill('succeeded'));
    // the setting is kept in the store
    expect(storeOf(engine).setting('concurrency', 0)).toBe(1);
  });

  test('a job waiting for approval holds no slot', async () => {
    engine.setConcurrency(1);
    const a = engine.add({ command: { shell: gated('go-a') }, cwd: t.home });
    const b = engine.add({ command: { shell: gated('go-b') }, cwd: t.home });
    await waitFor(engine, a.id, ['running']);
    expect(jobOf(engine, b.id).status).toBe('queued');
    const approvalId = engine.jobAsk({ jobId: a.id, attempt: 1, question: 'Deploy to prod?' });
    expect(jobOf(engine, a.id)).toMatchObject({ status: 'waiting', activity: 'waiting for approval: Deploy to prod?' });
    await waitFor(engine, b.id, ['running']);
    const decided = engine.awaitDecision(approvalId);
    engine.approve(a.id, 'go ahead', 'ui');
    await expect(decided).resolves.toEqual({ decision: 'approved', note: 'go ahead' });
    expect(jobOf(engine, a.id).status).toBe('running'); // back to running alongside b
    open('go-a');
    open('go-b');
    await waitFor(engine, a.id);
    await waitFor(engine, b.id);
    expect(engine.get(a.id).approvals).toMatchObject([{ decision: 'approved', note: 'go ahead', decidedBy: 'ui' }]);
  });
});

describe('order', () => {
  test('higher priority first, then first in, first out', async () => {
    engine.pause();
    engine.setConcurrency(1);
    const prios = [0, 5, 0, 5, -1, 10, 0];
    const ids = prios.map((priority) => engine.add({ command: { shell: 'echo $ERRAND_JOB_ID >> order.txt' }, cwd: t.home, priority }).id);
    engine.prioritise(ids[6]!, 7);
    engine.resume();
    for (const id of ids) await waitFor(engine, id);
    const order = readText(path.join(t.home, 'order.txt')).trim().split('\n').map(Number);
    expect(order).toEqual([ids[5], ids[6], ids[1], ids[3], ids[0], ids[2], ids[4]]);
    expect(engine.get(ids[6]!).events.map((e) => e.type)).toContain('priority');
  });
});

describe('dependencies', () => {
  test('a job starts only when everything it is after has succeeded', async () => {
    const a = engine.add({ command: { shell: gated('go-a') }, cwd: t.home });
    const b = engine.add({ command: { shell: gated('go-b') }, cwd: t.home });
    const c = engine.add({ command: { argv: ['true'] }, cwd: t.home, after: [a.id, b.id] });
    await waitFor(engine, b.id, ['running']);
    expect(jobOf(engine, c.id)).toMatchObject({ status: 'queued', activity: `waiting on #${a.id}, #${b.id}`, after: [a.id, b.id] });
    open('go-a');
    await waitFor(engine, a.id);
    expect(jobOf(engine, c.id)).toMatchObject({ status: 'queued', activity: `waiting on #${b.id}` });
    open('go-b');
    const done = await waitFor(engine, c.id);
    expect(done.status).toBe('succeeded');
    expect(done.startedAt!).toBeGreaterThanOrEqual(jobOf(engine, b.id).finishedAt!);
  });

  test('a failed dependency fails its dependants (transitively) and says which', async () => {
    const a = engine.add({ command: { shell: gated('go', 'exit 4') }, cwd: t.home });
    const b = engine.add({ command: { argv: ['true'] }, cwd: t.home, after: [a.id] });
    const c = engine.add({ command: { argv: ['true'] }, cwd: t.home, after: [b.id] });
    open('go');
    expect((await waitFor(engine, c.id)).error).toBe(`dependency #${b.id} failed`);
    expect(jobOf(engine, b.id)).toMatchObject({ status: 'failed', error: `dependency #${a.id} failed`, attempt: 0 });
    expect(engine.get(b.id).events.at(-1)).toMatchObject({ type: 'failed', by: 'scheduler', data: { dependency: a.id } });
    // a job added after an already failed one fails at once
    const d = engine.add({ command: { argv: ['true'] }, cwd: t.home, after: [a.id] });
    expect(d).toMatchObject({ status: 'failed', error: `dependency #${a.id} failed` });
    // retrying the dependant alone is refused; retrying both together works
    expect(() => engine.retry([b.id])).toThrow(/dependency #\d+ is failed/);
  });

  test('a cancelled dependency fails its dependant with "was cancelled"', async () => {
    engine.pause();
    const a = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    const b = engine.add({ command: { argv: ['true'] }, cwd: t.home, after: [a.id] });
    await engine.cancel([a.id], 'cli');
    expect(jobOf(engine, a.id)).toMatchObject({ status: 'cancelled', error: 'cancelled by cli' });
    expect(jobOf(engine, b.id)).toMatchObject({ status: 'failed', error: `dependency #${a.id} was cancelled` });
  });
});

describe('needs you', () => {
  test('counts jobs waiting for approval and unread failures; reading the result clears one', async () => {
    const bad = engine.add({ command: { argv: ['false'] }, cwd: t.home });
    const asking = engine.add({ command: { shell: gated('go') }, cwd: t.home });
    await waitFor(engine, bad.id);
    await waitFor(engine, asking.id, ['running']);
    engine.jobAsk({ jobId: asking.id, attempt: 1, question: 'ok?' });
    expect(engine.status()).toMatchObject({ attention: { needsYou: 2 }, line: '2 needs you' });
    expect(jobOf(engine, bad.id).unread).toBe(true);
    engine.result({ id: bad.id });
    expect(jobOf(engine, bad.id).unread).toBe(false);
    expect(engine.status().attention.needsYou).toBe(1);
    engine.approve(asking.id);
    open('go');
    await waitFor(engine, asking.id);
    expect(engine.status().attention.needsYou).toBe(0);
  });
});

describe('hold, release, pause, resume', () => {
  test('a held job does not start until released', async () => {
    engine.pause();
    const held = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    const other = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    engine.hold([held.id], 'ui');
    expect(jobOf(engine, held.id)).toMatchObject({ status: 'held', activity: 'held' });
    engine.resume();
    await waitFor(engine, other.id);
    await until(() => engine.diagnostics().idle, 5000, 'idle');
    expect(jobOf(engine, held.id).status).toBe('held');
    engine.release([held.id], 'ui');
    expect((await waitFor(engine, held.id)).status).toBe('succeeded');
    expect(engine.get(held.id).events.map((e) => `${e.type}:${e.by}`)).toEqual(['created:api', 'held:ui', 'released:ui', 'started:scheduler', 'finished:job']);
  });

  test('pausing lets running jobs finish and starts nothing new; resume starts them', async () => {
    const a = engine.add({ command: { shell: gated('go') }, cwd: t.home });
    await waitFor(engine, a.id, ['running']);
    expect(engine.pause().paused).toBe(true);
    const b = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    expect(jobOf(engine, b.id).activity).toBe('queue paused');
    open('go');
    expect((await waitFor(engine, a.id)).status).toBe('succeeded'); // the running one continued
    await until(() => engine.diagnostics().idle, 5000, 'idle');
    expect(jobOf(engine, b.id).status).toBe('queued');
    expect(engine.status().line).toMatch(/^paused · 1 queued$/);
    expect(engine.resume().paused).toBe(false);
    expect((await waitFor(engine, b.id)).status).toBe('succeeded');
  });
});

describe('retry', () => {
  test('same id, new attempt; earlier attempts keep their logs and results', async () => {
    const job = engine.add({ command: { shell: gated('go-$ERRAND_ATTEMPT', 'echo "run $ERRAND_ATTEMPT"; [ "$ERRAND_ATTEMPT" -ge 2 ]') }, cwd: t.home });
    await waitFor(engine, job.id, ['running']);
    engine.jobResult({ jobId: job.id, attempt: 1, result: { type: 'json', summary: 'first', value: { n: 1 } } });
    open('go-1');
    expect(await waitFor(engine, job.id)).toMatchObject({ status: 'failed', attempt: 1, exitCode: 1 });
    const retried = engine.retry([job.id], 'cli');
    expect(retried[0]).toMatchObject({ id: job.id, status: 'queued', attempt: 1, error: null, resultSummary: null });
    await waitFor(engine, job.id, ['running']);
    engine.jobResult({ jobId: job.id, attempt: 2, result: { type: 'none', summary: 'second' } });
    open('go-2');
    expect(await waitFor(engine, job.id)).toMatchObject({ status: 'succeeded', attempt: 2, resultSummary: { summary: 'second' } });
    const detail = engine.get(job.id);
    expect(detail.attempts.map((a) => [a.n, a.status, a.result?.summary, a.logBytes])).toEqual([
      [1, 'failed', 'first', 6],
      [2, 'succeeded', 'second', 6],
    ]);
    expect(engine.readLog({ id: job.id, attempt: 1 }).data.toString()).toBe('run 1\n');
    expect(engine.readLog({ id: job.id }).data.toString()).toBe('run 2\n');
    expect(engine.result({ id: job.id, attempt: 1 }).result).toMatchObject({ type: 'json', value: { n: 1 } });
    expect(engine.result({ id: job.id }).result).toMatchObject({ type: 'none', summary: 'second' });
  });

  test('automatic retries back off exponentially, then fail for good', async () => {
    const job = engine.add({ command: { shell: 'echo "try $ERRAND_ATTEMPT"; exit 7' }, cwd: t.home, retries: 2, retryBackoffMs: 150 });
    const backoff = await until(() => {
      const j = jobOf(engine, job.id);
      return j.status === 'queued' && j.attempt === 1 ? j : undefined;
    });
    expect(backoff.activity).toMatch(/^retrying in \d+s \(attempt 2\/3\)$/);
    expect(backoff.error).toBe('exited with code 7');
    const done = await waitFor(engine, job.id);
    expect(done).toMatchObject({ status: 'failed', attempt: 3, error: 'exited with code 7' });
    const detail = engine.get(job.id);
    expect(detail.events.filter((e) => e.type === 'retry-scheduled').map((e) => e.data.inMs)).toEqual([150, 300]);
    const [a1, a2, a3] = detail.attempts;
    expect(a2!.startedAt - a1!.finishedAt!).toBeGreaterThanOrEqual(150);
    expect(a3!.startedAt - a2!.finishedAt!).toBeGreaterThanOrEqual(300);
    expect(engine.readLog({ id: job.id, attempt: 2 }).data.toString()).toBe('try 2\n');
  });
});

describe('timeouts and delays', () => {
  test('a job over its timeout is stopped and fails saying so', async () => {
    const job = engine.add({ command: { argv: ['sleep', '30'] }, cwd: t.home, timeoutMs: 200 });
    const done = await waitFor(engine, job.id);
    expect(done).toMatchObject({ status: 'failed', error: 'timed out after 200ms', signal: 'SIGTERM', exitCode: null });
    expect(done.finishedAt! - done.startedAt!).toBeGreaterThanOrEqual(200);
  });

  test('a delayed job starts no earlier than asked, on one timer', async () => {
    const job = engine.add({ command: { argv: ['true'] }, cwd: t.home, delayMs: 400 });
    expect(job.notBefore).toBe(job.createdAt + 400);
    expect(job.activity).toMatch(/^starts in \d+s$/);
    await until(() => engine.diagnostics().dueTimer, 2000, 'due timer');
    const done = await waitFor(engine, job.id);
    expect(done.startedAt!).toBeGreaterThanOrEqual(job.notBefore!);
    await until(() => engine.diagnostics().idle, 5000, 'idle');
  });
});

describe('event-driven: an idle engine does nothing', () => {
  test('no timers and no scheduling passes while nothing is due', async () => {
    const job = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    await waitFor(engine, job.id);
    await until(() => engine.diagnostics().idle, 5000, 'idle');
    // every statement the engine runs goes through these two: count them all
    const { sql } = storeOf(engine);
    let queries = 0;
    const stmt = sql.stmt.bind(sql);
    const raw = sql.raw.bind(sql);
    sql.stmt = (q: string) => (queries++, stmt(q));
    sql.raw = (q: string) => (queries++, raw(q));
    await new Promise((r) => setTimeout(r, 400));
    expect(queries).toBe(0);
    expect(engine.diagnostics()).toEqual({ dueTimer: false, progressTimer: false, kickPending: false, pendingEvents: 0, timeoutTimers: 0, runs: 0, decisionWaiters: 0, idle: true });
    // something far in the future arms exactly one timer, and nothing else happens
    engine.add({ command: { argv: ['true'] }, cwd: t.home, delayMs: 3_600_000 });
    await until(() => !engine.diagnostics().kickPending, 2000, 'the pass after add');
    const after = queries;
    await new Promise((r) => setTimeout(r, 300));
    expect(queries).toBe(after);
    expect(engine.diagnostics()).toMatchObject({ dueTimer: true, kickPending: false, runs: 0 });
  });

  test('close() leaves no timers and no processes', async () => {
    const running = engine.add({ command: { shell: 'sleep 30 & echo $! > bg.pid; wait' }, cwd: t.home, restartable: true });
    engine.add({ command: { argv: ['true'] }, cwd: t.home, delayMs: 3_600_000 });
    await waitFor(engine, running.id, ['running']);
    await until(() => readText(path.join(t.home, 'bg.pid')).trim(), 5000, 'bg pid');
    await engine.close();
    const d = engine.diagnostics();
    expect(d).toEqual({ dueTimer: false, progressTimer: false, kickPending: false, pendingEvents: 0, timeoutTimers: 0, runs: 0, decisionWaiters: 0, idle: true });
    const { processGone } = await import('../../helpers/engine');
    expect(processGone(Number(readText(path.join(t.home, 'bg.pid'))))).toBe(true);
    expect(() => engine.add({ command: { argv: ['true'] }, cwd: t.home })).toThrow(/shutting down/);
  });
});
