import type { Eta } from '../contract/job';

/**
 * Progress-rate estimator: an exponentially weighted rate of done-units per second
 * (time-weighted, half-life `halfLifeMs`), so one burst or stall moves the estimate
 * without throwing it around, and a lasting change of pace is followed within a few
 * half-lives. Reports that arrive within the same millisecond are merged, not lost.
 */
export class RateTracker {
  /** The last sample the rate was updated from. */
  private anchor: { t: number; done: number } | null = null;
  /** The newest sample (may share its timestamp with the anchor). */
  private latest: { t: number; done: number } | null = null;
  private rate: number | null = null;
  constructor(private readonly halfLifeMs = 10_000) {}

  sample(t: number, done: number): void {
    if (this.latest && done < this.latest.done) {
      // the job restarted its count: start over
      this.rate = null;
      this.anchor = this.latest = { t, done };
      return;
    }
    this.latest = { t, done };
    if (!this.anchor) {
      this.anchor = { t, done };
      return;
    }
    const dt = t - this.anchor.t;
    if (dt <= 0) return; // same millisecond: merged into the next update
    const inst = ((done - this.anchor.done) / dt) * 1000;
    const w = 1 - Math.pow(0.5, dt / this.halfLifeMs);
    this.rate = this.rate === null ? inst : this.rate + w * (inst - this.rate);
    this.anchor = { t, done };
  }

  /** Smoothed units per second; null before two samples at different times. */
  unitsPerSecond(): number | null {
    return this.rate;
  }

  /** Seconds to reach `total` from the last sample, corrected for time since then; null when no rate yet. */
  remaining(total: number, now: number): number | null {
    if (!this.latest || this.rate === null || this.rate <= 0) return null;
    const left = Math.max(0, total - this.latest.done) / this.rate;
    return Math.max(0, left - Math.max(0, now - this.latest.t) / 1000);
  }
}

export function median(xs: readonly number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface EtaInputs {
  status: string;
  startedAt: number | null;
  progressTotal: number | null;
  rate: RateTracker | undefined;
  /** Median duration (ms) of earlier successful runs with the same key, or null. */
  historyMs: number | null;
  now: number;
}

/**
 * ETA with its basis: progress rate first, then history of the same job key, else unknown.
 * For a queued job the figure is its expected run time.
 */
export function estimate(i: EtaInputs): Eta {
  const active = i.status === 'running' || i.status === 'waiting';
  if (active && i.progressTotal !== null && i.rate) {
    const s = i.rate.remaining(i.progressTotal, i.now);
    if (s !== null) return { seconds: Math.round(s), basis: 'progress' };
  }
  if (i.historyMs !== null && (active || i.status === 'queued' || i.status === 'held')) {
    const elapsed = active && i.startedAt !== null ? i.now - i.startedAt : 0;
    return { seconds: Math.max(0, Math.round((i.historyMs - elapsed) / 1000)), basis: 'history' };
  }
  return { seconds: null, basis: 'unknown' };
}

/**
 * When will the queue be empty? Simulates `slots` workers: running jobs hold a slot for
 * their remaining time; queued ones take the earliest free slot in order. Null if any
 * job involved has no estimate: an honest "unknown" beats a confident wrong number.
 * Queued jobs come as durations, or as [duration, count] runs of identical ones.
 */
export function queueEta(runningRemaining: readonly (number | null)[], queued: readonly (number | null | readonly [number | null, number])[], slots: number): number | null {
  const runs = queued.map((q): [number | null, number] => (Array.isArray(q) ? [q[0], q[1]] : [q as number | null, 1]));
  if (!runningRemaining.length && !runs.some(([, n]) => n > 0)) return null;
  if (runningRemaining.some((x) => x === null) || runs.some(([d, n]) => d === null && n > 0)) return null;
  const free = Array.from({ length: Math.max(1, slots) }, () => 0);
  const settle = (): void => {
    // keep `free` sorted after free[0] grew: one pass of insertion
    for (let i = 0; i + 1 < free.length && free[i]! > free[i + 1]!; i++) [free[i], free[i + 1]] = [free[i + 1]!, free[i]!];
  };
  for (const r of runningRemaining as number[]) {
    free[0] = Math.max(free[0]!, r);
    settle();
  }
  // running jobs beyond the slot count (approved waits) simply run alongside
  let end = Math.max(0, ...(runningRemaining as number[]));
  for (const [d, n] of runs as [number, number][]) {
    for (let k = 0; k < n; k++) {
      free[0] = free[0]! + d;
      end = Math.max(end, free[0]);
      settle();
    }
  }
  return end;
}
