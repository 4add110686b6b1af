import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AddInput, type AddParsed, type Input, type Output, methods } from '../contract/api';
import { ErrandError } from '../contract/errors';
import { formatDuration, progressText, shellQuote } from '../contract/format';
import { attentionOf } from '../contract/status';
import type { Approval, Decision, Job, JobDetail, JobResult, JobStatus, Progress, QueueState, StatusSummary, Step } from '../contract/job';
import { FINISHED_STATUSES, isFinished } from '../contract/job';
import { validate } from '../contract/validate';
import { activityOf } from './activity';
import { estimate, median, queueEta, RateTracker } from './eta';
import { type Dispose, EventHub, type Listener } from './event-hub';
import { diffTrees, snapshotTree, summarizePatch, workTreeTopSync } from './git-patch';
import { type Logger, silentLogger } from './logger';
import { dbPath, logDir, logPath } from './paths';
import { recover } from './recovery';
import { type ExitInfo, type RunningCommand, startCommand } from './runners/command-runner';
import { Spawner } from './runners/spawner';
import { statusLine } from './status-line';
import { openDatabase } from './store/database';
import { type CommandStoredSpec, type JobRow, JobStore, type NewJob, parseJson } from './store/job-store';

export interface EngineOptions {
  home: string;
  nativeBinding?: string | undefined;
  logger?: Logger;
  /** Grace between SIGTERM and SIGKILL when a job is cancelled or times out. */
  killGraceMs?: number;
  /** Minimum interval between coalesced notifications per job. */
  coalesceMs?: number;
  /** Base environment for jobs (defaults to the host's). */
  env?: NodeJS.ProcessEnv;
  /** A directory put first on PATH for jobs, so `errand progress …` resolves inside them. */
  binDir?: string | undefined;
  /** Grace for process groups a dead host left behind (default: killGraceMs, at most 2 s). */
  recoveryGraceMs?: number;
  /**
   * Start jobs through a small helper process, so fork/exec does not stall the host's
   * event loop (see runners/spawner.ts). Default: on under plain Node, off inside
   * Electron, whose binary acts as Node for the helper only when its RunAsNode fuse is
   * enabled; the Electron host may turn it on when it is. Direct spawning is the
   * fallback whenever the helper is unavailable.
   */
  spawner?: boolean;
}

/** What the engine holds armed right now; `idle` means nothing at all (no polling). */
export interface EngineDiagnostics {
  /** A timer for the next delayed start or retry backoff. */
  dueTimer: boolean;
  /** The batched progress write. */
  progressTimer: boolean;
  /** A scheduling pass queued for the next turn of the event loop. */
  kickPending: boolean;
  /** Coalesced notifications waiting for their turn (one timer each). */
  pendingEvents: number;
  /** Per-job timeout timers. */
  timeoutTimers: number;
  /** Jobs with a live process (running or waiting for approval). */
  runs: number;
  idle: boolean;
}

interface RunState {
  attempt: number;
  /** Where it runs, and (for a patch-capturing job) the work tree it needs to itself. */
  place: Place;
  cmd: RunningCommand | null;
  cancelBy: string | null;
  shutdown: boolean;
  timedOut: boolean;
  timer: NodeJS.Timeout | null;
  baseTree: string | null;
  finished: Promise<void>;
  resolveFinished: () => void;
}

interface Place {
  id: number;
  cwd: string;
  worktree: string | null;
}

interface PrepareContext {
  /** cwd as given → [resolved, real directory or null] */
  realpaths: Map<string, [string, string | null]>;
  worktrees: Map<string, string | null>;
  known: Map<number, JobStatus>;
}

const DEFAULT_CONCURRENCY = 2;
const PROGRESS_FLUSH_MS = 500;
const HISTORY_SAMPLES = 10;
const HISTORY_CACHE_MAX = 50_000;
const QUEUE_ETA_HEAD = 1000;
const BY_SCHEDULER = 'scheduler';
const DOOMED: readonly JobStatus[] = ['failed', 'cancelled', 'interrupted'];

/**
 * The engine: owns the store, schedules jobs, runs them and reports what happens.
 * Pure Node. Every public method validates its input and either applies a change in
 * full or throws an ErrandError and changes nothing.
 *
 * Scheduling is event-driven: a pass runs when something that can free a slot or make
 * a job ready happens (add, finish, release, resume, …) or when the one timer for the
 * next delayed start fires. An idle engine holds no timers and does no work.
 */
export class Engine {
  readonly home: string;
  private readonly store: JobStore;
  private readonly hub: EventHub;
  private readonly log: Logger;
  private readonly killGraceMs: number;
  private readonly env: NodeJS.ProcessEnv;
  private readonly binDir: string | undefined;
  private readonly runs = new Map<number, RunState>();
  private readonly waiting = new Set<number>();
  private readonly rates = new Map<number, RateTracker>();
  /** Progress reported since the last batched write: job id → the attempt it belongs to and the value. */
  private readonly dirtyProgress = new Map<number, { attempt: number; progress: Progress }>();
  /** ETA key → newest successful durations (ms), at most HISTORY_SAMPLES, newest first. */
  private readonly history = new Map<string, number[]>();
  private readonly deciders = new Map<number, ((d: { decision: Decision; note: string | null }) => void)[]>();
  private progressTimer: NodeJS.Timeout | null = null;
  private dueTimer: NodeJS.Timeout | null = null;
  private dueAt: number | null = null;
  private kickHandle: NodeJS.Immediate | null = null;
  private closed = false;
  private closing: Promise<void> | null = null;
  private paused: boolean;
  private concurrency: number;
  private readonly useSpawner: boolean;
  private spawner: Spawner | null = null;
  private spawnerStarts = 0;

  static open(opts: EngineOptions): Engine {
    return new Engine(opts);
  }

