import { ErrandError } from '../../contract/errors';
import type { JobStatus } from '../../contract/job';
import { FINISHED_STATUSES, JOB_STATUSES, PENDING_STATUSES, PROBLEM_STATUSES } from '../../contract/status';
import { JOB_SELECT, type JobRow, type NewJob, toJobRow } from './job-row';
import type { Sql } from './sql';
import { sqlList } from './sql-lists';

// Reads and inserts of the jobs table. Status changes are in job-transitions.ts, other
// writes in job-updates.ts: each guarded, each owning its columns.

const FINISHED_IN = sqlList(FINISHED_STATUSES);
const PROBLEM_IN = sqlList(PROBLEM_STATUSES);
const PENDING_IN = sqlList(PENDING_STATUSES);
/** A result worth a person's reading: any but `none` (contract/status.ts attentionOf). */
const READABLE_RESULT = "result IS NOT NULL AND json_extract(result, '$.type') != 'none'";

/**
 * Inserts queued jobs, each with its dependencies and "created" event, all in one
 * transaction (the batch path: no savepoint or read-back per job). Returns their ids.
 */
export function insertJobs(sql: Sql, jobs: readonly NewJob[], now: number, by: string): number[] {
  const ins = sql.stmt(
    `INSERT INTO jobs (title, kind, spec, cwd, priority, after, labels, status, max_retries, retry_backoff_ms, timeout_ms,
       not_before, restartable, capture_patch, lock_tree, eta_key, plan, created_at, added_by)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const dep = sql.stmt('INSERT OR IGNORE INTO job_deps (job_id, dep_id) VALUES (?, ?)');
  const ev = sql.stmt("INSERT INTO events (job_id, attempt, at, type, by, data) VALUES (?, 0, ?, 'created', ?, ?)");
  return sql.tx(() =>
    jobs.map((job) => {
      const after = JSON.stringify(job.after);
      const id = Number(
        ins.run(
          job.title,
          job.kind,
          JSON.stringify(job.spec),
          job.cwd,
          job.priority,
          after,
          JSON.stringify(job.labels),
          job.maxRetries,
          job.retryBackoffMs,
          job.timeoutMs,
          job.notBefore,
          job.restartable ? 1 : 0,
          job.capturePatch ? 1 : 0,
          job.lockTree,
          job.etaKey,
          JSON.stringify(job.plan),
          now,
          by,
        ).lastInsertRowid,
      );
      for (const d of job.after) dep.run(id, d);
      ev.run(id, now, by, `{"title":${JSON.stringify(job.title)},"priority":${job.priority},"after":${after}}`);
      return id;
    }),
  );
}

/** The whole row, result included. */
export function jobRow(sql: Sql, id: number): JobRow | undefined {
  return sql.stmt('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
}

/** A job's status and attempt only: the cheap check of who may report. */
export function jobState(sql: Sql, id: number): Pick<JobRow, 'id' | 'status' | 'attempt'> | undefined {
  return sql.stmt('SELECT id, status, attempt FROM jobs WHERE id = ?').get(id) as Pick<JobRow, 'id' | 'status' | 'attempt'> | undefined;
}

export function requireJob(sql: Sql, id: number, field = 'id'): JobRow {
  const r = jobRow(sql, id);
  if (!r) throw new ErrandError('not_found', `No job #${id}. List jobs with \`errand ls\`.`, field);
  return r;
}

/** One row as lists read it (a result's type and summary only). */
export function listRow(sql: Sql, id: number): JobRow | undefined {
  const r = sql.raw(`${JOB_SELECT} WHERE id = ?`).get(id) as unknown[] | undefined;
  return r && toJobRow(r);
}

export interface PageQuery {
  statuses?: readonly JobStatus[] | undefined;
  limit?: number | undefined;
  order?: 'id' | 'newest';
  beforeId?: number | undefined;
  afterId?: number | undefined;
  unread?: boolean | undefined;
  /** What a person must not miss: unread failures, and unread results worth reading. */
  notable?: boolean;
}

/** A page of list rows: filtered, oldest or newest first, before or after an id. */
export function jobPage(sql: Sql, o: PageQuery): JobRow[] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (o.statuses?.length && o.statuses.length < JOB_STATUSES.length) {
    where.push(`status IN (${o.statuses.map(() => '?').join(',')})`);
    args.push(...o.statuses);
  }
  if (o.beforeId !== undefined) {
    where.push('id < ?');
    args.push(o.beforeId);
  }
  if (o.afterId) {
    where.push('id > ?');
    args.push(o.afterId);
  }
  if (o.unread) where.push(`read_at IS NULL AND status IN ${FINISHED_IN}`);
  if (o.notable) where.push(`read_at IS NULL AND (status IN ${PROBLEM_IN} OR (status = 'succeeded' AND ${READABLE_RESULT}))`);
  const q = `${JOB_SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id${o.order === 'newest' ? ' DESC' : ''} LIMIT ?`;
  return (sql.raw(q).all(...args, o.limit ?? -1) as unknown[][]).map(toJobRow);
}

export function jobRows(sql: Sql, statuses?: readonly JobStatus[], limit = -1): JobRow[] {
  return jobPage(sql, { statuses, limit });
}

