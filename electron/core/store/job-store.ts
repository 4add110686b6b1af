import { ErrandError } from '../../contract/errors';
import type { Approval, Attempt, Decision, JobEvent, JobResult, JobStatus, Progress, Step, StepStatus } from '../../contract/job';
import { type Action, TRANSITIONS, canTransition, refusal } from '../transitions';
import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

/** A jobs row as SQLite holds it. Mapped to the contract's Job in one place (engine/job-view). */
export interface JobRow {
  id: number;
  title: string;
  kind: 'command';
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
}

export interface CommandStoredSpec {
  argv?: string[];
  shell?: string;
  env?: Record<string, string>;
  /**
   * For a job that captures its changes as a patch: the top of its git work tree, found
   * when it was added. The scheduler runs such a job alone in that tree, so the patch
   * holds its own changes and not those of a job running beside it.
   */
  worktree?: string;
}

export interface NewJob {
  /** The command as shown (shell line, or argv quoted); not stored. */
  display?: string;
  title: string;
  spec: CommandStoredSpec;
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
  plan: string[];
  etaKey: string;
}

export interface EventInput {
  type: string;
  by: string;
  data?: Record<string, unknown>;
}

type Columns = Partial<Omit<JobRow, 'id' | 'status'>>;

/** Every jobs column, in the order of JOB_SELECT; toJobRow maps a raw row back by position. */
const JOB_COLUMNS = [
  'id', 'title', 'kind', 'spec', 'cwd', 'priority', 'after', 'labels', 'status', 'attempt', 'max_retries', 'retry_backoff_ms', 'auto_retries', 'timeout_ms', 'not_before',
  'restartable', 'capture_patch', 'eta_key', 'plan', 'created_at', 'started_at', 'finished_at', 'progress', 'exit_code', 'signal', 'error', 'result', 'pgid', 'read_at',
] as const satisfies readonly (keyof JobRow)[];
/**
 * Lists read only a result's type and summary: a patch can be megabytes, and lists,
 * snapshots and events carry the summary alone (the full result comes from `get`/`result`).
 */
const RESULT_SUMMARY = "CASE WHEN result IS NULL THEN NULL ELSE json_object('type', json_extract(result, '$.type'), 'summary', json_extract(result, '$.summary')) END";
const JOB_SELECT = `SELECT ${JOB_COLUMNS.map((c) => (c === 'result' ? RESULT_SUMMARY : c)).join(', ')} FROM jobs`;

/**
 * Many rows are read as arrays and turned into objects of one fixed shape: about three
 * times faster than letting the driver build an object per row column by column, which
 * is what a 100k-job list costs.
 */
function toJobRow(r: unknown[]): JobRow {
  return {
    id: r[0] as number,
    title: r[1] as string,
    kind: r[2] as 'command',
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
  };
}

const parse = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

/**
 * Every SQL statement of the engine. Each state transition is one guarded UPDATE
 * (WHERE status IN the legal sources) plus one event, inside one transaction.
 */
export class JobStore {
  private readonly cache = new Map<string, Statement<unknown[]>>();
  constructor(readonly db: Db) {}

  /** A cached statement that returns rows as arrays (for toJobRow). */
  private rawStmt(sql: string): Statement<unknown[]> {
    const key = `raw:${sql}`;
    let st = this.cache.get(key);
    if (!st) {
      st = this.db.prepare<unknown[]>(sql).raw(true);
      this.cache.set(key, st);
    }
    return st;
  }

  private stmt(sql: string): Statement<unknown[]> {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /** Runs fn in a transaction; inside one already, simply runs it (no savepoint per step). */
  tx<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.db.transaction(fn)();
  }

  /** Inserts a queued job with its dependencies and its "created" event, in one transaction. */
  insert(job: NewJob, now: number, by: string): JobRow {
    return this.row(this.insertMany([job], now, by)[0]!)!;
  }