  private constructor(opts: EngineOptions) {
    this.home = path.resolve(opts.home);
    fs.mkdirSync(this.home, { recursive: true, mode: 0o700 });
    this.log = opts.logger ?? silentLogger;
    this.killGraceMs = opts.killGraceMs ?? 5000;
    // a plain copy: process.env is a slow object to spread once per job
    this.env = { ...(opts.env ?? process.env) };
    this.useSpawner = process.platform !== 'win32' && (opts.spawner ?? process.versions.electron === undefined);
    this.binDir = opts.binDir;
    this.hub = new EventHub(opts.coalesceMs ?? 100);
    this.store = new JobStore(openDatabase(dbPath(this.home), { nativeBinding: opts.nativeBinding }));
    this.paused = this.store.setting('paused', false);
    this.concurrency = this.store.setting('concurrency', DEFAULT_CONCURRENCY);
    const now = Date.now();
    const recovered = recover(this.store, now, this.log, { home: this.home, graceMs: opts.recoveryGraceMs ?? Math.min(this.killGraceMs, 2000) });
    if (recovered.length) this.log.warn(`recovered ${recovered.length} job(s) left running by a previous host: ${recovered.map((r) => `#${r.id} → ${r.status}`).join(', ')}`);
    for (const r of recovered) if (r.status === 'interrupted') this.propagateFailure(r.id, now);
    this.kick();
  }

  listen(fn: Listener): Dispose {
    return this.hub.listen(fn);
  }

  // --- adding and reading --------------------------------------------------------

  add(input: Input<'add'>, by = 'api'): Job {
    this.assertOpen();
    guardEmptyArgv(input, '');
    const parsed = validate(AddInput, input);
    const now = Date.now();
    const job = this.prepare(parsed, now, '', { realpaths: new Map(), worktrees: new Map(), known: this.store.statuses(parsed.after) });
    const [id] = this.store.insertMany([job], now, by);
    this.afterInsert([id!], [job], now);
    return this.view(this.store.row(id!)!);
  }

  /** Many jobs in one transaction: the fast path for scripts and benchmarks. All or nothing. */
  addMany(inputs: Input<'addMany'>['jobs'], by = 'api'): number[] {
    this.assertOpen();
    if (Array.isArray(inputs)) inputs.forEach((j, i) => guardEmptyArgv(j, `jobs.${i}.`));
    const { jobs } = validate(methods.addMany.input, { jobs: inputs });
    const now = Date.now();
    const ctx: PrepareContext = { realpaths: new Map(), worktrees: new Map(), known: this.store.statuses([...new Set(jobs.flatMap((j) => j.after))]) };
    const prepared = jobs.map((j, i) => this.prepare(j, now, `jobs.${i}.`, ctx));
    const ids = this.store.insertMany(prepared, now, by);
    this.afterInsert(ids, prepared, now);
    return ids;
  }

  /** Validates what the schema cannot (cwd on disk, dependencies in the store) and shapes the row. */
  private prepare(p: AddParsed, now: number, prefix: string, ctx: PrepareContext): NewJob {
    let place = ctx.realpaths.get(p.cwd);
    if (place === undefined) {
      const resolved = path.resolve(p.cwd);
      let real: string | null;
      try {
        real = fs.realpathSync(resolved);
        if (!fs.statSync(real).isDirectory()) real = null;
      } catch {
        real = null;
      }
      ctx.realpaths.set(p.cwd, (place = [resolved, real]));
    }
    const [cwd, real] = place;
    if (real === null) throw new ErrandError('invalid_input', `Invalid input: ${prefix}cwd ${cwd} is not an existing directory.`, `${prefix}cwd`);
    p.after.forEach((dep, i) => {
      if (!ctx.known.has(dep)) throw new ErrandError('not_found', `Invalid input: ${prefix}after.${i} names job #${dep}, which does not exist.`, `${prefix}after.${i}`);
    });
    const spec: CommandStoredSpec = p.command.argv ? { argv: p.command.argv } : { shell: p.command.shell! };
    if (p.env) spec.env = p.env;
    if (p.capturePatch) {
      let top = ctx.worktrees.get(real);
      if (top === undefined) ctx.worktrees.set(real, (top = workTreeTopSync(real)));
      if (top) spec.worktree = top;
    }
    const display = commandText(spec);
    return {
      display,
      title: p.title?.trim() || display.slice(0, 120),
      spec,
      cwd: real,
      priority: p.priority,
      after: [...new Set(p.after)],
      labels: [...new Set(p.labels)],
      maxRetries: p.retries,
      retryBackoffMs: p.retryBackoffMs,
      timeoutMs: p.timeoutMs ?? null,
      notBefore: p.delayMs ? now + p.delayMs : null,
      restartable: p.restartable,
      capturePatch: p.capturePatch,
      plan: p.plan,
      etaKey: p.etaKey ?? sha1(JSON.stringify([spec.argv ?? spec.shell, real])),
    };
  }

  private afterInsert(ids: readonly number[], jobs: readonly NewJob[], now: number): void {
    // A dependency that has already failed dooms the new job at once, with the reason.
    const deps = [...new Set(jobs.flatMap((j) => j.after))];
    const statuses = deps.length ? this.store.statuses(deps) : new Map<number, JobStatus>();
    const fresh: number[] = [];
    ids.forEach((id, i) => {
      const dead = jobs[i]!.after.find((d) => DOOMED.includes(statuses.get(d)!));
      if (dead !== undefined) this.failForDependency(id, dead, statuses.get(dead)!, now);
      else fresh.push(id);
    });
    if (this.hub.size && fresh.length) {
      // announce the new jobs from one read of their rows and one history lookup
      const index = new Map(ids.map((id, i) => [id, i]));
      const keys = [...new Set(fresh.map((id) => jobs[index.get(id)!]!.etaKey))].filter((k) => !this.history.has(k));
      if (keys.length) this.prefetchHistory(keys);
      const slots = this.slotsUsed();
      for (const id of fresh) {
        const job = jobs[index.get(id)!]!;
        this.hub.emit({ type: 'job', job: this.view(JobStore.newRow(id, job, now, false), statuses, now, slots, job) }, `job:${id}`);
      }
      this.emitStatus();
    }
    this.kick();
  }

  list(opts: Input<'list'> = {}): Job[] {
    this.assertReadable();
    const o = validate(methods.list.input, opts);
    return this.views(this.store.page({ statuses: o.status, limit: o.limit, order: o.order, beforeId: o.beforeId, afterId: o.afterId, unread: o.unread }));
  }

  /** Jobs for many rows, with the lookups they share done once (not once per row). */
  private views(rows: JobRow[]): Job[] {
    const known = new Map<number, JobStatus>(rows.map((r) => [r.id, r.status]));
    // statuses of dependencies outside the page, in one query (not one per row)
    const missing = new Set<number>();
    for (const r of rows) {
      if ((r.status === 'queued' || r.status === 'held') && r.after !== '[]') for (const d of parseJson<number[]>(r.after) ?? []) if (!known.has(d)) missing.add(d);
    }
    for (const [id, s] of this.store.statuses([...missing])) known.set(id, s);
    // ETA history for every unfinished job's key, in a few queries (not one per key)
    const keys = new Set<string>();
    for (const r of rows) if (!isFinished(r.status) && !this.history.has(r.eta_key)) keys.add(r.eta_key);
    if (keys.size) this.prefetchHistory([...keys]);
    const now = Date.now();
    const slots = this.slotsUsed();
    return rows.map((r) => this.view(r, known, now, slots));
  }

  get(id: number): JobDetail {
    this.assertReadable();
    const { id: jobId } = validate(methods.get.input, { id });
    const row = this.store.require(jobId);
    const recorded = this.store.steps(jobId);
    return {
      job: this.view(row),
      result: parseJson<JobResult>(row.result),
      steps: [...recorded, ...plannedSteps(row, recorded)],
      attempts: this.store.attempts(jobId, (n) => fileSize(logPath(this.home, jobId, n))),
      events: this.store.events(jobId),
      approvals: this.store.approvals(jobId),
    };
  }

  readLog(input: Input<'logs'>): { data: Buffer; offset: number; size: number; attempt: number; done: boolean } {
    this.assertReadable();
    const o = validate(methods.logs.input, input);
    const row = this.store.require(o.id);
    const attempt = o.attempt ?? row.attempt;
    if (attempt > row.attempt) throw new ErrandError('not_found', `Job #${o.id} has no attempt ${attempt} (it has ${row.attempt}).`, 'attempt');
    // Only the current attempt of a job that is running (or waiting) can still grow.
    const live = attempt === row.attempt && (row.status === 'running' || row.status === 'waiting');
    if (attempt === 0) return { data: Buffer.alloc(0), offset: 0, size: 0, attempt, done: !live };
    const file = logPath(this.home, o.id, attempt);
    const size = fileSize(file);
    const len = Math.max(0, Math.min(o.limit, size - o.offset));
    const data = Buffer.alloc(len);
    if (len > 0) {
      const fd = fs.openSync(file, 'r');
      try {
        fs.readSync(fd, data, 0, len, o.offset);
      } finally {
        fs.closeSync(fd);
      }
    }
    return { data, offset: o.offset, size, attempt, done: !live && o.offset + len >= size };
  }

  /** The result of the current attempt (marking the job read), or of an earlier one. */
  result(input: Input<'result'>): { id: number; attempt: number; result: JobResult | null } {
    this.assertReadable();
    const o = validate(methods.result.input, input);
    const row = this.store.require(o.id);
    const attempt = o.attempt ?? row.attempt;
    if (attempt > row.attempt) throw new ErrandError('not_found', `Job #${o.id} has no attempt ${attempt} (it has ${row.attempt}).`, 'attempt');
    const live = attempt === row.attempt && (row.status === 'running' || row.status === 'waiting');
    let result: JobResult | null;
    if (live) {
      result = parseJson<JobResult>(row.result);
    } else {
      const recorded = this.store.attemptResult(o.id, attempt);
      if (recorded === undefined && attempt !== row.attempt) throw new ErrandError('not_found', `Job #${o.id} has no attempt ${attempt}.`, 'attempt');
      result = recorded === undefined ? parseJson<JobResult>(row.result) : recorded;
    }
    if (o.attempt === undefined && isFinished(row.status) && row.read_at === null) this.markRead([o.id]);
    return { id: o.id, attempt, result };
  }

  // --- steering -----------------------------------------------------------------

  /**
   * Cancels jobs: queued/held ones at once; running/waiting ones get SIGTERM to their
   * whole process group (SIGKILL after the grace). Resolves once nothing of them runs.
   */
  async cancel(ids: number[], by = 'api'): Promise<Job[]> {
    this.assertOpen();
    const rows = this.rowsFor(ids, 'cancel');
    const now = Date.now();
    const waits: Promise<void>[] = [];
    const idle: JobRow[] = [];
    for (const row of rows) {
      const run = this.runs.get(row.id);
      if (run) {
        run.cancelBy ??= by;
        run.cmd?.terminate(this.killGraceMs);
        this.emitJob(row.id);
        waits.push(run.finished);
      } else {
        idle.push(row);
      }
    }
    if (idle.length) {
      this.store.tx(() => {
        for (const row of idle) this.store.transition(row.id, 'cancel', { finished_at: now, error: `cancelled by ${by}` }, { type: 'cancelled', by }, now);
      });
      for (const row of idle) {
        this.emitJob(row.id);
        this.propagateFailure(row.id, now);
      }
    }
    await Promise.all(waits);
    this.kick();
    return rows.map((r) => this.view(this.store.require(r.id)));
  }

  /** Puts finished jobs back in the queue: same id, a new attempt when it starts; earlier attempts stay readable. */
  retry(ids: number[], by = 'api'): Job[] {
    this.assertOpen();
    const rows = this.rowsFor(ids, 'retry');
    const retrying = new Set(rows.map((r) => r.id));
    for (const row of rows) {
      const after = parseJson<number[]>(row.after) ?? [];
      for (const [dep, s] of this.store.statuses(after)) {
        if (DOOMED.includes(s) && !retrying.has(dep)) {
          throw new ErrandError('illegal_transition', `Cannot retry job #${row.id}: its dependency #${dep} is ${s}. Retry #${dep} first (or both together).`);
        }
      }
    }
    const now = Date.now();
    const out = this.store.tx(() =>
      rows.map((row) =>
        this.store.transition(
          row.id,
          'retry',
          { not_before: null, auto_retries: 0, finished_at: null, error: null, exit_code: null, signal: null, read_at: null, progress: null, result: null },
          { type: 'retried', by, data: { previousAttempt: row.attempt } },
          now,
        ),
      ),
    );
    for (const r of out) this.emitJob(r.id);
    this.kick();
    return out.map((r) => this.view(r));
  }

  hold(ids: number[], by = 'api'): Job[] {
    this.assertOpen();
    return this.simple(ids, 'hold', by, 'held');
  }

  release(ids: number[], by = 'api'): Job[] {
    this.assertOpen();
    const jobs = this.simple(ids, 'release', by, 'released');
    this.kick();
    return jobs;
  }

  private simple(ids: number[], action: 'hold' | 'release', by: string, type: string): Job[] {
    const rows = this.rowsFor(ids, action);
    const now = Date.now();
    const out = this.store.tx(() => rows.map((r) => this.store.transition(r.id, action, {}, { type, by }, now)));
    for (const r of out) this.emitJob(r.id);
    return out.map((r) => this.view(r));
  }

  prioritise(id: number, priority: number, by = 'api'): Job {
    this.assertOpen();
    const o = validate(methods.prioritise.input, { id, priority });
    const row = this.store.require(o.id);
    const now = Date.now();
    if (row.priority !== o.priority) {
      this.store.tx(() => {
        this.store.update(o.id, { priority: o.priority });
        this.store.event(o.id, row.attempt, now, { type: 'priority', by, data: { from: row.priority, to: o.priority } });
      });
      this.emitJob(o.id);
      this.kick();
    }
    return this.view(this.store.require(o.id));
  }

  markRead(ids: number[]): void {
    this.assertOpen();
    const o = validate(methods.markRead.input, { ids });
    const unique = [...new Set(o.ids)];
    unique.forEach((id) => this.store.require(id, `ids.${o.ids.indexOf(id)}`));
    this.store.markRead(unique, Date.now());
    for (const id of unique) this.emitJob(id);
    this.emitStatus();
  }

  pause(by = 'api'): QueueState {
    this.assertOpen();
    return this.setQueue({ paused: true }, by);
  }

  resume(by = 'api'): QueueState {
    this.assertOpen();
    return this.setQueue({ paused: false }, by);
  }

  setConcurrency(concurrency: number, by = 'api'): QueueState {
    this.assertOpen();
    const o = validate(methods.setConcurrency.input, { concurrency });
    return this.setQueue({ concurrency: o.concurrency }, by);
  }

  queueState(): QueueState {
    return { paused: this.paused, concurrency: this.concurrency, running: this.slotsUsed() };
  }

  private setQueue(change: { paused?: boolean; concurrency?: number }, by: string): QueueState {
    this.store.tx(() => {
      if (change.paused !== undefined) this.store.setSetting('paused', change.paused);
      if (change.concurrency !== undefined) this.store.setSetting('concurrency', change.concurrency);
    });
    if (change.paused !== undefined) this.paused = change.paused;
    if (change.concurrency !== undefined) this.concurrency = change.concurrency;
    this.log.info(`queue ${JSON.stringify(change)} by ${by}`);
    const q = this.queueState();
    this.hub.emit({ type: 'queue', queue: q });
    // queued jobs' activity ("queue paused", "waiting for a slot") changed too
    if (this.hub.size) for (const r of this.store.rows(['queued'], 1000)) this.hub.coalesce(`job:${r.id}`, () => this.jobEvent(r.id));
    this.emitStatus();
    this.kick();
    return q;
  }

  // --- approvals -------------------------------------------------------------------

  approve(id: number, note?: string, by = 'api'): Approval {
    return this.decide(id, 'approved', note, by);
  }

  deny(id: number, note?: string, by = 'api'): Approval {
    return this.decide(id, 'denied', note, by);
  }

  approvals(): Approval[] {
    this.assertReadable();
    return this.store.approvals();
  }

  private decide(id: number, decision: 'approved' | 'denied', note: string | undefined, by: string): Approval {
    this.assertOpen();
    const o = validate(methods.approve.input, { id, note });
    const row = this.store.require(o.id);
    const open = this.store.openApproval(o.id);
    if (row.status !== 'waiting' || !open) {
      throw new ErrandError('illegal_transition', `Cannot ${decision === 'approved' ? 'approve' : 'deny'} job #${o.id}: it is ${row.status}, not waiting for approval.`);
    }
    const now = Date.now();
    this.store.tx(() => {
      this.store.decideApproval(open.id, decision, o.note ?? null, by, now);
      this.store.transition(o.id, 'decide', {}, { type: 'approval-decided', by, data: { approvalId: open.id, decision, note: o.note } }, now);
    });
    this.waiting.delete(o.id);
    const approval = this.store.approval(open.id)!;
    this.settleApproval(approval);
    this.emitJob(o.id);
    return approval;
  }

  private settleApproval(a: Approval): void {
    this.hub.emit({ type: 'approval', approval: a });
    const fns = this.deciders.get(a.id);
    this.deciders.delete(a.id);
    for (const fn of fns ?? []) fn({ decision: a.decision!, note: a.note });
  }

  awaitDecision(approvalId: number): Promise<{ decision: Decision; note: string | null }> {
    try {
      this.assertOpen();
      const o = validate(methods.awaitDecision.input, { approvalId });
      const a = this.store.approval(o.approvalId);
      if (!a) throw new ErrandError('not_found', `No approval #${o.approvalId}.`, 'approvalId');
      if (a.decision) return Promise.resolve({ decision: a.decision, note: a.note });
      return new Promise((resolve) => {
        const list = this.deciders.get(a.id) ?? [];
        list.push(resolve);
        this.deciders.set(a.id, list);
      });
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }

  // --- reports from inside a running job ------------------------------------------------

  /**
   * Progress from a job. Cheap by design (a chatty job may call it thousands of times a
   * second): kept in memory, written to the store in one batch every 500 ms, and
   * announced at most 10 times a second per job.
   */
  jobProgress(input: Input<'jobProgress'>): void {
    this.assertOpen();
    const o = validate(methods.jobProgress.input, input);
    this.inJob(o.jobId, o.attempt);
    const now = Date.now();
    const p: Progress = { done: o.done, total: o.total, unit: o.unit, label: o.label };
    let rate = this.rates.get(o.jobId);
    if (!rate) this.rates.set(o.jobId, (rate = new RateTracker()));
    rate.sample(now, o.done);
    this.dirtyProgress.set(o.jobId, { attempt: o.attempt, progress: p });
    this.progressTimer ??= setTimeout(() => this.flushProgress(), PROGRESS_FLUSH_MS).unref();
    this.hub.coalesce(`job:${o.jobId}`, () => this.jobEvent(o.jobId));
  }

  jobStep(input: Input<'jobStep'>): void {
    this.assertOpen();
    const o = validate(methods.jobStep.input, input);
    this.inJob(o.jobId, o.attempt);
    this.store.recordStep(o.jobId, o.attempt, o.name, o.status, Date.now());
    this.hub.coalesce(`job:${o.jobId}`, () => this.jobEvent(o.jobId));
  }

  /** Declares (or revises) the planned steps. The plan may change; the record of steps taken never does. */
  jobPlan(input: Input<'jobPlan'>): void {
    this.assertOpen();
    const o = validate(methods.jobPlan.input, input);
    this.inJob(o.jobId, o.attempt);
    const now = Date.now();
    this.store.tx(() => {
      this.store.update(o.jobId, { plan: JSON.stringify(o.steps) });
      this.store.event(o.jobId, o.attempt, now, { type: 'plan', by: 'job', data: { steps: o.steps } });
    });
    this.emitJob(o.jobId);
  }

  jobAsk(input: Input<'jobAsk'>): number {
    this.assertOpen();
    const o = validate(methods.jobAsk.input, input);
    const row = this.inJob(o.jobId, o.attempt);
    if (row.status !== 'running') throw new ErrandError('illegal_transition', `Job #${o.jobId} is already waiting for a decision; ask one question at a time.`);
    const now = Date.now();
    const approvalId = this.store.tx(() => {
      const aid = this.store.insertApproval(o.jobId, o.attempt, o.question, o.context ?? null, now);
      this.store.transition(o.jobId, 'ask', {}, { type: 'approval-requested', by: 'job', data: { approvalId: aid, question: o.question } }, now);
      return aid;
    });
    this.waiting.add(o.jobId);
    this.hub.emit({ type: 'approval', approval: this.store.approval(approvalId)! });
    this.emitJob(o.jobId);
    this.kick(); // a job waiting on a person holds no slot
    return approvalId;
  }

  jobResult(input: Input<'jobResult'>): void {
    this.assertOpen();
    const o = validate(methods.jobResult.input, input);
    const row = this.inJob(o.jobId, o.attempt);
    const now = Date.now();
    this.store.tx(() => {
      this.store.update(o.jobId, { result: JSON.stringify(o.result) });
      this.store.event(o.jobId, row.attempt, now, { type: 'result', by: 'job', data: { resultType: o.result.type, summary: o.result.summary } });
    });
    this.emitJob(o.jobId);
  }

  private inJob(jobId: number, attempt: number): JobRow {
    const row = this.store.require(jobId, 'jobId');
    if ((row.status !== 'running' && row.status !== 'waiting') || row.attempt !== attempt) {
      throw new ErrandError('illegal_transition', `Job #${jobId} attempt ${attempt} is not running (the job is ${row.status}, attempt ${row.attempt}).`);
    }
    return row;
  }

  // --- removal -----------------------------------------------------------------

  remove(ids: number[], by = 'api'): number[] {
    this.assertOpen();
    const o = validate(methods.remove.input, { ids });
    const rows = [...new Set(o.ids)].map((id) => this.store.require(id, `ids.${o.ids.indexOf(id)}`));
    const busy = rows.find((r) => !isFinished(r.status));
    if (busy) throw new ErrandError('illegal_transition', `Cannot remove job #${busy.id}: it is ${busy.status}. Cancel it first.`);
    return this.drop(rows.map((r) => r.id), by);
  }

  clean(olderThanMs = 0, by = 'api'): number[] {
    this.assertOpen();
    const o = validate(methods.clean.input, { olderThanMs });
    return this.drop(this.store.finishedBefore(Date.now() - o.olderThanMs), by);
  }

  private drop(ids: number[], by: string): number[] {
    if (!ids.length) return [];
    this.store.remove(ids);
    for (const id of ids) {
      fs.rmSync(logDir(this.home, id), { recursive: true, force: true });
      this.hub.forget(`job:${id}`);
      this.hub.forget(`log:${id}`);
    }
    this.log.info(`removed ${ids.length} job(s) by ${by}`);
    this.hub.emit({ type: 'removed', ids });
    this.emitStatus();
    return ids;
  }

  // --- status ---------------------------------------------------------------------

  status(): StatusSummary {
    this.assertReadable();
    const counts = this.store.counts();
    const now = Date.now();
    const running = counts.running ? this.store.rows(['running']) : [];
    const remaining = running.map((r) => this.eta(r, now).seconds);
    // every queued job counts (blocked or delayed ones too), grouped by what it runs
    // Every queued job counts (blocked or delayed ones too), in start order. The first
    // QUEUE_ETA_HEAD are looked at one by one; any beyond are taken to last as long as
    // those on average, so a 100k queue costs no more than a 1k one.
    const head = counts.queued ? this.store.queuedKeys(QUEUE_ETA_HEAD) : [];
    const uncached = [...new Set(head)].filter((key) => !this.history.has(key));
    if (uncached.length) this.prefetchHistory(uncached);
    const queued: [number | null, number][] = head.map((key) => {
      const h = this.historyMs(key);
      return [h === null ? null : h / 1000, 1];
    });
    const rest = counts.queued - head.length;
    if (rest > 0 && queued.length) {
      const known = queued.every(([d]) => d !== null);
      queued.push([known ? queued.reduce((sum, [d]) => sum + d!, 0) / queued.length : null, rest]);
    }
    const etaSeconds = queueEta(remaining, queued, this.concurrency);
    const attention = { needsYou: counts.waiting + this.store.unreadProblems(), unreadResults: this.store.unreadResults() };
    const queue = this.queueState();
    return { line: statusLine({ counts, needsYou: attention.needsYou, etaSeconds, paused: this.paused }), counts, attention, etaSeconds, queue };
  }

  snapshot(input: Input<'snapshot'> = {}): Output<'snapshot'> {
    this.assertReadable();
    const { finishedLimit, pageSize } = validate(methods.snapshot.input, input);
    const status = this.status();
    const finishedTotal = FINISHED_STATUSES.reduce((n, s) => n + status.counts[s], 0);
    const page = this.snapshotPage({ cursor: { part: 0, afterId: 0, taken: 0, finishedLimit }, pageSize });
    return { jobs: page.jobs, status, approvals: this.approvals(), finishedTotal, cursor: page.cursor };
  }

  /** The next page of a snapshot: part by part, each by id, until a page comes back with no cursor. */
  snapshotPage(input: Input<'snapshotPage'>): Output<'snapshotPage'> {
    this.assertReadable();
    const { cursor, pageSize } = validate(methods.snapshotPage.input, input);
    let { part, afterId, taken } = cursor;
    const rows: JobRow[] = [];
    while (part <= 3 && rows.length < pageSize) {
      const want = part === 3 ? Math.min(pageSize - rows.length, cursor.finishedLimit - taken) : pageSize - rows.length;
      const got =
        want <= 0
          ? []
          : part === 0
            ? this.store.page({ statuses: ['running', 'waiting'], afterId, limit: want })
            : part === 1
              ? this.store.page({ notable: true, afterId, limit: want })
              : part === 2
                ? this.store.page({ statuses: ['queued', 'held'], afterId, limit: want })
                : this.store.page({ statuses: FINISHED_STATUSES, order: 'newest', beforeId: afterId || undefined, limit: want });
      rows.push(...got);
      if (part === 3) taken += got.length;
      const partDone = got.length < want || want <= 0 || (part === 3 && taken >= cursor.finishedLimit);
      if (!partDone) {
        afterId = got[got.length - 1]!.id;
        break;
      }
      part++;
      afterId = 0;
    }
    const more = part <= 3;
    return { jobs: this.views(rows), cursor: more ? { part, afterId, taken, finishedLimit: cursor.finishedLimit } : null };
  }

  /** What the engine holds armed: for tests and health checks ("idle does nothing"). */
  diagnostics(): EngineDiagnostics {
    let timeoutTimers = 0;
    for (const r of this.runs.values()) if (r.timer) timeoutTimers++;
    const d = {
      dueTimer: this.dueTimer !== null,
      progressTimer: this.progressTimer !== null,
      kickPending: this.kickHandle !== null,
      pendingEvents: this.hub.pendingCount,
      timeoutTimers,
      runs: this.runs.size,
    };
    return { ...d, idle: !d.dueTimer && !d.progressTimer && !d.kickPending && !d.pendingEvents && !d.timeoutTimers && !d.runs };
  }

  // --- the scheduler -------------------------------------------------------------------

  private slotsUsed(): number {
    return this.runs.size - this.waiting.size;
  }

  /** Coalesces scheduling requests into one pass on the next turn; no polling anywhere. */
  private kick(): void {
    if (this.kickHandle || this.closed) return;
    this.kickHandle = setImmediate(() => {
      this.kickHandle = null;
      if (!this.closed) this.pump();
    });
  }

  private pump(): void {
    const now = Date.now();
    let claimed: JobRow[] = [];
    try {
      if (!this.paused && this.concurrency > this.slotsUsed()) claimed = this.store.tx(() => this.claim(now));
    } catch (e) {
      this.log.error('could not start jobs', e);
    }
    this.begin(claimed);
    this.armDueTimer(now);
    this.emitStatus();
  }

  /**
   * Moves as many ready jobs as there are free slots to running (call inside a
   * transaction: the jobs are recorded as started before any process is spawned, so
   * a crash can never leave a process the store does not know about).
   */
  private claim(now: number): JobRow[] {
    if (this.paused || this.closed) return [];
    const free = this.concurrency - this.slotsUsed();
    if (free <= 0) return [];
    const out: JobRow[] = [];
    const busy: Place[] = [...this.runs.values()].map((r) => r.place);
    let candidates = this.store.ready(now, free);
    // some may have to wait for a job in the same work tree: then look a little further
    if (candidates.some((c) => c.capture_patch) || busy.some((b) => b.worktree)) candidates = this.store.ready(now, free + 32);
    for (const row of candidates) {
      if (out.length >= free) break;
      const place = placeOf(row);
      if (busy.some((b) => clash(b, place))) continue;
      busy.push(place);
      const attempt = row.attempt + 1;
      out.push(
        this.store.transition(
          row.id,
          'start',
          { attempt, started_at: now, finished_at: null, exit_code: null, signal: null, error: null, result: null, progress: null, not_before: null, pgid: null },
          { type: 'started', by: BY_SCHEDULER, data: { attempt } },
          now,
        ),
      );
      this.store.openAttempt(row.id, attempt, now);
    }
    return out;
  }

  private armDueTimer(now: number): void {
    const due = this.closed ? null : this.store.nextDue(now);
    if (due === this.dueAt && (due === null || this.dueTimer)) return;
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = null;
    this.dueAt = due;
    if (due !== null) {
      this.dueTimer = setTimeout(
        () => {
          this.dueTimer = null;
          this.dueAt = null;
          this.kick();
        },
        Math.min(Math.max(0, due - now) + 5, 2 ** 31 - 1),
      );
      this.dueTimer.unref();
    }
  }

  /**
   * Launches the processes of claimed (already running) jobs. Every run is registered
   * before anyone hears of it, so a listener reacting to the news (say, by cancelling)
   * finds it in place.
   */
  private begin(rows: readonly JobRow[]): void {
    for (const row of rows) {
      let resolveFinished!: () => void;
      const finished = new Promise<void>((r) => (resolveFinished = r));
      const run: RunState = { attempt: row.attempt, place: placeOf(row), cmd: null, cancelBy: null, shutdown: false, timedOut: false, timer: null, baseTree: null, finished, resolveFinished };
      this.runs.set(row.id, run);
      void this.launch(row, run);
    }
    for (const row of rows) this.emitJob(row.id);
  }

  private async launch(row: JobRow, run: RunState): Promise<void> {
    const id = row.id;
    let exit: ExitInfo;
    try {
      if (!isDir(row.cwd)) {
        exit = { exitCode: null, signal: null, spawnError: `working directory ${row.cwd} no longer exists` };
      } else {
        if (row.capture_patch) {
          run.baseTree = await snapshotTree(row.cwd).catch((e: unknown) => {
            this.log.warn(`job #${id}: could not snapshot the work tree`, e);
            return null;
          });
        }
        if (run.cancelBy || run.shutdown) {
          exit = { exitCode: null, signal: null, spawnError: null };
        } else {
          const spec = parseJson<CommandStoredSpec>(row.spec)!;
          const file = logPath(this.home, id, run.attempt);
          const cmd = startCommand({
            spawner: this.jobSpawner(),
            argv: spec.argv,
            shell: spec.shell,
            cwd: row.cwd,
            env: this.jobEnv(row, spec, run.attempt),
            logFile: file,
            leftoverGraceMs: this.killGraceMs,
            onOutput: () => this.hub.coalesce(`log:${id}`, () => ({ type: 'log', jobId: id, attempt: run.attempt, size: fileSize(file) })),
          });
          run.cmd = cmd;
          void cmd.started.then((pgid) => {
            try {
              if (pgid > 0 && this.store.db.open) this.store.setPgid(id, run.attempt, pgid);
            } catch (e) {
              this.log.warn(`job #${id}: could not record its process group`, e);
            }
          });
          if (row.timeout_ms) {
            run.timer = setTimeout(() => {
              run.timer = null;
              run.timedOut = true;
              cmd.terminate(this.killGraceMs);
            }, row.timeout_ms);
          }
          exit = await cmd.exited;
        }
      }
    } catch (e) {
      this.log.error(`job #${id} could not run`, e);
      exit = { exitCode: null, signal: null, spawnError: `could not run: ${(e as Error).message}` };
    }
    await this.finishAttempt(id, run, exit);
  }

  /** The helper that starts jobs (started on first use, again if it died); null: spawn directly. */
  private jobSpawner(): Spawner | null {
    if (!this.useSpawner || this.closed) return null;
    if (this.spawner?.running) return this.spawner;
    if (this.spawnerStarts >= 3) return null; // it keeps dying: start jobs directly from now on
    if (this.spawnerStarts++) this.log.warn('the spawner helper exited; starting a new one');
    try {
      this.spawner = new Spawner();
    } catch (e) {
      this.log.warn('could not start the spawner helper; starting jobs directly', e);
      this.spawner = null;
    }
    return this.spawner;
  }

  private jobEnv(row: JobRow, spec: CommandStoredSpec, attempt: number): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...this.env, ...spec.env, ERRAND_JOB_ID: String(row.id), ERRAND_ATTEMPT: String(attempt), ERRAND_HOME: this.home };
    if (this.binDir) env.PATH = [this.binDir, env.PATH].filter(Boolean).join(path.delimiter);
    return env;
  }

