import type { JobStatus } from '../contract/job';
import type { Logger } from './logger';
import { findJobLeader, reapOrphanGroups } from './runners/process-group';
import type { JobStore } from './store/job-store';

export interface RecoverOptions {
  /** The data dir: orphans are recognised by the ERRAND_HOME their host gave them. */
  home?: string;
  /** SIGTERM → SIGKILL grace for orphaned process groups. */
  graceMs?: number;
}

/**
 * Runs when a host opens the store. Jobs recorded as running or waiting belong to a
 * host that died (the data-dir lock guarantees no live one owns them): their process
 * groups are ended first, so nothing runs twice, then each job becomes interrupted,
 * or queued again when it was marked restartable, with an event by "recovery" saying
 * why. Open approvals expire. Logs up to the crash stay readable.
 */
export function recover(store: JobStore, now: number, log: Logger, opts: RecoverOptions = {}): { id: number; status: JobStatus }[] {
  const out: { id: number; status: JobStatus }[] = [];
  const rows = store.rows(['running', 'waiting']);
  if (!rows.length) return out;
  // Each job's process group: as recorded, or, when the host died before it could
  // record it (the pgid is written just after the start), found by the job's own
  // ERRAND_JOB_ID / ERRAND_ATTEMPT / ERRAND_HOME (Linux /proc).
  const groups = new Map<number, number>();
  for (const r of rows) {
    let pgid = r.pgid;
    if (!pgid && r.attempt > 0 && opts.home !== undefined) {
      pgid = findJobLeader({ ERRAND_JOB_ID: String(r.id), ERRAND_ATTEMPT: String(r.attempt), ERRAND_HOME: opts.home }) || null;
    }
    if (pgid) groups.set(r.id, pgid);
  }
  // first end every orphaned process group (all at once, one grace period), then record
  let ended = new Map<number, 'absent' | 'terminated' | 'killed'>();
  try {
    ended = reapOrphanGroups(
      [...groups].map(([jobId, pgid]) => ({ pgid, jobId })),
      opts.graceMs ?? 2000,
      opts.home,
    );
  } catch (e) {
    log.error('could not end the process groups a previous host left', e);
  }
  for (const row of rows) {
    const pgid = groups.get(row.id);
    const reaped = (pgid && ended.get(pgid)) || 'absent';
    if (reaped !== 'absent') log.warn(`job #${row.id}: ended process group ${pgid} left by a previous host (${reaped})`);
    const reason = `the host stopped while it ran${reaped === 'absent' ? '' : `; its leftover processes were ${reaped}`}`;
    const error = `interrupted: ${reason}`;
    const next = store.tx(() => {
      const open = store.openApproval(row.id);
      if (open) store.decideApproval(open.id, 'expired', 'the host stopped before a decision', 'recovery', now);
      if (row.attempt > 0) store.closeAttempt(row.id, row.attempt, { status: 'interrupted', finished_at: now, error, result: row.result });
      store.closeOpenSteps(row.id, row.attempt, 'failed', now);
      const data = { reason, processes: reaped, attempt: row.attempt, ...(open ? { approvalId: open.id } : {}) };
      return row.restartable
        ? store.transition(row.id, 'requeue', { error, pgid: null }, { type: 'requeued', by: 'recovery', data: { ...data, restartable: true } }, now)
        : store.transition(row.id, 'interrupt', { error, finished_at: now, pgid: null }, { type: 'interrupted', by: 'recovery', data }, now);
    });
    out.push({ id: row.id, status: next.status });
  }
  return out;
}