  /**
   * Inserts queued jobs, each with its dependencies and "created" event, all in one
   * transaction (the batch path: no savepoint or read-back per job). Returns their ids.
   */
  insertMany(jobs: readonly NewJob[], now: number, by: string): number[] {
    const ins = this.stmt(
      `INSERT INTO jobs (title, kind, spec, cwd, priority, after, labels, status, max_retries, retry_backoff_ms, timeout_ms,
         not_before, restartable, capture_patch, eta_key, plan, created_at)
       VALUES (?, 'command', ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const dep = this.stmt('INSERT OR IGNORE INTO job_deps (job_id, dep_id) VALUES (?, ?)');
    const ev = this.stmt("INSERT INTO events (job_id, attempt, at, type, by, data) VALUES (?, 0, ?, 'created', ?, ?)");
    return this.tx(() =>
      jobs.map((job) => {
        const after = JSON.stringify(job.after);
        const id = Number(
          ins.run(
            job.title,
            JSON.stringify(job.spec),
            job.cwd,
            job.priority,
            after,
            JSON.stringify(job.labels),
            job.maxRetries,
            job.retryBackoffMs,
            job.timeoutMs,
            job.notBefore,
            job.restartable ? 1 : 0,
            job.capturePatch ? 1 : 0,
            job.etaKey,
            JSON.stringify(job.plan),
            now,
          ).lastInsertRowid,
        );
        for (const d of job.after) dep.run(id, d);
        ev.run(id, now, by, `{"title":${JSON.stringify(job.title)},"priority":${job.priority},"after":${after}}`);
        return id;
      }),
    );
  }

  /**
   * The row insertMany wrote for a job, built without reading it back (same values as
   * SELECT gives). `json: false` leaves the JSON columns empty, for a caller that has the
   * parsed values at hand.
   */
  static newRow(id: number, job: NewJob, now: number, json = true): JobRow {
    return {
      id,
      title: job.title,
      kind: 'command',
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
    };
  }

  /** Highest job id ever handed out (ids are never reused, even after removal). */
  lastId(): number {
    const r = this.stmt("SELECT seq FROM sqlite_sequence WHERE name = 'jobs'").get() as { seq: number } | undefined;
    return r?.seq ?? 0;
  }

  /** Row counts of every table: what tests compare to prove a refused call changed nothing. */
  tableCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of ['jobs', 'job_deps', 'attempts', 'steps', 'events', 'approvals', 'settings']) {
      out[t] = (this.stmt(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    }
    return out;
  }

  row(id: number): JobRow | undefined {
    return this.stmt('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
  }

  /** One row as lists read it (a result's type and summary only). */
  listRow(id: number): JobRow | undefined {
    const r = this.rawStmt(`${JOB_SELECT} WHERE id = ?`).get(id) as unknown[] | undefined;
    return r && toJobRow(r);
  }

  require(id: number, field = 'id'): JobRow {
    const r = this.row(id);
    if (!r) throw new ErrandError('not_found', `No job #${id}. List jobs with \`errand ls\`.`, field);
    return r;
  }

  /** A page of rows for list(): filtered by status and unread, oldest or newest first, before an id. */
  page(o: {
    statuses?: readonly JobStatus[] | undefined;
    limit?: number | undefined;
    order?: 'id' | 'newest';
    beforeId?: number | undefined;
    afterId?: number | undefined;
    unread?: boolean | undefined;
    notable?: boolean;
  }): JobRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (o.statuses?.length) {
      where.push(`status IN (${o.statuses.map(() => '?').join(',')})`);
      args.push(...o.statuses);
    }
    if (o.beforeId !== undefined) {
      where.push('id < ?');
      args.push(o.beforeId);
    }
    if (o.afterId) {
      where.push('id > ?');
      args.push(o.afterId);
    }
    if (o.unread) where.push("read_at IS NULL AND status IN ('succeeded', 'failed', 'cancelled', 'interrupted')");
    // what a person must not miss: unread failures, and unread results worth reading
    if (o.notable) where.push("read_at IS NULL AND (status IN ('failed', 'interrupted') OR (status = 'succeeded' AND result IS NOT NULL AND json_extract(result, '$.type') != 'none'))");
    const sql = `${JOB_SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id${o.order === 'newest' ? ' DESC' : ''} LIMIT ?`;
    return (this.rawStmt(sql).all(...args, o.limit ?? -1) as unknown[][]).map(toJobRow);
  }

