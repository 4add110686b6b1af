import type { JobEvent } from '../../contract/job';
import type { Sql } from './sql';

export interface EventInput {
  type: string;
  by: string;
  data?: Record<string, unknown>;
}

/** Appends to a job's audit trail (never rewritten). Undefined values are left out. */
export function insertEvent(sql: Sql, jobId: number, attempt: number, at: number, e: EventInput): void {
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e.data ?? {})) if (v !== undefined) data[k] = v;
  sql.stmt('INSERT INTO events (job_id, attempt, at, type, by, data) VALUES (?, ?, ?, ?, ?, ?)').run(jobId, attempt, at, e.type, e.by, JSON.stringify(data));
}

/** The newest `limit` events of a job, oldest first. */
export function jobEvents(sql: Sql, jobId: number, limit = 1000): JobEvent[] {
  const rows = sql.stmt('SELECT * FROM (SELECT * FROM events WHERE job_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id').all(jobId, limit) as {
    id: number;
    job_id: number;
    attempt: number;
    at: number;
    type: string;
    by: string;
    data: string;
  }[];
  return rows.map((r) => ({ id: r.id, jobId: r.job_id, attempt: r.attempt, at: r.at, type: r.type, by: r.by, data: JSON.parse(r.data) as Record<string, unknown> }));
}
