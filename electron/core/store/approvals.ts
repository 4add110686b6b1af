import type { Approval, Decision } from '../../contract/job';
import type { Sql } from './sql';

interface ApprovalRow {
  id: number;
  job_id: number;
  attempt: number;
  question: string;
  context: string | null;
  tool: string | null;
  scope: 'once' | 'job' | null;
  requested_at: number;
  decision: Decision | null;
  note: string | null;
  decided_at: number | null;
  decided_by: string | null;
}

function toApproval(r: ApprovalRow): Approval {
  return {
    id: r.id,
    jobId: r.job_id,
    attempt: r.attempt,
    question: r.question,
    context: r.context,
    tool: r.tool,
    scope: r.scope,
    requestedAt: r.requested_at,
    decision: r.decision,
    note: r.note,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
  };
}

export function insertApproval(sql: Sql, jobId: number, attempt: number, question: string, context: string | null, now: number, tool: string | null = null): number {
  return Number(
    sql.stmt('INSERT INTO approvals (job_id, attempt, question, context, tool, requested_at) VALUES (?, ?, ?, ?, ?, ?)').run(jobId, attempt, question, context, tool, now).lastInsertRowid,
  );
}

export function openApproval(sql: Sql, jobId: number): Approval | undefined {
  const r = sql.stmt('SELECT * FROM approvals WHERE job_id = ? AND decision IS NULL ORDER BY id DESC LIMIT 1').get(jobId) as ApprovalRow | undefined;
  return r && toApproval(r);
}

export function approvalById(sql: Sql, id: number): Approval | undefined {
  const r = sql.stmt('SELECT * FROM approvals WHERE id = ?').get(id) as ApprovalRow | undefined;
  return r && toApproval(r);
}

/** Open approvals of every job, or every approval of one job. */
export function listApprovals(sql: Sql, jobId?: number): Approval[] {
  const rows = (
    jobId === undefined ? sql.stmt('SELECT * FROM approvals WHERE decision IS NULL ORDER BY id').all() : sql.stmt('SELECT * FROM approvals WHERE job_id = ? ORDER BY id').all(jobId)
  ) as ApprovalRow[];
  return rows.map(toApproval);
}

/** Decides an open approval; returns false when it was already decided. */
export function decideApproval(sql: Sql, id: number, decision: Decision, note: string | null, by: string, now: number, scope: 'once' | 'job' | null = null): boolean {
  return (
    sql.stmt('UPDATE approvals SET decision = ?, note = ?, decided_at = ?, decided_by = ?, scope = ? WHERE id = ? AND decision IS NULL').run(decision, note, now, by, scope, id).changes > 0
  );
}
