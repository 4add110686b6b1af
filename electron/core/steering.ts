import fs from 'node:fs';
import { ErrandError } from '../contract/errors';
import type { Job } from '../contract/job';
import { isDoomed, isFinished } from '../contract/status';
import type { Announcer } from './announcer';
import type { Dependants } from './dependants';
import type { JobViews } from './job-views';
import type { Logger } from './logger';
import { logDir } from './paths';
import type { Scheduler } from './scheduler';
import type { Supervisor } from './supervisor';
import { insertEvent } from './store/events';
import type { JobRow } from './store/job-row';
import { assertCan, cancelJob, holdJob, releaseJob, retryJob } from './store/job-transitions';
import { markRead, setPriority } from './store/job-updates';
import { finishedBefore, isolatedRepos, jobStatuses, removeJobs, requireJob } from './store/jobs';
import { type Sql, parseJson } from './store/sql';
import { removeJobWorktrees } from './worktree-sweep';

export interface SteeringDeps {
  sql: Sql;
  home: string;
  log: Logger;
  views: JobViews;
  announcer: Announcer;
  supervisor: Supervisor;
  scheduler: Scheduler;
  dependants: Dependants;
}

/**
 * What a person does to jobs: cancel, retry, hold, release, prioritise, mark read,
 * remove. A request naming several jobs is all or nothing: it is refused, naming the job
 * at fault, before any of them is touched.
 */
export class Steering {
  /** Worktree removals still under way (git runs off the event loop, after the reply). */
  private removing: Promise<void> = Promise.resolve();

  constructor(private readonly d: SteeringDeps) {}

  /** Resolves once the worktrees of every job removed so far are gone. */
  worktreesRemoved(): Promise<void> {
    return this.removing;
  }

  /**
   * Cancels jobs: queued/held ones at once; running/waiting ones are stopped (SIGTERM to
   * their whole process group, SIGKILL after the grace). Resolves once nothing of them runs.
   */
  async cancel(ids: readonly number[], by: string): Promise<Job[]> {
    const rows = this.rowsFor(ids, 'cancel');
    const now = Date.now();
    const waits: Promise<void>[] = [];
    const idle: JobRow[] = [];
    for (const row of rows) {
      const stopping = this.d.supervisor.cancel(row.id, by);
      if (stopping) {
        this.d.announcer.job(row.id);
        waits.push(stopping);
      } else idle.push(row);
    }
    if (idle.length) {
      this.d.sql.tx(() => {
        for (const row of idle) cancelJob(this.d.sql, row.id, by, null, now);
      });
      for (const row of idle) {
        this.d.announcer.job(row.id);
        this.d.dependants.propagate(row.id, now);
      }
    }
    await Promise.all(waits);
    this.d.scheduler.kick();
    return this.views(rows.map((r) => r.id));
  }

  /** Puts finished jobs back in the queue: same id, a new attempt when it starts. */
  retry(ids: readonly number[], by: string): Job[] {
    const rows = this.rowsFor(ids, 'retry');
    const retrying = new Set(rows.map((r) => r.id));
    for (const row of rows) {
      for (const [dep, s] of jobStatuses(this.d.sql, parseJson<number[]>(row.after) ?? [])) {
        if (isDoomed(s) && !retrying.has(dep)) {
          throw new ErrandError('illegal_transition', `Cannot retry job #${row.id}: its dependency #${dep} is ${s}. Retry #${dep} first (or both together).`);
        }
      }
    }
    const now = Date.now();
    const out = this.d.sql.tx(() => rows.map((row) => retryJob(this.d.sql, row.id, by, row.attempt, now)));
    for (const r of out) this.d.announcer.job(r.id);
    this.d.scheduler.kick();
    return out.map((r) => this.d.views.view(r));
  }

  hold(ids: readonly number[], by: string): Job[] {
    const rows = this.rowsFor(ids, 'hold');
    const now = Date.now();
    const out = this.d.sql.tx(() => rows.map((r) => holdJob(this.d.sql, r.id, by, now)));
    for (const r of out) this.d.announcer.job(r.id);
    return out.map((r) => this.d.views.view(r));
  }

  release(ids: readonly number[], by: string): Job[] {
    const rows = this.rowsFor(ids, 'release');
    const now = Date.now();
    const out = this.d.sql.tx(() => rows.map((r) => releaseJob(this.d.sql, r.id, by, now)));
    for (const r of out) this.d.announcer.job(r.id);
    this.d.scheduler.kick();
    return out.map((r) => this.d.views.view(r));
  }

  prioritise(id: number, priority: number, by: string): Job {
    const { sql } = this.d;
    const row = requireJob(sql, id);
    if (row.priority !== priority) {
      const now = Date.now();
      sql.tx(() => {
        setPriority(sql, id, priority);
        insertEvent(sql, id, row.attempt, now, { type: 'priority', by, data: { from: row.priority, to: priority } });
      });
      this.d.announcer.job(id);
      this.d.scheduler.kick();
    }
    return this.views([id])[0]!;
  }

  markRead(ids: readonly number[]): void {
    const unique = [...new Set(ids)];
    unique.forEach((id) => requireJob(this.d.sql, id, `ids.${ids.indexOf(id)}`));
    const changed = markRead(this.d.sql, unique, Date.now());
    for (const id of changed) this.d.announcer.job(id);
    this.d.announcer.status();
  }

  /** Removes finished jobs with their logs; unfinished ones must be cancelled first. */
  remove(ids: readonly number[], by: string): number[] {
    const rows = [...new Set(ids)].map((id) => requireJob(this.d.sql, id, `ids.${ids.indexOf(id)}`));
    const busy = rows.find((r) => !isFinished(r.status));
    if (busy) throw new ErrandError('illegal_transition', `Cannot remove job #${busy.id}: it is ${busy.status}. Cancel it first.`);
    return this.drop(rows.map((r) => r.id), by);
  }

  /** Removes every job that finished at least `olderThanMs` ago. */
  clean(olderThanMs: number, by: string): number[] {
    return this.drop(finishedBefore(this.d.sql, Date.now() - olderThanMs), by);
  }

  private drop(ids: number[], by: string): number[] {
    if (!ids.length) return [];
    const repos = isolatedRepos(this.d.sql, ids);
    const removed = removeJobs(this.d.sql, ids);
    for (const id of removed) fs.rmSync(logDir(this.d.home, id), { recursive: true, force: true });
    // their worktrees and branches go too; should the host die first, the next one's sweep finds them
    const worktrees = removed.filter((id) => repos.has(id)).map((id) => ({ id, repo: repos.get(id)! }));
    if (worktrees.length) {
      const done = removeJobWorktrees(this.d.home, worktrees, this.d.log);
      this.removing = Promise.all([this.removing, done]).then(() => undefined);
    }
    this.d.log.info(`removed ${removed.length} job(s) by ${by}`);
    if (removed.length) this.d.announcer.removed(removed);
    return removed;
  }

  /** The rows a multi-job request names, refused as a whole unless every one can take the action. */
  private rowsFor(ids: readonly number[], action: 'cancel' | 'retry' | 'hold' | 'release'): JobRow[] {
    const rows = [...new Set(ids)].map((id) => requireJob(this.d.sql, id, `ids.${ids.indexOf(id)}`));
    for (const r of rows) assertCan(action, r);
    return rows;
  }

  private views(ids: readonly number[]): Job[] {
    return ids.map((id) => this.d.views.view(requireJob(this.d.sql, id)));
  }
}
