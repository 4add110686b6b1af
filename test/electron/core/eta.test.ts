import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { TestApi as Engine } from '../../helpers/test-api';
import { estimate, median, queueEta, RateTracker } from '../../../electron/core/eta';
import { jobOf, openTestEngine, storeOf, type TestEngine, waitFor } from '../../helpers/engine';

/** Deterministic noise for synthetic runs. */
function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** Feeds a synthetic run: rate(t) units/s, a report every ~interval ms (jittered). Returns the time and done at the end. */
function feed(tr: RateTracker, from: { t: number; done: number }, ms: number, rate: number, interval: number, rand = rng(1)): { t: number; done: number } {
  let { t, done } = from;
  const end = t + ms;
  while (t < end) {
    const dt = Math.min(end - t, Math.round(interval * (0.5 + rand())));
    t += dt;
    done += (rate * dt) / 1000;
    tr.sample(t, Math.floor(done));
  }
  return { t, done };
}

const within = (actual: number | null, truth: number, tolerance: number): void => {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - truth) / truth).toBeLessThanOrEqual(tolerance);
};

describe('progress-rate ETA on synthetic runs', () => {
  test('steady rate: within 10 % of the truth, all along the run', () => {
    const tr = new RateTracker();
    let at = { t: 0, done: 0 };
    tr.sample(0, 0);
    const total = 3000; // 10/s → 300 s
    for (let minute = 1; minute <= 4; minute++) {
      at = feed(tr, at, 60_000, 10, 1000, rng(minute));
      within(tr.remaining(total, at.t), (total - at.done) / 10, 0.1);
    }
  });

  test('reports in bursts and at the same millisecond are merged, not lost', () => {
    const tr = new RateTracker();
    // 20 units reported one by one within the same millisecond, every 100 ms → 200/s
    for (let k = 0; k <= 50; k++) for (let i = 1; i <= 20; i++) tr.sample(1000 + k * 100, k * 20 + i);
    within(tr.unitsPerSecond(), 200, 0.05);
    within(tr.remaining(2020, 6000), 5, 0.05);
  });

  test('a change of pace is followed: within 10 % after a few half-lives', () => {
    const tr = new RateTracker(10_000);
    tr.sample(0, 0);
    let at = feed(tr, { t: 0, done: 0 }, 60_000, 10, 500);
    at = feed(tr, at, 5_000, 30, 500);
    const early = tr.unitsPerSecond()!;
    expect(early).toBeGreaterThan(10);
    expect(early).toBeLessThan(30); // smoothed: one burst does not throw it around
    at = feed(tr, at, 40_000, 30, 500);
    within(tr.unitsPerSecond(), 30, 0.1);
    within(tr.remaining(at.done + 3000, at.t), 100, 0.1);
  });

  test('noisy reports (±50 % per interval) still average out', () => {
    const tr = new RateTracker();
    const rand = rng(7);
    let t = 0;
    let done = 0;
    tr.sample(0, 0);
    for (let i = 0; i < 300; i++) {
      t += 1000;
      done += 10 * (0.5 + rand());
      tr.sample(t, done);
    }
    within(tr.unitsPerSecond(), 10, 0.1);
  });

  test('time since the last report counts down; a restarted count starts over', () => {
    const tr = new RateTracker();
    tr.sample(0, 0);
    tr.sample(10_000, 100); // 10/s
    expect(tr.remaining(200, 10_000)).toBeCloseTo(10);
    expect(tr.remaining(200, 14_000)).toBeCloseTo(6);
    expect(tr.remaining(200, 30_000)).toBe(0);
    tr.sample(11_000, 5);
    expect(tr.remaining(200, 11_000)).toBeNull();
  });
});

describe('estimate: progress → history → unknown, always with its basis', () => {
  const rate = new RateTracker();
  rate.sample(0, 0);
  rate.sample(10_000, 50); // 5/s
  test('basis order', () => {
    expect(estimate({ status: 'running', startedAt: 0, progressTotal: 100, rate, historyMs: 99_000, now: 10_000 })).toEqual({ seconds: 10, basis: 'progress' });
    expect(estimate({ status: 'running', startedAt: 0, progressTotal: null, rate, historyMs: 60_000, now: 10_000 })).toEqual({ seconds: 50, basis: 'history' });
    expect(estimate({ status: 'running', startedAt: 0, progressTotal: null, rate: undefined, historyMs: 5_000, now: 10_000 })).toEqual({ seconds: 0, basis: 'history' });
    expect(estimate({ status: 'queued', startedAt: null, progressTotal: null, rate: undefined, historyMs: 60_000, now: 10_000 })).toEqual({ seconds: 60, basis: 'history' });
    expect(estimate({ status: 'queued', startedAt: null, progressTotal: null, rate: undefined, historyMs: null, now: 10_000 })).toEqual({ seconds: null, basis: 'unknown' });
    expect(estimate({ status: 'succeeded', startedAt: 0, progressTotal: 100, rate, historyMs: 1, now: 10_000 })).toEqual({ seconds: null, basis: 'unknown' });
  });

  test('median of history', () => {
    expect(median([])).toBeNull();
    expect(median([30, 10, 20])).toBe(20);
    expect(median([40, 10, 20, 30])).toBe(25);
    expect(median([5, 5, 5, 1000])).toBe(5); // one outlier does not move it
  });

  test('queue ETA simulates the slots; unknown if any job is unknown', () => {
    expect(queueEta([], [], 2)).toBeNull();
    expect(queueEta([10, 20], [30, 30, 30], 2)).toBe(70);
    expect(queueEta([10, 20], [[30, 3]], 2)).toBe(70);
    expect(queueEta([10, null], [30], 2)).toBeNull();
    expect(queueEta([10], [[null, 1]], 2)).toBeNull();
    expect(queueEta([], [[10, 100]], 4)).toBe(250);
  });
});

