import type { Step, StepStatus, ToolKind } from '../../contract/job';
import { insertEvent } from './events';
import type { Sql } from './sql';

export function listSteps(sql: Sql, jobId: number): Step[] {
  const rows = sql.stmt('SELECT * FROM steps WHERE job_id = ? ORDER BY attempt, idx').all(jobId) as {
    attempt: number;
    idx: number;
    name: string;
    status: StepStatus;
    started_at: number | null;
    finished_at: number | null;
    tool: ToolKind | null;
    detail: string | null;
  }[];
  return rows.map((r) => ({ attempt: r.attempt, index: r.idx, name: r.name, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at, tool: r.tool, detail: r.detail }));
}

/**
 * Records a step. The record only ever grows: a new running step closes the running
 * one before it as done; a finishing status closes the latest running step of that
 * name; anything else (a step reported finished without having run, or reported
 * again after it finished) is appended as a new entry, never rewriting an old one.
 */
export interface StepTool {
  tool: ToolKind;
  detail: string | null;
}

export function recordStep(sql: Sql, jobId: number, attempt: number, name: string, status: StepStatus, now: number, by = 'job', tool: StepTool | null = null): void {
  // A soft write (no fsync): an agent reports hundreds of steps, and a step is a record of
  // work, not a state change; only an OS crash can drop the last few, with the run itself.
  sql.softWrite(() => {
    const close = sql.stmt('UPDATE steps SET status = ?, finished_at = ? WHERE job_id = ? AND attempt = ? AND idx = ?');
    const append = (st: StepStatus, finishedAt: number | null): void => {
      const next = (sql.stmt('SELECT COALESCE(MAX(idx), -1) + 1 AS n FROM steps WHERE job_id = ? AND attempt = ?').get(jobId, attempt) as { n: number }).n;
      sql
        .stmt('INSERT INTO steps (job_id, attempt, idx, name, status, started_at, finished_at, tool, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(jobId, attempt, next, name, st, now, finishedAt, tool?.tool ?? null, tool?.detail ?? null);
    };
    if (status === 'running') {
      const open = sql.stmt("SELECT idx FROM steps WHERE job_id = ? AND attempt = ? AND status = 'running'").all(jobId, attempt) as { idx: number }[];
      for (const o of open) close.run('done', now, jobId, attempt, o.idx);
      append('running', null);
    } else {
      const running = sql.stmt("SELECT idx FROM steps WHERE job_id = ? AND attempt = ? AND name = ? AND status = 'running' ORDER BY idx DESC LIMIT 1").get(jobId, attempt, name) as
        | { idx: number }
        | undefined;
      if (running) close.run(status, now, jobId, attempt, running.idx);
      else append(status, now);
    }
    insertEvent(sql, jobId, attempt, now, { type: 'step', by, data: { name, status, tool: tool?.tool } });
  });
}

/** Closes steps still open when an attempt ends: done on success, failed otherwise. */
export function closeOpenSteps(sql: Sql, jobId: number, attempt: number, status: StepStatus, now: number): void {
  sql.stmt("UPDATE steps SET status = ?, finished_at = ? WHERE job_id = ? AND attempt = ? AND status = 'running'").run(status, now, jobId, attempt);
}

/** The step a live attempt is in now (the newest running one), if any. */
export function currentStep(sql: Sql, jobId: number, attempt: number): { name: string; tool: ToolKind | null } | null {
  const r = sql.stmt("SELECT name, tool FROM steps WHERE job_id = ? AND attempt = ? AND status = 'running' ORDER BY idx DESC LIMIT 1").get(jobId, attempt) as
    | { name: string; tool: ToolKind | null }
    | undefined;
  return r ?? null;
}
