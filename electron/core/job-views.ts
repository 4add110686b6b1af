import { progressText } from '../contract/format';
import type { Job, JobResult, JobStatus, Usage } from '../contract/job';
import { isolateSpecOf } from './isolation';
import { attentionOf, isFinished, isPending } from '../contract/status';
import { activityOf } from './activity';
import { estimate } from './eta';
import type { EtaHistory } from './eta-history';
import type { ProgressBuffer } from './progress-buffer';
import type { RunnerRegistry } from './runners/registry';
import { openApproval } from './store/approvals';
import type { JobRow, NewJob } from './store/job-row';
import { jobStatuses, listRow } from './store/jobs';
import { type Sql, parseJson } from './store/sql';
import { currentStep } from './store/steps';

/** What a view needs to know of the live engine beyond the store. */
export interface LiveState {
  paused(): boolean;
  concurrency(): number;
  /** Slots taken: running jobs (a job waiting for a person holds none). */
  slotsUsed(): number;
  /** A cancel of this running job has been asked for and is under way. */
  cancelling(jobId: number): boolean;
  /** The running job a queued one may not run beside (it needs a work tree to itself), if any. */
  blockingRun(row: Pick<JobRow, 'id' | 'cwd' | 'lock_tree' | 'spec'>, spec?: unknown): number | null;
  /** What a live run says it is doing beyond its steps, if anything. */
  note(jobId: number): string | null;
  /** Tokens a live run reported that are not written yet. */
  usage(jobId: number, attempt: number): Usage | undefined;
}

/**
 * The contract's Job for a row, in one place: activity, ETA with its basis, attention
 * and progress text are computed here and nowhere else.
 */
export class JobViews {
  constructor(
    private readonly sql: Sql,
    private readonly live: LiveState,
    private readonly progress: ProgressBuffer,
    private readonly history: EtaHistory,
    private readonly runners: RunnerRegistry,
  ) {}

  /** One job, read fresh as lists read it; null when it no longer exists (or the store is closed). */
  byId(id: number): Job | null {
    const row = this.sql.open ? listRow(this.sql, id) : undefined;
    return row ? this.view(row) : null;
  }

  /** Jobs for many rows, with the lookups they share done once (not once per row). */
  many(rows: readonly JobRow[]): Job[] {
    const known = new Map<number, JobStatus>(rows.map((r) => [r.id, r.status]));
    // statuses of dependencies outside the page, in one query (not one per row)
    const missing = new Set<number>();
    for (const r of rows) {
      if (isPending(r.status) && r.after !== '[]') for (const d of parseJson<number[]>(r.after) ?? []) if (!known.has(d)) missing.add(d);
    }
    for (const [id, s] of jobStatuses(this.sql, [...missing])) known.set(id, s);
    // ETA history for every unfinished job's key, in a few queries (not one per key)
    this.history.prefetch(rows.filter((r) => !isFinished(r.status)).map((r) => r.eta_key));
    const now = Date.now();
    const slots = this.live.slotsUsed();
    return rows.map((r) => this.view(r, known, now, slots));
  }

  /** Prepares announcing freshly added jobs: their ETA history in one lookup. */
  prefetchHistory(keys: Iterable<string>): void {
    this.history.prefetch(keys);
  }

  eta(row: JobRow, now: number): Job['eta'] {
    if (isFinished(row.status)) return { seconds: null, basis: 'unknown' };
    const progress = this.progress.latest(row);
    return estimate({
      status: row.status,
      startedAt: row.started_at,
      progressTotal: progress?.total ?? null,
      rate: this.progress.rate(row.id),
      historyMs: this.history.medianMs(row.eta_key),
      now,
    });
  }

  /**
   * The contract's Job for a row. `fresh`: the values the row was just made from, so a
   * batch of new jobs is announced without parsing back what was serialised a moment ago.
   */
  view(row: JobRow, known?: Map<number, JobStatus>, now = Date.now(), slots = this.live.slotsUsed(), fresh?: NewJob): Job {
    const after = fresh ? fresh.after : row.after === '[]' ? [] : (parseJson<number[]>(row.after) ?? []);
    let blockedOn: number[] = [];
    if (after.length && isPending(row.status)) {
      const missing = after.filter((d) => !known?.has(d));
      const fetched = missing.length ? jobStatuses(this.sql, missing) : undefined;
      blockedOn = after.filter((d) => {
        const s = known?.get(d) ?? fetched?.get(d);
        return s !== undefined && s !== 'succeeded';
      });
    }
    const spec = fresh ? fresh.spec : parseJson<unknown>(row.spec);
    const command = fresh?.display ?? this.runners.describe(row.kind, spec);
    const identity = this.runners.identity(row.kind, spec);
    const active = row.status === 'running' || row.status === 'waiting';
    const result = parseJson<Pick<JobResult, 'type' | 'summary'>>(row.result);
    const progress = this.progress.latest(row);
    const unread = isFinished(row.status) && row.read_at === null;
    const step = active ? currentStep(this.sql, row.id, row.attempt) : null;
    const activity = activityOf({
      status: row.status,
      now,
      paused: this.live.paused(),
      running: slots,
      concurrency: this.live.concurrency(),
      notBefore: row.not_before,
      autoRetries: row.auto_retries,
      maxRetries: row.max_retries,
      blockedOn,
      treeBusyWith: row.status === 'queued' && !blockedOn.length ? this.live.blockingRun(row, spec) : null,
      command,
      step: step?.name ?? null,
      stepIsTool: step?.tool != null,
      note: active ? this.live.note(row.id) : null,
      leftOutChanges: isolateSpecOf(spec)?.leftOutChanges ?? false,
      question: row.status === 'waiting' ? (openApproval(this.sql, row.id)?.question ?? null) : null,
      cancelling: this.live.cancelling(row.id),
      error: row.error,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      resultSummary: result?.summary ?? null,
    });
    return {
      id: row.id,
      title: row.title,
      kind: row.kind,
      status: row.status,
      priority: row.priority,
      after,
      labels: fresh ? fresh.labels : row.labels === '[]' ? [] : (parseJson<string[]>(row.labels) ?? []),
      cwd: row.cwd,
      command,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      notBefore: row.not_before,
      attempt: row.attempt,
      maxRetries: row.max_retries,
      timeoutMs: row.timeout_ms,
      restartable: row.restartable === 1,
      progress,
      eta: this.eta(row, now),
      activity,
      exitCode: row.exit_code,
      signal: row.signal,
      error: row.error,
      resultSummary: result ? { type: result.type, summary: result.summary } : null,
      plan: fresh ? fresh.plan : row.plan === '[]' ? [] : (parseJson<string[]>(row.plan) ?? []),
      unread,
      attention: attentionOf(row.status, unread, result?.type ?? null),
      progressText: progressText(progress),
      agent: identity ? { ...identity, usage: (active ? this.live.usage(row.id, row.attempt) : undefined) ?? parseJson<Usage>(row.usage) } : null,
      addedBy: row.added_by,
    };
  }
}