  rows(statuses?: readonly JobStatus[], limit = -1): JobRow[] {
    if (!statuses?.length) return (this.rawStmt(`${JOB_SELECT} ORDER BY id LIMIT ?`).all(limit) as unknown[][]).map(toJobRow);
    const marks = statuses.map(() => '?').join(',');
    return (this.rawStmt(`${JOB_SELECT} WHERE status IN (${marks}) ORDER BY id LIMIT ?`).all(...statuses, limit) as unknown[][]).map(toJobRow);
  }

  /** Statuses of many jobs in one query; ids that do not exist are absent from the map. */
  statuses(ids: readonly number[]): Map<number, JobStatus> {
    const out = new Map<number, JobStatus>();
    if (!ids.length) return out;
    if (ids.length === 1) {
      const r = this.stmt('SELECT status FROM jobs WHERE id = ?').get(ids[0]) as { status: JobStatus } | undefined;
      if (r) out.set(ids[0]!, r.status);
      return out;
    }
    const rows = this.stmt('SELECT id, status FROM jobs WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as { id: number; status: JobStatus }[];
    for (const r of rows) out.set(r.id, r.status);
    return out;
  }

  /**
   * Applies one transition: guarded UPDATE + event in one transaction. Throws
   * not_found or illegal_transition (naming the current status) and changes nothing then.
   */
  transition(id: number, action: Action, set: Columns, event: EventInput, now: number): JobRow {
    const t = TRANSITIONS[action];
    const cols = Object.keys(set) as (keyof Columns)[];
    const assign = ['status = ?', ...cols.map((c) => `${c} = ?`)].join(', ');
    const from = t.from.map(() => '?').join(',');
    const sql = `UPDATE jobs SET ${assign} WHERE id = ? AND status IN (${from}) RETURNING *`;
    return this.tx(() => {
      const cur = this.stmt('SELECT status FROM jobs WHERE id = ?').get(id) as { status: JobStatus } | undefined;
      if (!cur) throw new ErrandError('not_found', `No job #${id}. List jobs with \`errand ls\`.`, 'id');
      const row = this.stmt(sql).get(t.to, ...cols.map((c) => set[c] ?? null), id, ...t.from) as JobRow | undefined;
      if (!row) throw new ErrandError('illegal_transition', refusal(action, id, cur.status));
      this.event(id, row.attempt, now, { ...event, data: { ...event.data, from: cur.status, to: t.to } });
      return row;
    });
  }

  assertCan(action: Action, row: JobRow): void {
    if (!canTransition(action, row.status)) throw new ErrandError('illegal_transition', refusal(action, row.id, row.status));
  }

  /** Updates fields that are not a status change (priority, progress, pgid, result, …). */
  update(id: number, set: Columns): void {
    const cols = Object.keys(set) as (keyof Columns)[];
    if (!cols.length) return;
    this.stmt(`UPDATE jobs SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map((c) => set[c] ?? null), id);
  }

  event(jobId: number, attempt: number, at: number, e: EventInput): void {
    const data = Object.fromEntries(Object.entries(e.data ?? {}).filter(([, v]) => v !== undefined));
    this.stmt('INSERT INTO events (job_id, attempt, at, type, by, data) VALUES (?, ?, ?, ?, ?, ?)').run(
      jobId,
      attempt,
      at,
      e.type,
      e.by,
      JSON.stringify(data),
    );
  }

  events(jobId: number, limit = 1000): JobEvent[] {
    const rows = this.stmt('SELECT * FROM (SELECT * FROM events WHERE job_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id').all(jobId, limit) as {
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

  // --- attempts -------------------------------------------------------------

  openAttempt(jobId: number, n: number, now: number): void {
    this.stmt('INSERT OR REPLACE INTO attempts (job_id, n, status, started_at) VALUES (?, ?, ?, ?)').run(jobId, n, 'running', now);
  }

  closeAttempt(jobId: number, n: number, set: { status: JobStatus; finished_at: number; exit_code?: number | null; signal?: string | null; error?: string | null; result?: string | null }): void {
    this.stmt('UPDATE attempts SET status = ?, finished_at = ?, exit_code = ?, signal = ?, error = ?, result = ? WHERE job_id = ? AND n = ?').run(
      set.status,
      set.finished_at,
      set.exit_code ?? null,
      set.signal ?? null,
      set.error ?? null,
      set.result ?? null,
      jobId,
      n,
    );
  }

  /**
   * Runs a write that is a hint rather than a state change (a pgid, batched progress)
   * in a transaction committed without waiting for the disk (synchronous=NORMAL for
   * this one commit). A host crash loses nothing a WAL commit has handed to the OS;
   * only an OS crash can drop it, and that takes the job's processes down with it.
   * State transitions keep synchronous=FULL. Inside an outer transaction, that one decides.
   */
  softWrite(fn: () => void): void {
    if (this.db.inTransaction) return fn();
    this.stmt('PRAGMA synchronous = NORMAL').run();
    try {
      this.tx(fn);
    } finally {
      this.stmt('PRAGMA synchronous = FULL').run();
    }
  }

  /** Records the process group of a started attempt (job and attempt rows; a soft write). */
  setPgid(jobId: number, n: number, pgid: number): void {
    this.softWrite(() => {
      this.stmt('UPDATE jobs SET pgid = ? WHERE id = ?').run(pgid, jobId);
      this.stmt('UPDATE attempts SET pgid = ? WHERE job_id = ? AND n = ?').run(pgid, jobId, n);
    });
  }

  attempts(jobId: number, logBytes: (n: number) => number): Attempt[] {
    const rows = this.stmt('SELECT * FROM attempts WHERE job_id = ? ORDER BY n').all(jobId) as {
      n: number;
      status: JobStatus;
      started_at: number;
      finished_at: number | null;
      exit_code: number | null;
      signal: string | null;
      error: string | null;
      result: string | null;
    }[];
    return rows.map((r) => ({
      n: r.n,
      status: r.status,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      exitCode: r.exit_code,
      signal: r.signal,
      error: r.error,
      result: parse<JobResult>(r.result),
      logBytes: logBytes(r.n),
    }));
  }

  attemptResult(jobId: number, n: number): JobResult | null | undefined {
    const r = this.stmt('SELECT result FROM attempts WHERE job_id = ? AND n = ?').get(jobId, n) as { result: string | null } | undefined;
    return r ? parse<JobResult>(r.result) : undefined;
  }

  /** Successful run durations (ms) of jobs sharing an ETA key, newest first. */
  durations(etaKey: string, limit: number): number[] {
    const rows = this.stmt(
      `SELECT a.finished_at - a.started_at AS d FROM attempts a JOIN jobs j ON j.id = a.job_id
       WHERE j.eta_key = ? AND a.status = 'succeeded' AND a.finished_at IS NOT NULL
       ORDER BY a.finished_at DESC LIMIT ?`,
    ).all(etaKey, limit) as { d: number }[];
    return rows.map((r) => r.d);
  }

  /** Successful run durations for many ETA keys at once (newest first per key, at most `limit` each). */
  durationsMany(keys: readonly string[], limit: number): Map<string, number[]> {
    const out = new Map<string, number[]>(keys.map((k) => [k, []]));
    const st = this.rawStmt(
      `SELECT j.eta_key, a.finished_at - a.started_at FROM attempts a JOIN jobs j ON j.id = a.job_id
       WHERE j.eta_key IN (SELECT value FROM json_each(?)) AND a.status = 'succeeded' AND a.finished_at IS NOT NULL
       ORDER BY a.finished_at DESC`,
    );
    for (let i = 0; i < keys.length; i += 500) {
      for (const [k, d] of st.all(JSON.stringify(keys.slice(i, i + 500))) as [string, number][]) {
        const list = out.get(k)!;
        if (list.length < limit) list.push(d);
      }
    }
    return out;
  }

  // --- steps ------------------------------------------------------------------

  steps(jobId: number): Step[] {
    const rows = this.stmt('SELECT * FROM steps WHERE job_id = ? ORDER BY attempt, idx').all(jobId) as {
      attempt: number;
      idx: number;
      name: string;
      status: StepStatus;
      started_at: number | null;
      finished_at: number | null;
    }[];
    return rows.map((r) => ({ attempt: r.attempt, index: r.idx, name: r.name, status: r.status, startedAt: r.started_at, finishedAt: r.finished_at }));
  }

  /**
   * Records a step. The record only ever grows: a new running step closes the running
   * one before it as done; a finishing status closes the latest running step of that
   * name; anything else (a step reported finished without having run, or reported
   * again after it finished) is appended as a new entry, never rewriting an old one.
   */
  recordStep(jobId: number, attempt: number, name: string, status: StepStatus, now: number): void {
    this.tx(() => {
      const close = this.stmt('UPDATE steps SET status = ?, finished_at = ? WHERE job_id = ? AND attempt = ? AND idx = ?');
      const append = (st: StepStatus, finishedAt: number | null): void => {
        const next = (this.stmt('SELECT COALESCE(MAX(idx), -1) + 1 AS n FROM steps WHERE job_id = ? AND attempt = ?').get(jobId, attempt) as { n: number }).n;
        this.stmt('INSERT INTO steps (job_id, attempt, idx, name, status, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(jobId, attempt, next, name, st, now, finishedAt);
      };
      if (status === 'running') {
        const open = this.stmt("SELECT idx FROM steps WHERE job_id = ? AND attempt = ? AND status = 'running'").all(jobId, attempt) as { idx: number }[];
        for (const o of open) close.run('done', now, jobId, attempt, o.idx);
        append('running', null);
      } else {
        const running = this.stmt("SELECT idx FROM steps WHERE job_id = ? AND attempt = ? AND name = ? AND status = 'running' ORDER BY idx DESC LIMIT 1").get(jobId, attempt, name) as
          | { idx: number }
          | undefined;
        if (running) close.run(status, now, jobId, attempt, running.idx);
        else append(status, now);
      }
      this.event(jobId, attempt, now, { type: 'step', by: 'job', data: { name, status } });
    });
  }

  /** Closes steps still open when an attempt ends: done on success, failed otherwise. */
  closeOpenSteps(jobId: number, attempt: number, status: StepStatus, now: number): void {
    this.stmt("UPDATE steps SET status = ?, finished_at = ? WHERE job_id = ? AND attempt = ? AND status = 'running'").run(status, now, jobId, attempt);
  }

  currentStep(jobId: number, attempt: number): string | null {
    const r = this.stmt("SELECT name FROM steps WHERE job_id = ? AND attempt = ? AND status = 'running' ORDER BY idx DESC LIMIT 1").get(jobId, attempt) as { name: string } | undefined;
    return r?.name ?? null;
  }

  // --- approvals --------------------------------------------------------------

  insertApproval(jobId: number, attempt: number, question: string, context: string | null, now: number): number {
    const info = this.stmt('INSERT INTO approvals (job_id, attempt, question, context, requested_at) VALUES (?, ?, ?, ?, ?)').run(jobId, attempt, question, context, now);
    return Number(info.lastInsertRowid);
  }

  openApproval(jobId: number): Approval | undefined {
    const r = this.stmt('SELECT * FROM approvals WHERE job_id = ? AND decision IS NULL ORDER BY id DESC LIMIT 1').get(jobId) as ApprovalRow | undefined;
    return r && toApproval(r);
  }

  approval(id: number): Approval | undefined {
    const r = this.stmt('SELECT * FROM approvals WHERE id = ?').get(id) as ApprovalRow | undefined;
    return r && toApproval(r);
  }

  approvals(jobId?: number): Approval[] {
    const rows = (jobId === undefined
      ? this.stmt('SELECT * FROM approvals WHERE decision IS NULL ORDER BY id').all()
      : this.stmt('SELECT * FROM approvals WHERE job_id = ? ORDER BY id').all(jobId)) as ApprovalRow[];
    return rows.map(toApproval);
  }

  decideApproval(id: number, decision: Decision, note: string | null, by: string, now: number): void {
    this.stmt('UPDATE approvals SET decision = ?, note = ?, decided_at = ?, decided_by = ? WHERE id = ? AND decision IS NULL').run(decision, note, now, by, id);
  }

  // --- progress, settings, removal ----------------------------------------------

  /** Batched progress write; an entry whose attempt is no longer current is dropped. */
  writeProgress(entries: Iterable<[number, { attempt: number; progress: Progress }]>): void {
    const s = this.stmt('UPDATE jobs SET progress = ? WHERE id = ? AND attempt = ?');
    this.softWrite(() => {
      for (const [id, p] of entries) s.run(JSON.stringify(p.progress), id, p.attempt);
    });
  }

  dependants(depId: number): number[] {
    return (this.stmt("SELECT d.job_id AS id FROM job_deps d JOIN jobs j ON j.id = d.job_id WHERE d.dep_id = ? AND j.status IN ('queued', 'held')").all(depId) as { id: number }[]).map((r) => r.id);
  }

  /** Queued jobs that may start now: due, every dependency succeeded (a removed one counts as done). */
  ready(now: number, limit: number): JobRow[] {
    return (
      this.rawStmt(
        `${JOB_SELECT} WHERE status = 'queued' AND (not_before IS NULL OR not_before <= ?)
         AND NOT EXISTS (SELECT 1 FROM job_deps d JOIN jobs p ON p.id = d.dep_id WHERE d.job_id = jobs.id AND p.status != 'succeeded')
       ORDER BY priority DESC, id LIMIT ?`,
      ).all(now, limit) as unknown[][]
    ).map(toJobRow);
  }

  nextDue(now: number): number | null {
    // the partial index holds only delayed queued jobs: no scan of the queue (migration 2)
    const r = this.stmt("SELECT MIN(not_before) AS t FROM jobs INDEXED BY jobs_due WHERE status = 'queued' AND not_before > ?").get(now) as { t: number | null };
    return r.t;
  }

  /** ETA keys of the first `limit` queued jobs (blocked or not), in the order they would start. */
  queuedKeys(limit: number): string[] {
    return (this.rawStmt("SELECT eta_key FROM jobs WHERE status = 'queued' ORDER BY priority DESC, id LIMIT ?").all(limit) as [string][]).map((r) => r[0]);
  }

  counts(): Record<JobStatus, number> {
    const out = { queued: 0, held: 0, running: 0, waiting: 0, succeeded: 0, failed: 0, cancelled: 0, interrupted: 0 } satisfies Record<JobStatus, number>;
    for (const r of this.stmt('SELECT status, COUNT(*) AS n FROM jobs GROUP BY status').all() as { status: JobStatus; n: number }[]) out[r.status] = r.n;
    return out;
  }

  unreadProblems(): number {
    return (this.stmt("SELECT COUNT(*) AS n FROM jobs INDEXED BY jobs_unread_problems WHERE status IN ('failed', 'interrupted') AND read_at IS NULL").get() as { n: number }).n;
  }

  unreadResults(): number {
    return (
      this.stmt("SELECT COUNT(*) AS n FROM jobs WHERE status = 'succeeded' AND read_at IS NULL AND result IS NOT NULL AND json_extract(result, '$.type') != 'none'").get() as { n: number }
    ).n;
  }

  markRead(ids: readonly number[], now: number): void {
    const s = this.stmt('UPDATE jobs SET read_at = ? WHERE id = ? AND read_at IS NULL');
    this.tx(() => {
      for (const id of ids) s.run(now, id);
    });
  }

  remove(ids: readonly number[]): void {
    const del = [this.stmt('DELETE FROM events WHERE job_id = ?'), this.stmt('DELETE FROM jobs WHERE id = ?')];
    this.tx(() => {
      for (const id of ids) for (const s of del) s.run(id);
    });
  }

  finishedBefore(t: number): number[] {
    return (this.stmt("SELECT id FROM jobs WHERE status IN ('succeeded', 'failed', 'cancelled', 'interrupted') AND COALESCE(finished_at, created_at) <= ?").all(t) as { id: number }[]).map((r) => r.id);
  }

  setting<T>(key: string, fallback: T): T {
    const r = this.stmt('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? (JSON.parse(r.value) as T) : fallback;
  }

  setSetting(key: string, value: unknown): void {
    this.stmt('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }
}

interface ApprovalRow {
  id: number;
  job_id: number;
  attempt: number;
  question: string;
  context: string | null;
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
    requestedAt: r.requested_at,
    decision: r.decision,
    note: r.note,
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
  };
}

export { parse as parseJson };
