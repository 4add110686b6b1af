import { describe, expect, test } from 'vitest';
import { NO_REQUESTS, type OutcomeRow, type RunRequests, decideOutcome } from '../../../electron/core/outcome';

// decideOutcome is the whole rulebook of what an ended run means; each case by itself.
const row = (over: Partial<OutcomeRow> = {}): OutcomeRow => ({ restartable: 0, auto_retries: 0, max_retries: 0, retry_backoff_ms: 5000, timeout_ms: null, ...over });
const req = (over: Partial<RunRequests> = {}): RunRequests => ({ ...NO_REQUESTS, ...over });
const exit = (exitCode: number | null, signal: string | null = null, error: string | null = null) => ({ exitCode, signal, error });

describe('decideOutcome', () => {
  test('exit 0 with nothing asked: succeeded', () => {
    expect(decideOutcome(row(), exit(0), req())).toEqual({ status: 'succeeded' });
  });

  test('a non-zero exit fails, saying the code; a signal says the signal', () => {
    expect(decideOutcome(row(), exit(3), req())).toEqual({ status: 'failed', error: 'exited with code 3', retry: null });
    expect(decideOutcome(row(), exit(null, 'SIGKILL'), req())).toEqual({ status: 'failed', error: 'killed by SIGKILL', retry: null });
  });

  test('a run that could not start fails with the reason, even with exit 0 reported', () => {
    expect(decideOutcome(row(), exit(null, null, 'command not found: nope'), req())).toMatchObject({ status: 'failed', error: 'command not found: nope' });
    expect(decideOutcome(row(), exit(0, null, 'lost track of the job'), req())).toMatchObject({ status: 'failed', error: 'lost track of the job' });
  });

  test('cancel asked while the leader ran: cancelled, whatever the exit code', () => {
    expect(decideOutcome(row(), exit(null, 'SIGTERM'), req({ cancelledBy: 'cli' }))).toEqual({ status: 'cancelled', by: 'cli' });
    expect(decideOutcome(row(), exit(0), req({ cancelledBy: 'ui' }))).toEqual({ status: 'cancelled', by: 'ui' });
  });

  test('a cancel is never retried automatically', () => {
    expect(decideOutcome(row({ max_retries: 3 }), exit(143), req({ cancelledBy: 'cli' }))).toEqual({ status: 'cancelled', by: 'cli' });
  });

  test('timeout: fails saying how long, even when the program exits 0 on SIGTERM', () => {
    expect(decideOutcome(row({ timeout_ms: 90_000 }), exit(0), req({ timedOut: true }))).toEqual({ status: 'failed', error: 'timed out after 1m 30s', retry: null });
    expect(decideOutcome(row({ timeout_ms: 250 }), exit(null, 'SIGTERM'), req({ timedOut: true }))).toMatchObject({ error: 'timed out after 250ms' });
  });

  test('stalled: fails saying how long it was silent', () => {
    expect(decideOutcome(row(), exit(null, 'SIGTERM'), req({ stalledAfterMs: 120_000 }))).toEqual({ status: 'failed', error: 'stalled: no sign of life for 2m', retry: null });
  });

  test('automatic retries back off exponentially, capped at an hour, then fail for good', () => {
    expect(decideOutcome(row({ max_retries: 3, retry_backoff_ms: 1000 }), exit(1), req())).toEqual({ status: 'failed', error: 'exited with code 1', retry: { inMs: 1000, n: 1, of: 3 } });
    expect(decideOutcome(row({ max_retries: 3, auto_retries: 2, retry_backoff_ms: 1000 }), exit(1), req())).toMatchObject({ retry: { inMs: 4000, n: 3, of: 3 } });
    expect(decideOutcome(row({ max_retries: 50, auto_retries: 40, retry_backoff_ms: 1000 }), exit(1), req())).toMatchObject({ retry: { inMs: 3_600_000 } });
    expect(decideOutcome(row({ max_retries: 3, auto_retries: 3 }), exit(1), req())).toEqual({ status: 'failed', error: 'exited with code 1', retry: null });
  });

  test('a timeout is retried like any failure', () => {
    expect(decideOutcome(row({ max_retries: 1, timeout_ms: 1000 }), exit(null, 'SIGTERM'), req({ timedOut: true }))).toMatchObject({ status: 'failed', error: 'timed out after 1s', retry: { n: 1 } });
  });

  test('shutdown while the leader ran: interrupted; restartable jobs go back to the queue', () => {
    expect(decideOutcome(row(), exit(null, 'SIGTERM'), req({ shutdown: true }))).toEqual({
      status: 'interrupted',
      error: 'interrupted: the host shut down while it ran',
      requeue: false,
      by: 'host',
      reason: 'host shut down',
    });
    expect(decideOutcome(row({ restartable: 1 }), exit(0), req({ shutdown: true }))).toMatchObject({ status: 'interrupted', requeue: true });
  });

  test('shutdown wins over a cancel asked in the same run (the host stopping is what ended it)', () => {
    expect(decideOutcome(row(), exit(null, 'SIGTERM'), req({ shutdown: true, cancelledBy: 'cli' }))).toMatchObject({ status: 'interrupted' });
  });

  test('recovery without a recorded leader end: interrupted (restartable: requeued) with the reason found', () => {
    const reason = 'the host stopped while it ran; its leftover processes were killed';
    expect(decideOutcome(row(), null, req({ hostDied: reason }))).toEqual({ status: 'interrupted', error: `interrupted: ${reason}`, requeue: false, by: 'recovery', reason });
    expect(decideOutcome(row({ restartable: true }), null, req({ hostDied: reason }))).toMatchObject({ requeue: true, by: 'recovery' });
  });

  test('recovery with the leader end recorded before the crash: that end decides, a restartable job never runs twice', () => {
    expect(decideOutcome(row({ restartable: 1 }), exit(0), req({ hostDied: 'crash' }))).toEqual({ status: 'succeeded' });
    expect(decideOutcome(row({ restartable: 1 }), exit(2), req({ hostDied: 'crash' }))).toEqual({ status: 'failed', error: 'exited with code 2', retry: null });
    expect(decideOutcome(row({ max_retries: 1 }), exit(2), req({ hostDied: 'crash' }))).toMatchObject({ retry: { n: 1 } });
  });
});

describe('decideOutcome: what the run says as it is stopped', () => {
  test("Errand's own reason for stopping it comes before the run's last words", () => {
    expect(decideOutcome(row({ timeout_ms: 5000 }), exit(1, null, 'agent: aborted'), req({ timedOut: true }))).toMatchObject({ error: 'timed out after 5s' });
    expect(decideOutcome(row(), exit(1, null, 'agent: aborted'), req({ stalledAfterMs: 60_000 }))).toMatchObject({ error: 'stalled: no sign of life for 1m' });
    expect(decideOutcome(row(), exit(1, null, 'model API: 500'), req())).toMatchObject({ error: 'model API: 500' });
  });
});
