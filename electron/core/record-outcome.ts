import type { Approval } from '../contract/job';
import type { Outcome } from './outcome';
import { closeAttempt } from './store/attempts';
import { approvalById, decideApproval, openApproval } from './store/approvals';
import type { JobRow } from './store/job-row';
import { type ExitColumns, cancelJob, failJob, interruptJob, requeueJob, resumeJob, succeedJob } from './store/job-transitions';
import type { Sql } from './store/sql';
import { closeOpenSteps } from './store/steps';

export interface Recorded {
  row: JobRow;
  /** The question the job was waiting on when it ended, now expired. */
  expired: Approval | null;
}

export interface RecordOptions {
  /** Who records it: the host as a run ends, or recovery after a crash. */
  by: 'host' | 'recovery';
  /** Extra data for the job's closing event (recovery says what it found). */
  data?: Record<string, unknown>;
}

/**
 * Records, in the caller's transaction, what an attempt's end means: the open question
 * expires, the attempt and its open steps close, and the job makes its transition.
 */
export function recordOutcome(sql: Sql, row: JobRow, attempt: number, outcome: Outcome, exit: ExitColumns, result: string | null, now: number, o: RecordOptions): Recorded {
  return sql.tx(() => {
    let expired: Approval | null = null;
    if (row.status === 'waiting') {
      const open = openApproval(sql, row.id);
      const note = o.by === 'recovery' ? 'the host stopped before a decision' : 'the job ended before a decision';
      if (open && decideApproval(sql, open.id, 'expired', note, o.by, now)) expired = approvalById(sql, open.id)!;
      // the run resumes to end: its trail says the question went unanswered
      if (o.by === 'host') row = resumeJob(sql, row.id, { type: 'approval-expired', by: 'host', data: { approvalId: open?.id } }, now);
    }
    const error = outcome.status === 'succeeded' ? null : outcome.status === 'cancelled' ? `cancelled by ${outcome.by}` : outcome.error;
    if (attempt > 0) closeAttempt(sql, row.id, attempt, { status: outcome.status, finishedAt: now, exitCode: exit.exitCode, signal: exit.signal, error, result });
    closeOpenSteps(sql, row.id, attempt, outcome.status === 'succeeded' ? 'done' : 'failed', now);
    const data = { ...o.data, ...(expired ? { approvalId: expired.id } : {}) };
    switch (outcome.status) {
      case 'succeeded':
        return { row: succeedJob(sql, row.id, exit, result, now), expired };
      case 'cancelled':
        return { row: cancelJob(sql, row.id, outcome.by, exit, now), expired };
      case 'interrupted':
        return {
          row: outcome.requeue
            ? requeueJob(sql, row.id, { ...exit, error: outcome.error, notBefore: null, autoRetries: row.auto_retries }, { by: outcome.by, data: { reason: outcome.by === 'host' ? `${outcome.reason}; the job is restartable` : outcome.reason, ...data } }, now)
            : interruptJob(sql, row.id, { ...exit, error: outcome.error }, { by: outcome.by, data: { reason: outcome.reason, ...data } }, now),
          expired,
        };
      case 'failed': {
        const r = outcome.retry;
        return {
          row: r
            ? requeueJob(
                sql,
                row.id,
                { ...exit, error: outcome.error, notBefore: now + r.inMs, autoRetries: r.n },
                { type: 'retry-scheduled', by: 'scheduler', data: { error: outcome.error, inMs: r.inMs, retry: r.n, of: r.of, ...data } },
                now,
              )
            : failJob(sql, row.id, { ...exit, error: outcome.error, result }, { by: 'job', data: { exitCode: exit.exitCode, signal: exit.signal, ...data } }, now),
          expired,
        };
      }
    }
  });
}
