import type { Progress } from '../../contract/job';
import { ACTIVE_STATUSES, FINISHED_STATUSES } from '../../contract/status';
import type { Sql } from './sql';
import { sqlList } from './sql-lists';

// Writes to a job that are not a change of status. Each is guarded like a transition:
// what belongs to a run (plan, result, pgid, progress) is written only while that very
// attempt is running or waiting, so a late report from an attempt that has ended can
// never land on the next one or on a finished job.

const LIVE = `status IN ${sqlList(ACTIVE_STATUSES)}`;
const FINISHED_IN = sqlList(FINISHED_STATUSES);

/** Returns false when the job does not exist. */
export function setPriority(sql: Sql, id: number, priority: number): boolean {
  return sql.stmt('UPDATE jobs SET priority = ? WHERE id = ?').run(priority, id).changes > 0;
}

/** Returns false when that attempt is no longer live. */
export function setPlan(sql: Sql, id: number, attempt: number, plan: readonly string[]): boolean {
  return sql.stmt(`UPDATE jobs SET plan = ? WHERE id = ? AND attempt = ? AND ${LIVE}`).run(JSON.stringify(plan), id, attempt).changes > 0;
}

/** Returns false when that attempt is no longer live. */
export function setResult(sql: Sql, id: number, attempt: number, result: string): boolean {
  return sql.stmt(`UPDATE jobs SET result = ? WHERE id = ? AND attempt = ? AND ${LIVE}`).run(result, id, attempt).changes > 0;
}

/** Records the process group of a live attempt on its job (a soft write; attempts.ts records it on the attempt). */
export function setJobPgid(sql: Sql, id: number, attempt: number, pgid: number): void {
  sql.stmt(`UPDATE jobs SET pgid = ? WHERE id = ? AND attempt = ? AND ${LIVE}`).run(pgid, id, attempt);
}

/** The tokens an agent job has used so far (a soft write: a hint, not a state change). */
export function setUsage(sql: Sql, id: number, attempt: number, usage: string): void {
  sql.softWrite(() => {
    sql.stmt(`UPDATE jobs SET usage = ? WHERE id = ? AND attempt = ? AND ${LIVE}`).run(usage, id, attempt);
  });
}

/** Batched progress; an entry whose attempt is no longer live is dropped. */
export function writeProgress(sql: Sql, entries: Iterable<[number, { attempt: number; progress: Progress }]>): void {
  const s = sql.stmt(`UPDATE jobs SET progress = ? WHERE id = ? AND attempt = ? AND ${LIVE}`);
  sql.softWrite(() => {
    for (const [id, p] of entries) s.run(JSON.stringify(p.progress), id, p.attempt);
  });
}

/** Marks finished jobs as looked at; returns the ids that were unread. */
export function markRead(sql: Sql, ids: readonly number[], now: number): number[] {
  const s = sql.stmt(`UPDATE jobs SET read_at = ? WHERE id = ? AND read_at IS NULL AND status IN ${FINISHED_IN}`);
  return sql.tx(() => ids.filter((id) => s.run(now, id).changes > 0));
}
