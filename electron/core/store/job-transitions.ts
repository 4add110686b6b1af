import { ErrandError } from '../../contract/errors';
import type { JobStatus } from '../../contract/job';
import { type Action, TRANSITIONS, refusal } from '../transitions';
import { type EventInput, insertEvent } from './events';
import type { JobRow } from './job-row';
import type { Sql } from './sql';

// One function per state transition (graphile-worker's habit). Each is one guarded
// statement, `UPDATE … WHERE id = ? AND status IN (the legal sources) RETURNING *`, that
// writes exactly the columns it names, plus the job's event, in one transaction. A
// transition that does not apply throws (not_found, or illegal_transition naming the
// status the job is in) and changes nothing.

/** How the leader process of an attempt ended, as far as it is known. */
export interface ExitColumns {
  exitCode: number | null;
  signal: string | null;
}

type Event = Omit<EventInput, 'type'> & { type?: string };

function guarded(sql: Sql, action: Action, id: number, cols: Record<string, string | number | null>, event: EventInput, now: number): JobRow {
  const t = TRANSITIONS[action];
  const names = Object.keys(cols);
  const set = ['status = ?', ...names.map((c) => `${c} = ?`)].join(', ');
  const q = `UPDATE jobs SET ${set} WHERE id = ? AND status IN (${t.from.map(() => '?').join(',')}) RETURNING *`;
  return sql.tx(() => {
    const cur = sql.stmt('SELECT status FROM jobs WHERE id = ?').get(id) as { status: JobStatus } | undefined;
    if (!cur) throw new ErrandError('not_found', `No job #${id}. List jobs with \`errand ls\`.`, 'id');
    const row = sql.stmt(q).get(t.to, ...names.map((c) => cols[c]), id, ...t.from) as JobRow | undefined;
    if (!row) throw new ErrandError('illegal_transition', refusal(action, id, cur.status));
    insertEvent(sql, id, row.attempt, now, { ...event, data: { ...event.data, from: cur.status, to: t.to } });
    return row;
  });
}

/** queued → running: a new attempt begins; what the last one left on the row is cleared. */
export function startJob(sql: Sql, id: number, attempt: number, now: number): JobRow {
  return guarded(
    sql,
    'start',
    id,
    { attempt, started_at: now, finished_at: null, exit_code: null, signal: null, error: null, result: null, progress: null, not_before: null, pgid: null, usage: null },
    { type: 'started', by: 'scheduler', data: { attempt } },
    now,
  );
}

export function holdJob(sql: Sql, id: number, by: string, now: number): JobRow {
  return guarded(sql, 'hold', id, {}, { type: 'held', by }, now);
}

export function releaseJob(sql: Sql, id: number, by: string, now: number): JobRow {
  return guarded(sql, 'release', id, {}, { type: 'released', by }, now);
}

/** running → waiting: the job asked a question (approval `approvalId`). */
export function askJob(sql: Sql, id: number, approvalId: number, question: string, now: number): JobRow {
  return guarded(sql, 'ask', id, {}, { type: 'approval-requested', by: 'job', data: { approvalId, question } }, now);
}

/** waiting → running: the question was decided (or expired). */
export function resumeJob(sql: Sql, id: number, event: EventInput, now: number): JobRow {
  return guarded(sql, 'decide', id, {}, event, now);
}

export function succeedJob(sql: Sql, id: number, exit: ExitColumns, result: string | null, now: number): JobRow {
  return guarded(
    sql,
    'succeed',
    id,
    { finished_at: now, exit_code: exit.exitCode, signal: exit.signal, result, pgid: null },
    { type: 'finished', by: 'job', data: { exitCode: exit.exitCode, result: result ? (JSON.parse(result) as { type: string }).type : undefined } },
    now,
  );
}

/** Ends a job as failed: its run failed, or it can never run (a dependency failed). */
export function failJob(sql: Sql, id: number, f: ExitColumns & { error: string; result: string | null }, event: Event, now: number): JobRow {
  return guarded(
    sql,
    'fail',
    id,
    { finished_at: now, exit_code: f.exitCode, signal: f.signal, error: f.error, result: f.result, pgid: null },
    { type: 'failed', ...event, data: { error: f.error, ...event.data } },
    now,
  );
}

export function cancelJob(sql: Sql, id: number, by: string, exit: ExitColumns | null, now: number): JobRow {
  return guarded(
    sql,
    'cancel',
    id,
    { finished_at: now, error: `cancelled by ${by}`, exit_code: exit?.exitCode ?? null, signal: exit?.signal ?? null, pgid: null },
    { type: 'cancelled', by, data: exit?.signal ? { signal: exit.signal } : {} },
    now,
  );
}

/** running/waiting → interrupted: the host went away under it (shutdown or crash). */
export function interruptJob(sql: Sql, id: number, f: ExitColumns & { error: string }, event: Event, now: number): JobRow {
  return guarded(
    sql,
    'interrupt',
    id,
    { finished_at: now, error: f.error, exit_code: f.exitCode, signal: f.signal, pgid: null },
    { type: 'interrupted', ...event },
    now,
  );
}

/** running/waiting → queued without a person asking: an automatic retry, or a restartable job after a host stop. */
export function requeueJob(sql: Sql, id: number, f: ExitColumns & { error: string; notBefore: number | null; autoRetries: number }, event: Event, now: number): JobRow {
  return guarded(
    sql,
    'requeue',
    id,
    { finished_at: null, error: f.error, exit_code: f.exitCode, signal: f.signal, not_before: f.notBefore, auto_retries: f.autoRetries, pgid: null },
    { type: 'requeued', ...event },
    now,
  );
}

/** finished → queued by a person: same id, a new attempt when it starts; earlier attempts stay readable. */
export function retryJob(sql: Sql, id: number, by: string, previousAttempt: number, now: number): JobRow {
  return guarded(
    sql,
    'retry',
    id,
    { not_before: null, auto_retries: 0, finished_at: null, error: null, exit_code: null, signal: null, read_at: null, progress: null, result: null },
    { type: 'retried', by, data: { previousAttempt } },
    now,
  );
}

/** Refuses (throws) unless `action` may start from the row's status; for all-or-nothing batches. */
export function assertCan(action: Action, row: Pick<JobRow, 'id' | 'status'>): void {
  if (!(TRANSITIONS[action].from as readonly JobStatus[]).includes(row.status)) throw new ErrandError('illegal_transition', refusal(action, row.id, row.status));
}