  private async finishAttempt(id: number, run: RunState, exit: ExitInfo): Promise<void> {
    if (run.timer) clearTimeout(run.timer);
    run.timer = null;
    this.flushProgress();
    try {
      const row = this.store.row(id);
      if (!row) return;
      let result = parseJson<JobResult>(row.result);
      if (row.capture_patch && run.baseTree && exit.exitCode === 0 && !run.timedOut && !run.cancelBy && !run.shutdown && !result) {
        try {
          const end = await snapshotTree(row.cwd);
          if (end && end !== run.baseTree) {
            const patch = await diffTrees(row.cwd, run.baseTree, end);
            result = { type: 'patch', summary: summarizePatch(patch), patch };
          }
        } catch (e) {
          this.log.warn(`job #${id}: could not capture its changes as a patch`, e);
        }
      }
      const now = Date.now();
      // The slot is free from here: the outcome and the next job's start share one commit.
      this.runs.delete(id);
      this.waiting.delete(id);
      let claimed: JobRow[] = [];
      const outcome = this.store.tx(() => {
        const o = this.recordOutcome(this.store.row(id)!, run, exit, result, now);
        claimed = this.claim(now);
        return o;
      });
      this.begin(claimed);
      this.rates.delete(id);
      for (const a of outcome.expired) this.settleApproval(a);
      if (outcome.row.status === 'succeeded') {
        // keep the cached history current instead of querying it again
        const h = this.history.get(outcome.row.eta_key);
        if (h) {
          h.unshift(now - outcome.row.started_at!);
          if (h.length > HISTORY_SAMPLES) h.length = HISTORY_SAMPLES;
        }
      }
      if (DOOMED.includes(outcome.row.status)) this.propagateFailure(id, now);
    } catch (e) {
      this.log.error(`job #${id}: could not record how it ended`, e);
    } finally {
      this.runs.delete(id);
      this.waiting.delete(id);
      this.rates.delete(id);
      if (this.store.db.open) {
        this.hub.flush(`log:${id}`);
        this.emitJob(id);
      }
      this.hub.forget(`log:${id}`);
      this.hub.forget(`job:${id}`);
      run.resolveFinished();
      this.kick();
    }
  }

