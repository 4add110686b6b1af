import fs from 'node:fs';
import type { Approval, Job, QueueState, StatusSummary } from '../contract/job';
import type { EventHub } from './event-hub';
import type { JobViews } from './job-views';

/**
 * Tells listeners what changed: state changes at once, chatty ones (progress, steps, log
 * growth) coalesced to at most one per job per interval, the status line once after a
 * burst. With nobody listening nothing is built.
 */
export class Announcer {
  constructor(
    private readonly hub: EventHub,
    private readonly views: JobViews,
    private readonly summary: () => StatusSummary | null,
  ) {}

  get listening(): boolean {
    return this.hub.size > 0;
  }

  /** A state change: sent at once (replacing any coalesced update of the same job). */
  job(id: number): void {
    if (!this.hub.size) return;
    const job = this.views.byId(id);
    if (job) this.hub.emit({ type: 'job', job }, `job:${id}`);
    this.status();
  }

  /** A job built by the caller (a batch announced from the values at hand). */
  jobView(job: Job): void {
    this.hub.emit({ type: 'job', job }, `job:${job.id}`);
  }

  /** A change that may come thousands of times a second: at most one update per interval. */
  jobSoon(id: number): void {
    if (!this.hub.size) return;
    this.hub.coalesce(`job:${id}`, () => {
      const job = this.views.byId(id);
      return job ? { type: 'job', job } : null;
    });
  }

  /** The status summary, computed once after a burst of changes, not in the middle of it. */
  status(): void {
    if (!this.hub.size) return;
    this.hub.coalesce(
      'status',
      () => {
        const status = this.summary();
        return status ? { type: 'status', status } : null;
      },
      true,
    );
  }

  queue(queue: QueueState): void {
    this.hub.emit({ type: 'queue', queue });
  }

  approval(approval: Approval): void {
    this.hub.emit({ type: 'approval', approval });
  }

  removed(ids: number[]): void {
    for (const id of ids) this.forget(id);
    this.hub.emit({ type: 'removed', ids });
    this.status();
  }

  /** The attempt's log grew: its new size, at most once per interval. */
  log(jobId: number, attempt: number, file: string): void {
    this.hub.coalesce(`log:${jobId}`, () => ({ type: 'log', jobId, attempt, size: fileSize(file) }));
  }

  /** A run ended: its last log news goes out now, then nothing more is kept for it. */
  runEnded(id: number): void {
    this.hub.flush(`log:${id}`);
    this.job(id);
    this.forget(id);
  }

  private forget(id: number): void {
    this.hub.forget(`job:${id}`);
    this.hub.forget(`log:${id}`);
  }
}

export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
