import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ErrandError } from '../../../electron/contract/errors';
import { JOB_STATUSES, type JobStatus } from '../../../electron/contract/job';
import type { TestApi as Engine } from '../../helpers/test-api';
import { type Action, TRANSITIONS, canTransition, refusal } from '../../../electron/core/transitions';
import { succeedJob } from '../../../electron/core/store/job-transitions';
import { openTestEngine, storeOf, storeState, type TestEngine, waitFor } from '../../helpers/engine';

describe('the transition table', () => {
  test('every action leads from legal sources to one target, and only those are allowed', () => {
    for (const [action, t] of Object.entries(TRANSITIONS) as [Action, { from: readonly JobStatus[]; to: JobStatus }][]) {
      for (const s of JOB_STATUSES) expect(canTransition(action, s)).toBe(t.from.includes(s));
      expect(JOB_STATUSES).toContain(t.to);
    }
  });

  test('finished jobs only move by retry; nothing leaves a finished state otherwise', () => {
    for (const s of ['succeeded', 'failed', 'cancelled', 'interrupted'] as const) {
      const allowed = (Object.keys(TRANSITIONS) as Action[]).filter((a) => canTransition(a, s));
      expect(allowed).toEqual(['retry']);
    }
  });

  test('a refusal names the job and its current status', () => {
    expect(refusal('retry', 7, 'running')).toBe('Cannot retry job #7: it is running (only finished jobs can be retried; cancel it first).');
    expect(refusal('hold', 3, 'running')).toMatch(/job #3: it is running/);
  });
});

describe('illegal transitions through the engine', () => {
  let t: TestEngine;
  let engine: Engine;
  beforeEach(() => {
    t = openTestEngine();
    engine = t.engine;
  });
  afterEach(() => t.dispose());

  /** Runs fn, expects an illegal_transition naming `status`, and proves the store did not change. */
  function refused(fn: () => unknown, status: string): ErrandError {
    const before = storeState(engine);
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ErrandError);
    const e = err as ErrandError;
    expect(e.code).toBe('illegal_transition');
    expect(e.message).toContain(`it is ${status}`);
    expect(storeState(engine)).toEqual(before);
    return e;
  }

  test('approve / deny a job that is not waiting', async () => {
    const queued = engine.add({ command: { argv: ['sleep', '30'] }, cwd: t.home });
    engine.pause();
    const held = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    engine.hold([held.id]);
    refused(() => engine.approve(held.id), 'held');
    refused(() => engine.deny(held.id, 'no'), 'held');
    engine.resume();
    await waitFor(engine, queued.id, ['running']);
    refused(() => engine.approve(queued.id), 'running');
    await engine.cancel([queued.id]);
    refused(() => engine.approve(queued.id), 'cancelled');
  });

  test('retry a running job, hold a running job, release a queued one', async () => {
    const job = engine.add({ command: { argv: ['sleep', '30'] }, cwd: t.home });
    await waitFor(engine, job.id, ['running']);
    refused(() => engine.retry([job.id]), 'running');
    refused(() => engine.hold([job.id]), 'running');
    refused(() => engine.release([job.id]), 'running');
    engine.pause();
    const q = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    refused(() => engine.release([q.id]), 'queued');
    refused(() => engine.retry([q.id]), 'queued');
    await engine.cancel([job.id]);
  });

  test('all or nothing: one illegal id in a batch refuses the whole batch', () => {
    engine.pause();
    const a = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    const b = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    engine.hold([b.id]);
    refused(() => engine.hold([a.id, b.id]), 'held');
    expect(engine.get(a.id).job.status).toBe('queued');
  });

  test('cancel a finished job; remove an unfinished one', async () => {
    const job = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    await waitFor(engine, job.id);
    const before = storeState(engine);
    await expect(engine.cancel([job.id])).rejects.toMatchObject({ code: 'illegal_transition', message: expect.stringContaining('it is succeeded') });
    expect(storeState(engine)).toEqual(before);
    engine.pause();
    const q = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    refused(() => engine.remove([q.id]), 'queued');
  });

  test('the store itself refuses a transition from the wrong status and rolls back', () => {
    engine.pause();
    const job = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    const store = storeOf(engine);
    const before = storeState(engine);
    expect(() => succeedJob(store.sql, job.id, { exitCode: 0, signal: null }, null, Date.now())).toThrow(/Cannot finish job #\d+: it is queued/);
    expect(storeState(engine)).toEqual(before);
  });

  test('every transition appends exactly one event, in the same transaction', async () => {
    engine.pause();
    const job = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    const events = () => engine.get(job.id).events.map((e) => e.type);
    expect(events()).toEqual(['created']);
    engine.hold([job.id]);
    engine.release([job.id]);
    engine.resume();
    await waitFor(engine, job.id);
    engine.retry([job.id]);
    await waitFor(engine, job.id);
    expect(events()).toEqual(['created', 'held', 'released', 'started', 'finished', 'retried', 'started', 'finished']);
    const transitions = engine.get(job.id).events.filter((e) => e.type !== 'created');
    for (const e of transitions) expect(e.data).toMatchObject({ from: expect.any(String), to: expect.any(String) });
    expect(transitions.map((e) => `${e.data.from}→${e.data.to}`)).toEqual([
      'queued→held',
      'held→queued',
      'queued→running',
      'running→succeeded',
      'succeeded→queued',
      'queued→running',
      'running→succeeded',
    ]);
  });
});
