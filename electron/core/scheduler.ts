import type { QueueState } from '../contract/job';
import type { Logger } from './logger';
import { openAttempt } from './store/attempts';
import type { JobRow } from './store/job-row';
import { startJob } from './store/job-transitions';
import { nextDue, readyJobs } from './store/jobs';
import { readSetting, writeSetting } from './store/settings';
import type { Sql } from './store/sql';
import { type Place, type Supervisor, clash, placeOf } from './supervisor';

export const DEFAULT_CONCURRENCY = 2;

export interface SchedulerDeps {
  sql: Sql;
  log: Logger;
  supervisor: Supervisor;
  /** After a pass: the status line may have changed. */
  passed: () => void;
}

/**
 * Decides what starts when: pause, concurrency, claiming ready jobs (priority, then
 * FIFO, dependencies met, due) and the work-tree rule, and the one timer for the next
 * delayed start. Event-driven: a pass runs when something that can free a slot or make a
 * job ready happens, or when that timer fires. An idle scheduler holds no timer.
 */
export class Scheduler {
  private paused: boolean;
  private concurrency: number;
  private dueTimer: NodeJS.Timeout | null = null;
  private dueAt: number | null = null;
  private kickHandle: NodeJS.Immediate | null = null;
  private closed = false;

  constructor(private readonly d: SchedulerDeps) {
    this.paused = readSetting(d.sql, 'paused', false);
    this.concurrency = readSetting(d.sql, 'concurrency', DEFAULT_CONCURRENCY);
  }

  isPaused(): boolean {
    return this.paused;
  }

  limit(): number {
    return this.concurrency;
  }

  state(): QueueState {
    return { paused: this.paused, concurrency: this.concurrency, running: this.d.supervisor.slotsUsed() };
  }

  /** Pauses, resumes or resizes the queue (stored, so it survives a restart). */
  set(change: { paused?: boolean; concurrency?: number }, by: string): QueueState {
    this.d.sql.tx(() => {
      if (change.paused !== undefined) writeSetting(this.d.sql, 'paused', change.paused);
      if (change.concurrency !== undefined) writeSetting(this.d.sql, 'concurrency', change.concurrency);
    });
    if (change.paused !== undefined) this.paused = change.paused;
    if (change.concurrency !== undefined) this.concurrency = change.concurrency;
    this.d.log.info(`queue ${JSON.stringify(change)} by ${by}`);
    this.kick();
    return this.state();
  }

  /** Coalesces scheduling requests into one pass on the next turn; no polling anywhere. */
  kick(): void {
    if (this.kickHandle || this.closed) return;
    this.kickHandle = setImmediate(() => {
      this.kickHandle = null;
      if (!this.closed) this.pump();
    });
  }

  private pump(): void {
    const now = Date.now();
    let claimed: JobRow[] = [];
    try {
      if (!this.paused && this.concurrency > this.d.supervisor.slotsUsed()) claimed = this.d.sql.tx(() => this.claim(now));
    } catch (e) {
      this.d.log.error('could not start jobs', e);
    }
    this.d.supervisor.begin(claimed);
    this.armDueTimer(now);
    this.d.passed();
  }

  /**
   * Moves as many ready jobs as there are free slots to running. Call inside a
   * transaction: the jobs are recorded as started before any process is spawned, so a
   * crash can never leave a process the store does not know about.
   */
  claim(now: number): JobRow[] {
    if (this.paused || this.closed) return [];
    const free = this.concurrency - this.d.supervisor.slotsUsed();
    if (free <= 0) return [];
    const out: JobRow[] = [];
    const busy: Place[] = this.d.supervisor.places();
    let candidates = readyJobs(this.d.sql, now, free);
    // some may have to wait for a job in the same work tree: then look a little further
    let locks = candidates.some((c) => c.lock_tree) || busy.some((b) => b.lockTree);
    if (locks) candidates = readyJobs(this.d.sql, now, free + 32);
    locks ||= candidates.some((c) => c.lock_tree);
    for (const row of candidates) {
      if (out.length >= free) break;
      // with no work tree locked anywhere, nothing can clash: skip reading specs
      const place = placeOf(row, locks);
      if (busy.some((b) => clash(b, place))) continue;
      busy.push(place);
      const attempt = row.attempt + 1;
      out.push(startJob(this.d.sql, row.id, attempt, now));
      openAttempt(this.d.sql, row.id, attempt, now);
    }
    return out;
  }

  private armDueTimer(now: number): void {
    const due = this.closed ? null : nextDue(this.d.sql, now);
    if (due === this.dueAt && (due === null || this.dueTimer)) return;
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = null;
    this.dueAt = due;
    if (due !== null) {
      this.dueTimer = setTimeout(
        () => {
          this.dueTimer = null;
          this.dueAt = null;
          this.kick();
        },
        Math.min(Math.max(0, due - now) + 5, 2 ** 31 - 1),
      );
      this.dueTimer.unref();
    }
  }

  diagnostics(): { dueTimer: boolean; kickPending: boolean } {
    return { dueTimer: this.dueTimer !== null, kickPending: this.kickHandle !== null };
  }

  close(): void {
    this.closed = true;
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = null;
    if (this.kickHandle) clearImmediate(this.kickHandle);
    this.kickHandle = null;
  }
}
