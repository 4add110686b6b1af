import { formatDuration } from '../contract/format';
import type { JobStatus } from '../contract/job';
import type { LeaderEnd } from './runners/runner';

/**
 * What was asked of a run before its leader ended. The supervisor records a request only
 * while the leader still runs: a cancel or shutdown that lands while leftovers drain or a
 * patch is captured stops what is left, but cannot change how the job itself ended.
 */
export interface RunRequests {
  cancelledBy: string | null;
  shutdown: boolean;
  timedOut: boolean;
  stalledAfterMs: number | null;
  /** Recovery: the host died under the run; why, in words. */
  hostDied: string | null;
}

export const NO_REQUESTS: RunRequests = Object.freeze({ cancelledBy: null, shutdown: false, timedOut: false, stalledAfterMs: null, hostDied: null });

/** The row fields an outcome depends on. */
export interface OutcomeRow {
  restartable: number | boolean;
  auto_retries: number;
  max_retries: number;
  retry_backoff_ms: number;
  timeout_ms: number | null;
}

export type Outcome =
  | { status: 'succeeded' }
  | { status: 'cancelled'; by: string }
  /** The host went away under the run: interrupted, or queued again when the job is restartable. */
  | { status: 'interrupted'; error: string; requeue: boolean; by: 'host' | 'recovery'; reason: string }
  /** A failed run: `retry` when an automatic retry is left (the job goes back to the queue). */
  | { status: 'failed'; error: string; retry: { inMs: number; n: number; of: number } | null };

const MAX_BACKOFF_MS = 3_600_000;

/**
 * What an ended run means for its job: one pure function, the whole rulebook.
 * `end` is null when the leader's end is unknown (the host died before seeing it).
 */
export function decideOutcome(row: OutcomeRow, end: LeaderEnd | null, req: RunRequests): Outcome {
  if (req.shutdown || (end === null && req.hostDied !== null) || end === null) {
    const by = req.shutdown ? 'host' : 'recovery';
    const reason = req.shutdown ? 'host shut down' : (req.hostDied ?? 'the host stopped while it ran');
    const error = req.shutdown ? 'interrupted: the host shut down while it ran' : `interrupted: ${reason}`;
    return { status: 'interrupted', error, requeue: Boolean(row.restartable), by, reason };
  }
  if (req.cancelledBy !== null) return { status: 'cancelled', by: req.cancelledBy };
  if (end.exitCode === 0 && end.error === null && !req.timedOut && req.stalledAfterMs === null) return { status: 'succeeded' };
  // Errand's own reason for stopping it comes first: whatever the run said as it was
  // stopped (an agent's "aborted") is a consequence, not the cause
  const error =
    req.timedOut && row.timeout_ms !== null
      ? `timed out after ${formatMs(row.timeout_ms)}`
      : req.stalledAfterMs !== null
        ? `stalled: no sign of life for ${formatMs(req.stalledAfterMs)}`
        : (end.error ?? (end.signal ? `killed by ${end.signal}` : `exited with code ${end.exitCode}`));
  if (row.auto_retries < row.max_retries) {
    const inMs = Math.min(row.retry_backoff_ms * 2 ** row.auto_retries, MAX_BACKOFF_MS);
    return { status: 'failed', error, retry: { inMs, n: row.auto_retries + 1, of: row.max_retries } };
  }
  return { status: 'failed', error, retry: null };
}

/** The status the attempt itself is recorded with (an auto-retried attempt still failed). */
export function attemptStatusOf(o: Outcome): JobStatus {
  return o.status;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : formatDuration(ms / 1000);
}
