import type { Attempt, JobResult, JobStatus } from '../../contract/job';
import { type Sql, parseJson } from './sql';

// The attempts table: one row per run of a job. A row is opened when the run is claimed
// and closed exactly once (guarded by finished_at IS NULL).

export function openAttempt(sql: Sql, jobId: number, n: number, now: number): void {
  sql.stmt('INSERT OR REPLACE INTO attempts (job_id, n, status, started_at) VALUES (?, ?, ?, ?)').run(jobId, n, 'running', now);
}

export interface AttemptEnd {
  status: JobStatus;
  finishedAt: number;
  exitCode: number | null;
  signal: string | null;
  error: string | null;
  result: string | null;
}

/** Closes an open attempt; returns false when it was already closed (or never opened). */
export function closeAttempt(sql: Sql, jobId: number, n: number, e: AttemptEnd): boolean {
  return (
    sql
      .stmt('UPDATE attempts SET status = ?, finished_at = ?, exit_code = ?, signal = ?, error = ?, result = ? WHERE job_id = ? AND n = ? AND finished_at IS NULL')
      .run(e.status, e.finishedAt, e.exitCode, e.signal, e.error, e.result, jobId, n).changes > 0
  );
}

/** Records the process group of an open attempt. */
export function setAttemptPgid(sql: Sql, jobId: number, n: number, pgid: number): void {
  sql.stmt('UPDATE attempts SET pgid = ? WHERE job_id = ? AND n = ? AND finished_at IS NULL').run(pgid, jobId, n);
}

export interface LeaderExit {
  exitCode: number | null;
  signal: string | null;
  at: number;
}

/**
 * Records how the attempt's leader process ended, the moment it does (a soft write), once.
 * What happens after (leftover children draining, patch capture, a cancel or a crash in
 * between) cannot change that the job itself exited 0.
 */
export function recordLeaderExit(sql: Sql, jobId: number, n: number, e: LeaderExit): void {
  sql.softWrite(() => {
    sql
      .stmt('UPDATE attempts SET leader_exit_code = ?, leader_signal = ?, leader_exited_at = ? WHERE job_id = ? AND n = ? AND finished_at IS NULL AND leader_exited_at IS NULL')
      .run(e.exitCode, e.signal, e.at, jobId, n);
  });
}

/** The leader's end recorded for an attempt, if any. */
export function leaderExit(sql: Sql, jobId: number, n: number): LeaderExit | null {
  const r = sql.stmt('SELECT leader_exit_code AS c, leader_signal AS s, leader_exited_at AS t FROM attempts WHERE job_id = ? AND n = ?').get(jobId, n) as
    | { c: number | null; s: string | null; t: number | null }
    | undefined;
  return r && r.t !== null ? { exitCode: r.c, signal: r.s, at: r.t } : null;
}

export function listAttempts(sql: Sql, jobId: number, logBytes: (n: number) => number): Attempt[] {
  const rows = sql.stmt('SELECT * FROM attempts WHERE job_id = ? ORDER BY n').all(jobId) as {
    n: number;
    status: JobStatus;
    started_at: number;
    finished_at: number | null;
    exit_code: number | null;
    signal: string | null;
    error: string | null;
    result: string | null;
  }[];
  return rows.map((r) => ({
    n: r.n,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    exitCode: r.exit_code,
    signal: r.signal,
    error: r.error,
    result: parseJson<JobResult>(r.result),
    logBytes: logBytes(r.n),
  }));
}

/** The result an attempt ended with (null: none); undefined when there is no such attempt. */
export function attemptResult(sql: Sql, jobId: number, n: number): JobResult | null | undefined {
  const r = sql.stmt('SELECT result FROM attempts WHERE job_id = ? AND n = ?').get(jobId, n) as { result: string | null } | undefined;
  return r ? parseJson<JobResult>(r.result) : undefined;
}

/** Successful run durations (ms) of jobs sharing an ETA key, newest first. */
export function durations(sql: Sql, etaKey: string, limit: number): number[] {
  const rows = sql
    .stmt(
      `SELECT a.finished_at - a.started_at AS d FROM attempts a JOIN jobs j ON j.id = a.job_id
       WHERE j.eta_key = ? AND a.status = 'succeeded' AND a.finished_at IS NOT NULL
       ORDER BY a.finished_at DESC LIMIT ?`,
    )
    .all(etaKey, limit) as { d: number }[];
  return rows.map((r) => r.d);
}

/** Successful run durations for many ETA keys at once (newest first per key, at most `limit` each). */
export function durationsMany(sql: Sql, keys: readonly string[], limit: number): Map<string, number[]> {
  const out = new Map<string, number[]>(keys.map((k) => [k, []]));
  const st = sql.raw(
    `SELECT j.eta_key, a.finished_at - a.started_at FROM attempts a JOIN jobs j ON j.id = a.job_id
     WHERE j.eta_key IN (SELECT value FROM json_each(?)) AND a.status = 'succeeded' AND a.finished_at IS NOT NULL
     ORDER BY a.finished_at DESC`,
  );
  for (let i = 0; i < keys.length; i += 500) {
    for (const [k, d] of st.all(JSON.stringify(keys.slice(i, i + 500))) as [string, number][]) {
      const list = out.get(k)!;
      if (list.length < limit) list.push(d);
    }
  }
  return out;
}
