import type { Progress } from '../contract/job';
import { RateTracker } from './eta';
import type { JobRow } from './store/job-row';
import { writeProgress } from './store/job-updates';
import { type Sql, parseJson } from './store/sql';

const FLUSH_MS = 500;

/**
 * Progress from running jobs. Cheap by design (a chatty job may report thousands of
 * times a second): kept in memory with its rate, written to the store in one soft batch
 * every 500 ms (and before an attempt's end is recorded).
 */
export class ProgressBuffer {
  /** Reported since the last write: job id → the attempt it belongs to and the value. */
  private readonly dirty = new Map<number, { attempt: number; progress: Progress }>();
  private readonly rates = new Map<number, RateTracker>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly sql: Sql) {}

  report(jobId: number, attempt: number, p: Progress, now: number): void {
    let rate = this.rates.get(jobId);
    if (!rate) this.rates.set(jobId, (rate = new RateTracker()));
    rate.sample(now, p.done);
    this.dirty.set(jobId, { attempt, progress: p });
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** The latest progress of the row's attempt: reported (not yet written) or stored. */
  latest(row: Pick<JobRow, 'id' | 'attempt' | 'progress'>): Progress | null {
    const d = this.dirty.get(row.id);
    return d && d.attempt === row.attempt ? d.progress : parseJson<Progress>(row.progress);
  }

  rate(jobId: number): RateTracker | undefined {
    return this.rates.get(jobId);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.dirty.size || !this.sql.open) return;
    writeProgress(this.sql, this.dirty);
    this.dirty.clear();
  }

  /** The attempt ended: its rate is no use any more. */
  forget(jobId: number): void {
    this.rates.delete(jobId);
  }

  get armed(): boolean {
    return this.timer !== null;
  }
}
