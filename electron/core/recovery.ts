import type { JobStatus } from '../contract/job';
import { ACTIVE_STATUSES } from '../contract/status';
import type { Logger } from './logger';
import { NO_REQUESTS, decideOutcome } from './outcome';
import { type Recorded, recordOutcome } from './record-outcome';
import { findJobLeader, reapOrphanGroups } from './runners/process-group';
import { leaderExit } from './store/attempts';
import { jobRows } from './store/jobs';
import type { Sql } from './store/sql';

export interface RecoverOptions {
  /** The data dir: orphans are recognised by the ERRAND_HOME their host gave them. */
  home?: string;
  /** SIGTERM → SIGKILL grace for orphaned process groups. */
  graceMs?: number;
}

/**
 * Runs when a host opens the store. Jobs recorded as running or waiting belong to a
 * host that died (the data-dir lock guarantees no live one owns them): their process
 * groups are ended first, so nothing runs twice; then each job's end is decided as any
 * run's is (outcome.ts): when its leader's exit was recorded before the crash, that
 * decides (an exit 0 succeeded, however its leftovers were cut short); otherwise it
 * becomes interrupted, or queued again when it was marked restartable, with an event by
 * "recovery" saying why. Open approvals expire. Logs up to the crash stay readable.
 */
export function recover(sql: Sql, now: number, log: Logger, opts: RecoverOptions = {}): { id: number; status: JobStatus; recorded: Recorded }[] {
  const out: { id: number; status: JobStatus; recorded: Recorded }[] = [];
  const rows = jobRows(sql, ACTIVE_STATUSES);
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
    const leader = row.attempt > 0 ? leaderExit(sql, row.id, row.attempt) : null;
    const end = leader ? { exitCode: leader.exitCode, signal: leader.signal, error: null } : null;
    const outcome = decideOutcome(row, end, { ...NO_REQUESTS, hostDied: reason });
    const data = { processes: reaped, attempt: row.attempt, ...(outcome.status === 'interrupted' && outcome.requeue ? { restartable: true } : {}) };
    const recorded = recordOutcome(sql, row, row.attempt, outcome, end ?? { exitCode: null, signal: null }, row.result, now, { by: 'recovery', data });
    out.push({ id: row.id, status: recorded.row.status, recorded });
  }
  return out;
}
