import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { HostEvent } from '../../../electron/contract/events';
import type { TestApi as Engine } from '../../helpers/test-api';
import { EventHub } from '../../../electron/core/event-hub';
import { openTestEngine, storeOf, type TestEngine, until, waitFor } from '../../helpers/engine';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('EventHub', () => {
  test('coalesces per key: the first goes out at once, a burst yields one more with the last value', async () => {
    const hub = new EventHub(50);
    const got: number[] = [];
    hub.listen((e) => e.type === 'log' && got.push(e.size));
    for (let i = 1; i <= 100; i++) hub.coalesce('k', () => ({ type: 'log', jobId: 1, attempt: 1, size: i }));
    expect(got).toEqual([1]);
    await until(() => got.length === 2, 2000, 'the trailing update');
    expect(got).toEqual([1, 100]);
    expect(hub.pendingCount).toBe(0);
    hub.close();
  });

  test('an immediate emit replaces a pending update; flush sends it now; with no listener nothing is scheduled', () => {
    const hub = new EventHub(10_000);
    const got: HostEvent[] = [];
    const off = hub.listen((e) => got.push(e));
    hub.coalesce('k', () => ({ type: 'log', jobId: 1, attempt: 1, size: 1 }));
    hub.coalesce('k', () => ({ type: 'log', jobId: 1, attempt: 1, size: 2 }));
    expect(hub.pendingCount).toBe(1);
    hub.emit({ type: 'removed', ids: [1] }, 'k');
    expect(hub.pendingCount).toBe(0);
    hub.coalesce('j', () => ({ type: 'log', jobId: 2, attempt: 1, size: 9 }));
    hub.coalesce('j', () => ({ type: 'log', jobId: 2, attempt: 1, size: 10 }));
    hub.flush('j');
    expect(got.map((e) => (e.type === 'log' ? e.size : e.type))).toEqual([1, 'removed', 9, 10]);
    off();
    hub.coalesce('x', () => ({ type: 'log', jobId: 3, attempt: 1, size: 1 }));
    expect(hub.pendingCount).toBe(0);
    hub.close();
  });
});

describe('engine events', () => {
  let t: TestEngine;
  let engine: Engine;
  let events: { at: number; e: HostEvent }[];
  beforeEach(() => {
    t = openTestEngine();
    engine = t.engine;
    events = [];
    engine.listen((e) => events.push({ at: Date.now(), e }));
  });
  afterEach(() => t.dispose());

  const jobEvents = (id: number) => events.filter((x) => x.e.type === 'job' && x.e.job.id === id) as { at: number; e: Extract<HostEvent, { type: 'job' }> }[];

  test('1000 progress reports in a burst: at most 10 job events a second, and the final state arrives', async () => {
    const job = engine.add({ command: { shell: 'while [ ! -e go ]; do sleep 0.02; done' }, cwd: t.home });
    await waitFor(engine, job.id, ['running']);
    for (let i = 1; i <= 1000; i++) {
      engine.jobProgress({ jobId: job.id, attempt: 1, done: i, total: 1000, unit: 'items' });
      if (i % 25 === 0) await sleep(10);
    }
    // the batched write reaches the store while the job still runs
    await until(() => JSON.parse(storeOf(engine).row(job.id)?.progress ?? 'null')?.done === 1000, 5000, 'progress in the store');
    fs.writeFileSync(path.join(t.home, 'go'), '');
    await waitFor(engine, job.id);
    const mine = jobEvents(job.id);
    const span = (mine.at(-1)!.at - mine[0]!.at) / 1000;
    expect(mine.length).toBeLessThanOrEqual(Math.floor(span * 10) + 3);
    expect(mine.length).toBeGreaterThanOrEqual(3); // queued/started, some progress, finished
    const last = mine.at(-1)!.e.job;
    expect(last).toMatchObject({ status: 'succeeded', progress: { done: 1000, total: 1000, unit: 'items' } });
    // progress reached the store in batches, and it is the final value
    expect(engine.get(job.id).job.progress).toMatchObject({ done: 1000 });
    // the events between carried rising progress, never going back
    const done = mine.map((x) => x.e.job.progress?.done ?? 0);
    expect([...done].sort((a, b) => a - b)).toEqual(done);
  });

  test('a chatty log: at most 10 log events a second, the last one with the final size', async () => {
    const job = engine.add({ command: { shell: 'i=0; while [ $i -lt 150 ]; do echo "line $i"; i=$((i+1)); sleep 0.002; done' }, cwd: t.home });
    await waitFor(engine, job.id);
    const logs = events.filter((x) => x.e.type === 'log' && x.e.jobId === job.id);
    expect(logs.length).toBeGreaterThan(0);
    const span = (logs.at(-1)!.at - logs[0]!.at) / 1000;
    expect(logs.length).toBeLessThanOrEqual(Math.floor(span * 10) + 2);
    const size = engine.readLog({ id: job.id }).size;
    expect(logs.at(-1)!.e).toEqual({ type: 'log', jobId: job.id, attempt: 1, size });
    // the final job event comes after the last log event
    const lastJob = jobEvents(job.id).at(-1)!;
    expect(events.indexOf(lastJob)).toBeGreaterThan(events.indexOf(logs.at(-1)!));
  });

  test('a batch add announces every job exactly as get() shows it', () => {
    engine.pause();
    const first = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    events.length = 0;
    const ids = engine.addMany([
      { title: 'with a title', command: { argv: ['echo', 'a b'] }, cwd: t.home, labels: ['x', 'y'], plan: ['one'], priority: 3 },
      { command: { shell: 'echo $HOME' }, cwd: t.home, after: [first.id], capturePatch: true, delayMs: 60_000, retries: 2, timeoutMs: 1000 },
    ]);
    const announced = events.filter((x) => x.e.type === 'job').map((x) => (x.e.type === 'job' ? x.e.job : null));
    expect(announced.map((j) => j!.id)).toEqual(ids);
    for (const j of announced) expect(j).toEqual({ ...engine.get(j!.id).job, activity: j!.activity });
    expect(announced[1]).toMatchObject({ command: 'echo $HOME', after: [first.id], activity: expect.stringMatching(/^starts in/) });
  });

  test('state changes are sent at once, with queue, approval, status and removed events', async () => {
    engine.pause();
    const job = engine.add({ command: { shell: 'while [ ! -e go ]; do sleep 0.02; done' }, cwd: t.home });
    expect(jobEvents(job.id).map((x) => x.e.job.status)).toEqual(['queued']);
    engine.resume();
    await waitFor(engine, job.id, ['running']);
    const id = engine.jobAsk({ jobId: job.id, attempt: 1, question: 'ok?' });
    engine.deny(job.id, 'no');
    fs.writeFileSync(path.join(t.home, 'go'), '');
    await waitFor(engine, job.id);
    engine.remove([job.id]);
    await until(() => events.some((x) => x.e.type === 'status' && x.e.status.line === 'idle'), 2000, 'an idle status');
    const types = new Set(events.map((x) => x.e.type));
    expect([...types].sort()).toEqual(['approval', 'job', 'log', 'queue', 'removed', 'status']);
    expect(jobEvents(job.id).map((x) => x.e.job.status)).toEqual(['queued', 'running', 'waiting', 'running', 'succeeded']);
    expect(events.filter((x) => x.e.type === 'approval').map((x) => (x.e.type === 'approval' ? [x.e.approval.id, x.e.approval.decision] : null))).toEqual([
      [id, null],
      [id, 'denied'],
    ]);
    expect(events.find((x) => x.e.type === 'removed')!.e).toEqual({ type: 'removed', ids: [job.id] });
  });
});