  /** Decides and records, in one transaction, what an attempt's end means for its job. */
  private recordOutcome(row: JobRow, run: RunState, exit: ExitInfo, result: JobResult | null, now: number): { row: JobRow; expired: Approval[] } {
    const expired: Approval[] = [];
    if (row.status === 'waiting') {
      const open = this.store.openApproval(row.id);
      if (open) {
        this.store.decideApproval(open.id, 'expired', 'the job ended before a decision', 'host', now);
        expired.push(this.store.approval(open.id)!);
      }
      row = this.store.transition(row.id, 'decide', {}, { type: 'approval-expired', by: 'host', data: { approvalId: open?.id } }, now);
    }
    const ended = { finished_at: now, exit_code: exit.exitCode, signal: exit.signal };
    const resultJson = result ? JSON.stringify(result) : null;
    const attemptEnd = (status: JobStatus, error: string | null): void => {
      this.store.closeAttempt(row.id, run.attempt, { status, ...ended, error, result: resultJson });
      this.store.closeOpenSteps(row.id, run.attempt, status === 'succeeded' ? 'done' : 'failed', now);
    };
    if (run.shutdown) {
      const error = 'interrupted: the host shut down while it ran';
      attemptEnd('interrupted', error);
      return row.restartable
        ? { row: this.store.transition(row.id, 'requeue', { ...ended, finished_at: null, error }, { type: 'requeued', by: 'host', data: { reason: 'host shut down; the job is restartable' } }, now), expired }
        : { row: this.store.transition(row.id, 'interrupt', { ...ended, error }, { type: 'interrupted', by: 'host', data: { reason: 'host shut down' } }, now), expired };
    }
    if (run.cancelBy) {
      const error = `cancelled by ${run.cancelBy}`;
      attemptEnd('cancelled', error);
      return { row: this.store.transition(row.id, 'cancel', { ...ended, error }, { type: 'cancelled', by: run.cancelBy, data: { signal: exit.signal } }, now), expired };
    }
    if (exit.exitCode === 0 && !run.timedOut) {
      attemptEnd('succeeded', null);
      return { row: this.store.transition(row.id, 'succeed', { ...ended, result: resultJson }, { type: 'finished', by: 'job', data: { exitCode: 0, result: result?.type } }, now), expired };
    }
    const error =
      exit.spawnError ?? (run.timedOut ? `timed out after ${formatMs(row.timeout_ms!)}` : exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.exitCode}`);
    attemptEnd('failed', error);
    if (row.auto_retries < row.max_retries) {
      const delay = Math.min(row.retry_backoff_ms * 2 ** row.auto_retries, 3_600_000);
      return {
        row: this.store.transition(
          row.id,
          'requeue',
          { ...ended, finished_at: null, error, not_before: now + delay, auto_retries: row.auto_retries + 1 },
          { type: 'retry-scheduled', by: BY_SCHEDULER, data: { error, inMs: delay, retry: row.auto_retries + 1, of: row.max_retries } },
          now,
        ),
        expired,
      };
    }
    return {
      row: this.store.transition(row.id, 'fail', { ...ended, error, result: resultJson }, { type: 'failed', by: 'job', data: { error, exitCode: exit.exitCode, signal: exit.signal } }, now),
      expired,
    };
  }

  /** Dependants of a job that will not succeed fail too, saying which dependency (transitively). */
  private propagateFailure(depId: number, now: number): void {
    const stack: [number, JobStatus][] = [];
    const dep = this.store.row(depId);
    if (dep) stack.push([depId, dep.status]);
    while (stack.length) {
      const [d, status] = stack.pop()!;
      for (const id of this.store.dependants(d)) {
        this.failForDependency(id, d, status, now);
        stack.push([id, 'failed']);
      }
    }
  }

  private failForDependency(id: number, depId: number, depStatus: JobStatus, now: number): void {
    const word = depStatus === 'cancelled' ? 'was cancelled' : depStatus === 'interrupted' ? 'was interrupted' : 'failed';
    const error = `dependency #${depId} ${word}`;
    this.store.transition(id, 'fail', { finished_at: now, error }, { type: 'failed', by: BY_SCHEDULER, data: { error, dependency: depId } }, now);
    this.emitJob(id);
  }