describe('ETA through the engine', () => {
  let t: TestEngine;
  let engine: Engine;
  beforeEach(() => {
    t = openTestEngine();
    engine = t.engine;
  });
  afterEach(() => t.dispose());

  /** Records earlier successful runs of `key` lasting the given seconds. */
  function history(key: string, seconds: number[]): void {
    const db = storeOf(engine).db;
    const ids = engine.addMany(seconds.map(() => ({ command: { argv: ['true'] }, cwd: t.home, etaKey: key })));
    db.transaction(() => {
      ids.forEach((id, i) => {
        const start = Date.now() - 3_600_000 + i * 1000;
        db.prepare("UPDATE jobs SET status = 'succeeded', attempt = 1, started_at = ?, finished_at = ? WHERE id = ?").run(start, start + seconds[i]! * 1000, id);
        db.prepare("INSERT INTO attempts (job_id, n, status, started_at, finished_at) VALUES (?, 1, 'succeeded', ?, ?)").run(id, start, start + seconds[i]! * 1000);
      });
    })();
  }

  test('history of the same key (median), else unknown', () => {
    engine.pause();
    history('tests', [10, 20, 30, 1000]);
    const job = engine.add({ command: { argv: ['true'] }, cwd: t.home, etaKey: 'tests' });
    expect(job.eta).toEqual({ seconds: 25, basis: 'history' });
    const other = engine.add({ command: { argv: ['true'] }, cwd: t.home, etaKey: 'never-seen' });
    expect(other.eta).toEqual({ seconds: null, basis: 'unknown' });
  });

  test('status(): the whole queue (blocked jobs too) across the slots', () => {
    engine.pause();
    history('k', [10, 10, 10]);
    const a = engine.add({ command: { argv: ['true'] }, cwd: t.home, etaKey: 'k' });
    engine.add({ command: { argv: ['true'] }, cwd: t.home, etaKey: 'k' });
    engine.add({ command: { argv: ['true'] }, cwd: t.home, etaKey: 'k', after: [a.id] });
    expect(engine.status().etaSeconds).toBe(20); // 3 × 10 s on 2 slots
    engine.setConcurrency(3);
    expect(engine.status().etaSeconds).toBe(10);
    engine.add({ command: { argv: ['true'] }, cwd: t.home, etaKey: 'unknown' });
    expect(engine.status().etaSeconds).toBeNull(); // honest: one job has no estimate
  });

  test('status(): a queue longer than the head looked at one by one is extrapolated, not ignored', () => {
    engine.pause();
    history('k', [10, 10, 10]);
    engine.addMany(Array.from({ length: 1500 }, () => ({ command: { argv: ['true'] }, cwd: t.home, etaKey: 'k' })));
    expect(engine.status().etaSeconds).toBe(7500); // 1500 × 10 s on 2 slots
  });

  test('progress reports give a progress-based ETA while running', async () => {
    const job = engine.add({ command: { argv: ['sleep', '30'] }, cwd: t.home });
    await waitFor(engine, job.id, ['running']);
    engine.jobProgress({ jobId: job.id, attempt: 1, done: 0, total: 1000, unit: 'files' });
    expect(jobOf(engine, job.id).eta.basis).not.toBe('progress'); // one report is no rate yet
    await new Promise((r) => setTimeout(r, 250));
    engine.jobProgress({ jobId: job.id, attempt: 1, done: 50, total: 1000, unit: 'files', label: 'copying' });
    const j = jobOf(engine, job.id);
    expect(j.progress).toEqual({ done: 50, total: 1000, unit: 'files', label: 'copying' });
    expect(j.eta.basis).toBe('progress');
    // 50 units in ≥ 250 ms → at most 200/s → at least ~4.75 s left
    expect(j.eta.seconds!).toBeGreaterThanOrEqual(4);
    expect(engine.status().etaSeconds).toBe(j.eta.seconds);
    await engine.cancel([job.id]);
  });
});