/** Statuses of many jobs in one query; ids that do not exist are absent from the map. */
export function jobStatuses(sql: Sql, ids: readonly number[]): Map<number, JobStatus> {
  const out = new Map<number, JobStatus>();
  if (!ids.length) return out;
  if (ids.length === 1) {
    const r = sql.stmt('SELECT status FROM jobs WHERE id = ?').get(ids[0]) as { status: JobStatus } | undefined;
    if (r) out.set(ids[0]!, r.status);
    return out;
  }
  const rows = sql.stmt('SELECT id, status FROM jobs WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as { id: number; status: JobStatus }[];
  for (const r of rows) out.set(r.id, r.status);
  return out;
}

/** Queued jobs that may start now: due, every dependency succeeded (a removed one counts as done). */
export function readyJobs(sql: Sql, now: number, limit: number): JobRow[] {
  return (
    sql
      .raw(
        `${JOB_SELECT} WHERE status = 'queued' AND (not_before IS NULL OR not_before <= ?)
         AND NOT EXISTS (SELECT 1 FROM job_deps d JOIN jobs p ON p.id = d.dep_id WHERE d.job_id = jobs.id AND p.status != 'succeeded')
         ORDER BY priority DESC, id LIMIT ?`,
      )
      .all(now, limit) as unknown[][]
  ).map(toJobRow);
}

/** When the next delayed job becomes due, or null. */
export function nextDue(sql: Sql, now: number): number | null {
  // the partial index holds only delayed queued jobs: no scan of the queue (migration 2)
  const r = sql.stmt("SELECT MIN(not_before) AS t FROM jobs INDEXED BY jobs_due WHERE status = 'queued' AND not_before > ?").get(now) as { t: number | null };
  return r.t;
}

/** ETA keys of the first `limit` queued jobs (blocked or not), in the order they would start. */
export function queuedKeys(sql: Sql, limit: number): string[] {
  return (sql.raw("SELECT eta_key FROM jobs WHERE status = 'queued' ORDER BY priority DESC, id LIMIT ?").all(limit) as [string][]).map((r) => r[0]);
}

export function statusCounts(sql: Sql): Record<JobStatus, number> {
  const out = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  for (const r of sql.stmt('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as { status: JobStatus; n: number }[]) out[r.status] = r.n;
  return out;
}

/** Failed or interrupted jobs nobody has looked at: part of "needs you". */
export function unreadProblems(sql: Sql): number {
  return (sql.stmt(`SELECT COUNT(*) AS n FROM jobs INDEXED BY jobs_unread_problems WHERE status IN ${PROBLEM_IN} AND read_at IS NULL`).get() as { n: number }).n;
}

/** Succeeded jobs with a result worth reading (not `none`) nobody has opened. */
export function unreadResults(sql: Sql): number {
  return (
    sql
      .stmt(`SELECT COUNT(*) AS n FROM jobs INDEXED BY jobs_unread_results WHERE status = 'succeeded' AND read_at IS NULL AND ${READABLE_RESULT}`)
      .get() as { n: number }
  ).n;
}

/** Jobs still waiting to start that depend on this one. */
export function pendingDependants(sql: Sql, depId: number): number[] {
  return (sql.stmt(`SELECT d.job_id AS id FROM job_deps d JOIN jobs j ON j.id = d.job_id WHERE d.dep_id = ? AND j.status IN ${PENDING_IN}`).all(depId) as { id: number }[]).map(
    (r) => r.id,
  );
}

export function finishedBefore(sql: Sql, t: number): number[] {
  return (sql.stmt(`SELECT id FROM jobs WHERE status IN ${FINISHED_IN} AND COALESCE(finished_at, created_at) <= ?`).all(t) as { id: number }[]).map((r) => r.id);
}

/** The repository of each of these jobs that runs in its own worktree (spec.isolate.repo), by id. */
export function isolatedRepos(sql: Sql, ids: readonly number[]): Map<number, string> {
  const rows = sql
    .stmt("SELECT id, json_extract(spec, '$.isolate.repo') AS repo FROM jobs WHERE id IN (SELECT value FROM json_each(?)) AND json_extract(spec, '$.isolate.repo') IS NOT NULL")
    .all(JSON.stringify(ids)) as { id: number; repo: string }[];
  return new Map(rows.map((r) => [r.id, r.repo]));
}

/** Deletes finished jobs with everything of theirs (attempts, steps, approvals by cascade; events). */
export function removeJobs(sql: Sql, ids: readonly number[]): number[] {
  const events = sql.stmt('DELETE FROM events WHERE job_id = ?');
  const job = sql.stmt(`DELETE FROM jobs WHERE id = ? AND status IN ${FINISHED_IN}`);
  return sql.tx(() =>
    ids.filter((id) => {
      if (!job.run(id).changes) return false;
      events.run(id);
      return true;
    }),
  );
}

/** Highest job id ever handed out (ids are never reused, even after removal). */
export function lastJobId(sql: Sql): number {
  const r = sql.stmt("SELECT seq FROM sqlite_sequence WHERE name = 'jobs'").get() as { seq: number } | undefined;
  return r?.seq ?? 0;
}

/** Row counts of every table: what tests compare to prove a refused call changed nothing. */
export function tableCounts(sql: Sql): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of ['jobs', 'job_deps', 'attempts', 'steps', 'events', 'approvals', 'settings']) {
    out[t] = (sql.stmt(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  }
  return out;
}