  private flushProgress(): void {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = null;
    if (!this.dirtyProgress.size || !this.store.db.open) return;
    this.store.writeProgress(this.dirtyProgress);
    this.dirtyProgress.clear();
  }

  // --- views and events -----------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new ErrandError('busy', 'Errand is shutting down; try again once it has restarted.');
  }

  private assertReadable(): void {
    if (!this.store.db.open) throw new ErrandError('busy', 'Errand has shut down; try again once it has restarted.');
  }

  private rowsFor(ids: number[], action: 'cancel' | 'retry' | 'hold' | 'release'): JobRow[] {
    const o = validate(methods[action].input, { ids });
    const rows = [...new Set(o.ids)].map((id) => this.store.require(id, `ids.${o.ids.indexOf(id)}`));
    // all-or-nothing: refuse the whole request before touching anything
    for (const r of rows) this.store.assertCan(action, r);
    return rows;
  }

  private prefetchHistory(keys: string[]): void {
    if (this.history.size + keys.length > HISTORY_CACHE_MAX) this.history.clear();
    for (const [k, ds] of this.store.durationsMany(keys, HISTORY_SAMPLES)) this.history.set(k, ds);
  }

  private historyMs(key: string): number | null {
    let h = this.history.get(key);
    if (h === undefined) {
      if (this.history.size >= HISTORY_CACHE_MAX) this.history.clear();
      h = this.store.durations(key, HISTORY_SAMPLES);
      this.history.set(key, h);
    }
    return median(h);
  }

  /** The latest progress of the row's attempt: reported (not yet written) or stored. */
  private progressOf(row: JobRow): Progress | null {
    const dirty = this.dirtyProgress.get(row.id);
    return dirty && dirty.attempt === row.attempt ? dirty.progress : parseJson<Progress>(row.progress);
  }

  private eta(row: JobRow, now: number): Job['eta'] {
    if (isFinished(row.status)) return { seconds: null, basis: 'unknown' };
    const progress = this.progressOf(row);
    return estimate({ status: row.status, startedAt: row.started_at, progressTotal: progress?.total ?? null, rate: this.rates.get(row.id), historyMs: this.historyMs(row.eta_key), now });
  }

  /**
   * The contract's Job for a row. `fresh`: the values the row was just made from, so a
   * batch of new jobs is announced without parsing back what was serialised a moment ago.
   */
  private view(row: JobRow, known?: Map<number, JobStatus>, now = Date.now(), slots = this.slotsUsed(), fresh?: NewJob): Job {
    const after = fresh ? fresh.after : row.after === '[]' ? [] : (parseJson<number[]>(row.after) ?? []);
    let blockedOn: number[] = [];
    if (after.length && (row.status === 'queued' || row.status === 'held')) {
      const missing = after.filter((d) => !known?.has(d));
      const fetched = missing.length ? this.store.statuses(missing) : undefined;
      blockedOn = after.filter((d) => {
        const s = known?.get(d) ?? fetched?.get(d);
        return s !== undefined && s !== 'succeeded';
      });
    }
    const command = fresh?.display ?? commandText(parseJson<CommandStoredSpec>(row.spec)!);
    const active = row.status === 'running' || row.status === 'waiting';
    const result = parseJson<JobResult>(row.result);
    const progress = this.progressOf(row);
    const activity = activityOf({
      status: row.status,
      now,
      paused: this.paused,
      running: slots,
      concurrency: this.concurrency,
      notBefore: row.not_before,
      autoRetries: row.auto_retries,
      maxRetries: row.max_retries,
      blockedOn,
      treeBusyWith: row.status === 'queued' && !blockedOn.length ? this.treeBusyWith(row, fresh?.spec) : null,
      command,
      step: active ? this.store.currentStep(row.id, row.attempt) : null,
      question: row.status === 'waiting' ? (this.store.openApproval(row.id)?.question ?? null) : null,
      cancelling: Boolean(this.runs.get(row.id)?.cancelBy),
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
      unread: isFinished(row.status) && row.read_at === null,
      attention: attentionOf(row.status, isFinished(row.status) && row.read_at === null, result?.type ?? null),
      progressText: progressText(progress),
    };
  }

  /** The running job a queued one may not run beside (shared work tree, patch capture), if any. */
  private treeBusyWith(row: JobRow, spec?: CommandStoredSpec): number | null {
    if (!this.runs.size) return null;
    const place = placeOf(row, spec);
    for (const r of this.runs.values()) if (r.place.id !== row.id && clash(r.place, place)) return r.place.id;
    return null;
  }

  private jobEvent(id: number): { type: 'job'; job: Job } | null {
    const row = this.store.db.open ? this.store.listRow(id) : undefined;
    return row ? { type: 'job', job: this.view(row) } : null;
  }

  /** A state change: sent at once (replacing any coalesced update of the same job). */
  private emitJob(id: number): void {
    if (!this.hub.size) return;
    const e = this.jobEvent(id);
    if (e) this.hub.emit(e, `job:${id}`);
    this.emitStatus();
  }

  private emitStatus(): void {
    if (!this.hub.size) return;
    // trailing: computed once after a burst of changes, not in the middle of it
    this.hub.coalesce('status', () => (this.store.db.open ? { type: 'status', status: this.status() } : null), true);
  }

  // --- shutdown -------------------------------------------------------------------------

  /**
   * Graceful stop: nothing new starts, running jobs get SIGTERM (SIGKILL after the
   * grace) and are recorded as interrupted (restartable ones go back to the queue),
   * then the store is closed. Leaves no timers and no processes behind.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = null;
    if (this.kickHandle) clearImmediate(this.kickHandle);
    this.kickHandle = null;
    const waits: Promise<void>[] = [];
    for (const run of this.runs.values()) {
      run.shutdown = true;
      run.cmd?.terminate(this.killGraceMs);
      waits.push(run.finished);
    }
    await Promise.all(waits);
    await this.spawner?.close();
    this.spawner = null;
    this.flushProgress();
    for (const fns of this.deciders.values()) for (const fn of fns) fn({ decision: 'expired', note: 'the host shut down' });
    this.deciders.clear();
    this.hub.close();
    this.store.db.close();
  }
}

/** The plan's steps not yet recorded in the current attempt, as "planned" entries after the record. */
function plannedSteps(row: JobRow, recorded: readonly Step[]): Step[] {
  const plan = parseJson<string[]>(row.plan) ?? [];
  if (!plan.length || isFinished(row.status)) return [];
  const attempt = row.status === 'queued' || row.status === 'held' ? row.attempt + 1 : row.attempt;
  const current = recorded.filter((s) => s.attempt === attempt);
  const seen = new Set(current.map((s) => s.name));
  let index = current.length ? Math.max(...current.map((s) => s.index)) + 1 : 0;
  return plan.filter((name) => !seen.has(name)).map((name) => ({ attempt, index: index++, name, status: 'planned', startedAt: null, finishedAt: null }));
}

function placeOf(row: JobRow, spec?: CommandStoredSpec): Place {
  return { id: row.id, cwd: row.cwd, worktree: row.capture_patch ? ((spec ?? parseJson<CommandStoredSpec>(row.spec))?.worktree ?? null) : null };
}

const within = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/** Two jobs that may not run at once: one captures a patch of a work tree the other runs in. */
function clash(a: Place, b: Place): boolean {
  return (a.worktree !== null && within(b.cwd, a.worktree)) || (b.worktree !== null && within(a.cwd, b.worktree));
}

/**
 * `argv: []` must be refused as invalid input; the contract's CommandSpec refinement
 * reads argv[0] unguarded and would throw a TypeError instead (see the report to the
 * contract's owner), so it is caught here first.
 */
function guardEmptyArgv(input: unknown, prefix: string): void {
  const argv = (input as { command?: { argv?: unknown } } | null | undefined)?.command?.argv;
  if (Array.isArray(argv) && argv.length === 0) {
    throw new ErrandError('invalid_input', `Invalid input: ${prefix}command.argv is empty: give a command to run.`, `${prefix}command.argv`);
  }
}

/** Hex SHA-1 (the one-shot crypto.hash where this Node has it: half the cost of createHash). */
const sha1: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash: (alg: string, data: string) => string }).hash('sha1', text)
    : (text) => crypto.createHash('sha1').update(text).digest('hex');

function commandText(spec: CommandStoredSpec): string {
  return spec.argv ? shellQuote(spec.argv) : spec.shell!;
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${ms}ms` : formatDuration(ms / 1000);
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
