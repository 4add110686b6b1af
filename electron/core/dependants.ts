import type { JobStatus } from '../contract/job';
import { isDoomed } from '../contract/status';
import type { Announcer } from './announcer';
import { failJob } from './store/job-transitions';
import { jobRow, pendingDependants } from './store/jobs';
import type { Sql } from './store/sql';

const word = (s: JobStatus): string => (s === 'cancelled' ? 'was cancelled' : s === 'interrupted' ? 'was interrupted' : 'failed');

/**
 * Jobs waiting on others (`--after`). When a job will not succeed, everything waiting on
 * it fails too, transitively, saying which dependency; a job added after a dependency
 * has already failed fails at once.
 */
export class Dependants {
  constructor(
    private readonly sql: Sql,
    private readonly announcer: Announcer,
  ) {}

  /** The first dependency that can never succeed, with its status, if any. */
  doomedAmong(after: readonly number[], statuses: Map<number, JobStatus>): [number, JobStatus] | null {
    for (const d of after) {
      const s = statuses.get(d);
      if (s !== undefined && isDoomed(s)) return [d, s];
    }
    return null;
  }

  /** Fails, transitively, the pending jobs that depend on a job that will not succeed. */
  propagate(depId: number, now: number): void {
    const dep = jobRow(this.sql, depId);
    if (!dep) return;
    const stack: [number, JobStatus][] = [[depId, dep.status]];
    while (stack.length) {
      const [d, status] = stack.pop()!;
      for (const id of pendingDependants(this.sql, d)) {
        this.fail(id, d, status, now);
        stack.push([id, 'failed']);
      }
    }
  }

  fail(id: number, depId: number, depStatus: JobStatus, now: number): void {
    const error = `dependency #${depId} ${word(depStatus)}`;
    failJob(this.sql, id, { exitCode: null, signal: null, error, result: null }, { by: 'scheduler', data: { dependency: depId } }, now);
    this.announcer.job(id);
  }
}
