import type { JobKind, JobStatus } from '../../contract/job';

/** A jobs row as SQLite holds it; mapped to the contract's Job in one place (job-views.ts). */
export interface JobRow {
  id: number;
  title: string;
  kind: JobKind;
  /** JSON, kind-specific: what the runner of `kind` needs to start the job. */
  spec: string;
  cwd: string;
  priority: number;
  after: string;
  labels: string;
  status: JobStatus;
  attempt: number;
  max_retries: number;
  retry_backoff_ms: number;
  auto_retries: number;
  timeout_ms: number | null;
  not_before: number | null;
  restartable: number;
  capture_patch: number;
  eta_key: string;
  plan: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  progress: string | null;
  exit_code: number | null;
  signal: string | null;
  error: string | null;
  result: string | null;
  pgid: number | null;
  read_at: number | null;
  /** A git work tree this job needs to itself while it runs (patch capture), or null. */
  lock_tree: string | null;
  /** JSON Usage: the tokens an agent job has used (its stream's own count). */
  usage: string | null;
  /** Who added it: "cli", "ui", "mcp:claude-code", … */
  added_by: string | null;
}

/** A job as admission shapes it, before it has an id. */
export interface NewJob {
  kind: JobKind;
  /** The command as shown (shell line, or argv quoted, or the agent's task); not stored. */
  display: string;
  title: string;
  spec: object;
  cwd: string;
  priority: number;
  after: number[];
  labels: string[];
  maxRetries: number;
  retryBackoffMs: number;
  timeoutMs: number | null;
  notBefore: number | null;
  restartable: boolean;
  capturePatch: boolean;
  lockTree: string | null;
  plan: string[];
  etaKey: string;
}

/** Every jobs column, in the order of JOB_SELECT; toJobRow maps a raw row back by position. */
export const JOB_COLUMNS = [
  'id', 'title', 'kind', 'spec', 'cwd', 'priority', 'after', 'labels', 'status', 'attempt', 'max_retries', 'retry_backoff_ms', 'auto_retries', 'timeout_ms', 'not_before',
  'restartable', 'capture_patch', 'eta_key', 'plan', 'created_at', 'started_at', 'finished_at', 'progress', 'exit_code', 'signal', 'error', 'result', 'pgid', 'read_at',
  'lock_tree', 'usage', 'added_by',
] as const satisfies readonly (keyof JobRow)[];

/**
 * Lists read only a result's type and summary: a patch can be megabytes, and lists,
 * snapshots and events carry the summary alone (the full result comes from `get`/`result`).
 */
const RESULT_SUMMARY = "CASE WHEN result IS NULL THEN NULL ELSE json_object('type', json_extract(result, '$.type'), 'summary', json_extract(result, '$.summary')) END";
export const JOB_SELECT = `SELECT ${JOB_COLUMNS.map((c) => (c === 'result' ? RESULT_SUMMARY : c)).join(', ')} FROM jobs`;

/**
 * Many rows are read as arrays and turned into objects of one fixed shape: about three
 * times faster than letting the driver build an object per row column by column, which
 * is what a 100k-job list costs.
 */
export function toJobRow(r: unknown[]): JobRow {
  return {
    id: r[0] as number,
    title: r[1] as string,
    kind: r[2] as JobKind,
    spec: r[3] as string,
    cwd: r[4] as string,
    priority: r[5] as number,
    after: r[6] as string,
    labels: r[7] as string,
    status: r[8] as JobStatus,
    attempt: r[9] as number,
    max_retries: r[10] as number,
    retry_backoff_ms: r[11] as number,
    auto_retries: r[12] as number,
    timeout_ms: r[13] as number | null,
    not_before: r[14] as number | null,
    restartable: r[15] as number,
    capture_patch: r[16] as number,
    eta_key: r[17] as string,
    plan: r[18] as string,
    created_at: r[19] as number,
    started_at: r[20] as number | null,
    finished_at: r[21] as number | null,
    progress: r[22] as string | null,
    exit_code: r[23] as number | null,
    signal: r[24] as string | null,
    error: r[25] as string | null,
    result: r[26] as string | null,
    pgid: r[27] as number | null,
    read_at: r[28] as number | null,
    lock_tree: r[29] as string | null,
    usage: r[30] as string | null,
    added_by: r[31] as string | null,
  };
}

/**
 * The row insertJobs wrote for a job, built without reading it back (the same values a
 * SELECT gives). `json: false` leaves the JSON columns empty, for a caller that has the
 * parsed values at hand.
 */
export function newJobRow(id: number, job: NewJob, now: number, json = true, by: string | null = null): JobRow {
  return {
    id,
    title: job.title,
    kind: job.kind,
    spec: json ? JSON.stringify(job.spec) : '',
    cwd: job.cwd,
    priority: job.priority,
    after: json ? JSON.stringify(job.after) : '',
    labels: json ? JSON.stringify(job.labels) : '',
    status: 'queued',
    attempt: 0,
    max_retries: job.maxRetries,
    retry_backoff_ms: job.retryBackoffMs,
    auto_retries: 0,
    timeout_ms: job.timeoutMs,
    not_before: job.notBefore,
    restartable: job.restartable ? 1 : 0,
    capture_patch: job.capturePatch ? 1 : 0,
    eta_key: job.etaKey,
    plan: json ? JSON.stringify(job.plan) : '',
    created_at: now,
    started_at: null,
    finished_at: null,
    progress: null,
    exit_code: null,
    signal: null,
    error: null,
    result: null,
    pgid: null,
    read_at: null,
    lock_tree: job.lockTree,
    usage: null,
    added_by: by,
  };
}
