import type { Eta } from '../contract/job';

/**
 * Progress-rate estimator: an exponentially weighted rate of done-units per second,
 * so one burst or stall moves the estimate without throwing it around.
 */
export class RateTracker {
  private last: { t: number; done: number } | null = null;
  private rate: number | null = null;
  constructor(private readonly halfLifeMs = 10_000) {}

  sample(t: number, done: number): void {
    if (this.last && t > this.last.t && done >= this.last.done) {
      const dt = t - this.last.t;
      const inst = ((done - this.last.done) / dt) * 1000;
      const w = 1 - Math.pow(0.5, dt / this.halfLifeMs);
      this.rate = this.rate === null ? inst : this.rate + w * (inst - this.rate);
    } else if (this.last && done < this.last.done) {
      this.rate = null; // the job restarted its count; start over
    }
    this.last = { t, done };
  }

  /** Seconds to reach `total` from the last sample, corrected for time since then; null when no rate yet. */
  remaining(total: number, now: number): number | null {
    if (!this.last || !this.rate || this.rate <= 0) return null;
    const left = Math.max(0, total - this.last.done) / this.rate;
    return Math.max(0, left - Math.max(0, now - this.last.t) / 1000);
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
    const elapsed = active && i.startedAt ? i.now - i.startedAt : 0;
    return { seconds: Math.max(0, Math.round((i.historyMs - elapsed) / 1000)), basis: 'history' };
  }
  return { seconds: null, basis: 'unknown' };
}

/**
 * When will the queue be empty? Simulates `slots` workers: running jobs hold a slot for
 * their remaining time; queued ones take the earliest free slot in order. Null if any
 * job involved has no estimate: an honest "unknown" beats a confident wrong number.
 */
export function queueEta(runningRemaining: readonly (number | null)[], queuedDurations: readonly (number | null)[], slots: number): number | null {
  if (!runningRemaining.length && !queuedDurations.length) return null;
  if (runningRemaining.some((x) => x === null) || queuedDurations.some((x) => x === null)) return null;
  const free = Array.from({ length: Math.max(1, slots) }, () => 0);
  for (const r of runningRemaining as number[]) {
    free.sort((a, b) => a - b);
    free[0] = Math.max(free[0]!, r);
  }
  // running jobs beyond the slot count (approved waits) simply run alongside
  let end = Math.max(0, ...(runningRemaining as number[]));
  for (const d of queuedDurations as number[]) {
    free.sort((a, b) => a - b);
    free[0] = free[0]! + d;
    end = Math.max(end, free[0]);
  }
  return end;
}
