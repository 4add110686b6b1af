import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AddInput, type AddParsed, type Input, methods } from '../contract/api';
import { ErrandError } from '../contract/errors';
import { shellQuote } from '../contract/format';
import type { Approval, Decision, Job, JobDetail, JobResult, JobStatus, Progress, QueueState, StatusSummary } from '../contract/job';
import { isFinished } from '../contract/job';
import { validate } from '../contract/validate';
import { activityOf } from './activity';
import { estimate, median, queueEta, RateTracker } from './eta';
import { type Dispose, EventHub, type Listener } from './event-hub';
import { diffTrees, snapshotTree, summarizePatch } from './git-patch';
import { type Logger, silentLogger } from './logger';
import { dbPath, logDir, logPath } from './paths';
import { recover } from './recovery';
import { type ExitInfo, type RunningCommand, startCommand } from './runners/command-runner';
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
}

interface RunState {
  attempt: number;
  cmd: RunningCommand | null;
  cancelBy: string | null;
  shutdown: boolean;
  timedOut: boolean;
  timer: NodeJS.Timeout | null;
  baseTree: string | null;
  finished: Promise<void>;
  resolveFinished: () => void;
}

const DEFAULT_CONCURRENCY = 2;
const PROGRESS_FLUSH_MS = 500;
const HISTORY_SAMPLES = 10;
const BY_SCHEDULER = 'scheduler';

/**
 * The engine: owns the store, schedules jobs, runs them and reports what happens.
 * Pure Node. Every public method validates its input and either applies a change in
 * full or throws an ErrandError and changes nothing.
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
  private readonly dirtyProgress = new Map<number, Progress>();
  private readonly history = new Map<string, number | null>();
  private readonly deciders = new Map<number, ((d: { decision: Decision; note: string | null }) => void)[]>();
  private progressTimer: NodeJS.Timeout | null = null;
  private dueTimer: NodeJS.Timeout | null = null;
  private kickPending = false;
  private closed = false;
  private paused: boolean;
  private concurrency: number;

  static open(opts: EngineOptions): Engine {
    return new Engine(opts);
  }

  private constructor(opts: EngineOptions) {
    this.home = path.resolve(opts.home);
    fs.mkdirSync(this.home, { recursive: true, mode: 0o700 });
    this.log = opts.logger ?? silentLogger;
    this.killGraceMs = opts.killGraceMs ?? 5000;
    this.env = opts.env ?? process.env;
    this.binDir = opts.binDir;
    this.hub = new EventHub(opts.coalesceMs ?? 100);
    this.store = new JobStore(openDatabase(dbPath(this.home), { nativeBinding: opts.nativeBinding }));
    this.paused = this.store.setting('paused', false);
    this.concurrency = this.store.setting('concurrency', DEFAULT_CONCURRENCY);
    const recovered = recover(this.store, Date.now(), this.log);
    if (recovered.length) this.log.warn(`recovered ${recovered.length} job(s) left running by a previous host: ${recovered.map((r) => `#${r.id} → ${r.status}`).join(', ')}`);
    for (const r of recovered) if (r.status === 'interrupted') this.propagateFailure(r.id, Date.now());
    this.kick();
  }

  listen(fn: Listener): Dispose {
    return this.hub.listen(fn);
  }

  // --- adding and reading --------------------------------------------------------

  add(input: Input<'add'>, by = 'api'): Job {
    const parsed = validate(AddInput, input);
    const now = Date.now();
    const job = this.prepare(parsed, now, 'input');
    const row = this.store.insert(job, now, by);
    this.afterInsert(row, now);
    return this.view(row);
  }

  /** Many jobs in one transaction: the fast path for scripts and benchmarks. */
  addMany(inputs: Input<'addMany'>['jobs'], by = 'api'): number[] {
    const { jobs } = validate(methods.addMany.input, { jobs: inputs });
    const now = Date.now();
    const prepared = jobs.map((j, i) => this.prepare(j, now, `jobs.${i}`));
    const rows = this.store.tx(() => prepared.map((p) => this.store.insert(p, now, by)));
    for (const r of rows) this.afterInsert(r, now);
    return rows.map((r) => r.id);
  }

  private prepare(p: AddParsed, now: number, field: string): NewJob {
    const cwd = path.resolve(p.cwd);
    let real: string;
    try {
      real = fs.realpathSync(cwd);
      if (!fs.statSync(real).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new ErrandError('invalid_input', `Invalid ${field}: cwd ${cwd} is not an existing directory.`, 'cwd');
    }
    p.after.forEach((dep, i) => {
      if (!this.store.row(dep)) throw new ErrandError('not_found', `Invalid ${field}: after.${i} names job #${dep}, which does not exist.`, `after.${i}`);
    });
    const spec: CommandStoredSpec = p.command.argv ? { argv: p.command.argv } : { shell: p.command.shell! };
    if (p.env) spec.env = p.env;
    const display = commandText(spec);
    return {
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
      etaKey: p.etaKey ?? createHash('sha1').update(JSON.stringify([spec.argv ?? spec.shell, real])).digest('hex'),
    };
  }

  private afterInsert(row: JobRow, now: number): void {
    // A dependency that has already failed dooms the new job at once, with the reason.
    const after = parseJson<number[]>(row.after) ?? [];
    const dead = [...this.store.statuses(after)].find(([, s]) => s === 'failed' || s === 'cancelled' || s === 'interrupted');
    if (dead) {
      this.failForDependency(row.id, dead[0], dead[1], now);
      return;
    }
    this.emitJob(row.id);
    this.kick();
  }

  list(opts: { status?: JobStatus[]; limit?: number } = {}): Job[] {
    const o = validate(methods.list.input, opts);
    const rows = this.store.rows(o.status, o.limit ?? -1);
    const known = new Map<number, JobStatus>(rows.map((r) => [r.id, r.status]));
    return rows.map((r) => this.view(r, known));
  }

  get(id: number): JobDetail {
    const { id: jobId } = validate(methods.get.input, { id });
    const row = this.store.require(jobId);
    return {
      job: this.view(row),
      steps: this.store.steps(jobId),
      attempts: this.store.attempts(jobId, (n) => fileSize(logPath(this.home, jobId, n))),
      events: this.store.events(jobId),
      approvals: this.store.approvals(jobId),
    };
  }

  readLog(input: Input<'logs'>): { data: Buffer; offset: number; size: number; attempt: number; done: boolean } {
    const o = validate(methods.logs.input, input);
    const row = this.store.require(o.id);
    const attempt = o.attempt ?? row.attempt;
    if (attempt > row.attempt) throw new ErrandError('not_found', `Job #${o.id} has no attempt ${attempt} (it has ${row.attempt}).`, 'attempt');
    const finished = attempt < row.attempt || isFinished(row.status) || (row.status === 'queued' && attempt <= row.attempt);
    if (attempt === 0) return { data: Buffer.alloc(0), offset: 0, size: 0, attempt, done: finished };
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
    return { data, offset: o.offset, size, attempt, done: finished && o.offset + len >= size };
  }

  result(input: Input<'result'>): { id: number; attempt: number; result: JobResult | null } {
    const o = validate(methods.result.input, input);
    const row = this.store.require(o.id);
    const attempt = o.attempt ?? row.attempt;
    if (o.attempt !== undefined && o.attempt !== row.attempt) {
      const r = this.store.attemptResult(o.id, o.attempt);
      if (r === undefined) throw new ErrandError('not_found', `Job #${o.id} has no attempt ${o.attempt}.`, 'attempt');
      return { id: o.id, attempt, result: r };
    }
    this.markRead([o.id]);
    return { id: o.id, attempt, result: parseJson<JobResult>(row.result) };
  }

  // --- steering -----------------------------------------------------------------

  async cancel(ids: number[], by = 'api'): Promise<Job[]> {
    const rows = this.rowsFor(ids, 'cancel');
    const now = Date.now();
    const waits: Promise<void>[] = [];
    for (const row of rows) {
      const run = this.runs.get(row.id);
      if (run) {
        run.cancelBy ??= by;
        run.cmd?.terminate(this.killGraceMs);
        this.emitJob(row.id);
        waits.push(run.finished);
      } else {
        this.store.transition(row.id, 'cancel', { finished_at: now, error: `cancelled by ${by}` }, { type: 'cancelled', by }, now);
        this.emitJob(row.id);
        this.propagateFailure(row.id, now);
      }
    }
    await Promise.all(waits);
    this.kick();
    return rows.map((r) => this.view(this.store.require(r.id)));
  }

  retry(ids: number[], by = 'api'): Job[] {
    const rows = this.rowsFor(ids, 'retry');
    for (const row of rows) {
      const after = parseJson<number[]>(row.after) ?? [];
      for (const [dep, s] of this.store.statuses(after)) {
        if (s === 'failed' || s === 'cancelled' || s === 'interrupted') {
          throw new ErrandError('illegal_transition', `Cannot retry job #${row.id}: its dependency #${dep} is ${s}. Retry #${dep} first.`);
        }
      }
    }
    const now = Date.now();
    const out = this.store.tx(() =>
      rows.map((row) =>
        this.store.transition(
          row.id,
          'retry',
          { not_before: null, auto_retries: 0, finished_at: null, error: null, exit_code: null, signal: null, read_at: null, progress: null },
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
    return this.simple(ids, 'hold', by, 'held');
  }

  release(ids: number[], by = 'api'): Job[] {
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
    const o = validate(methods.prioritise.input, { id, priority });
    const row = this.store.require(o.id);
    const now = Date.now();
    this.store.tx(() => {
      this.store.update(o.id, { priority: o.priority });
      this.store.event(o.id, row.attempt, now, { type: 'priority', by, data: { from: row.priority, to: o.priority } });
    });
    this.emitJob(o.id);
    this.kick();
    return this.view(this.store.require(o.id));
  }

  markRead(ids: number[]): void {
    const o = validate(methods.markRead.input, { ids });
    this.store.markRead(o.ids, Date.now());
    for (const id of o.ids) if (this.store.row(id)) this.emitJob(id);
    this.emitStatus();
  }

  pause(by = 'api'): QueueState {
    return this.setQueue({ paused: true }, by);
  }

  resume(by = 'api'): QueueState {
    return this.setQueue({ paused: false }, by);
  }

  setConcurrency(concurrency: number, by = 'api'): QueueState {
    const o = validate(methods.setConcurrency.input, { concurrency });
    return this.setQueue({ concurrency: o.concurrency }, by);
  }

  queueState(): QueueState {
    return { paused: this.paused, concurrency: this.concurrency, running: this.slotsUsed() };
  }

  private setQueue(change: { paused?: boolean; concurrency?: number }, by: string): QueueState {
    if (change.paused !== undefined) {
      this.paused = change.paused;
      this.store.setSetting('paused', change.paused);
    }
    if (change.concurrency !== undefined) {
      this.concurrency = change.concurrency;
      this.store.setSetting('concurrency', change.concurrency);
    }
    this.log.info(`queue ${JSON.stringify(change)} by ${by}`);
    const q = this.queueState();
    this.hub.emit({ type: 'queue', queue: q });
    // queued jobs' activity ("queue paused", "waiting for a slot") changed too
    for (const r of this.store.rows(['queued'], 1000)) this.hub.coalesce(`job:${r.id}`, () => this.jobEvent(r.id));
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
    return this.store.approvals();
  }

  private decide(id: number, decision: 'approved' | 'denied', note: string | undefined, by: string): Approval {
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
    const o = validate(methods.awaitDecision.input, { approvalId });
    const a = this.store.approval(o.approvalId);
    if (!a) return Promise.reject(new ErrandError('not_found', `No approval #${o.approvalId}.`, 'approvalId'));
    if (a.decision) return Promise.resolve({ decision: a.decision, note: a.note });
    return new Promise((resolve) => {
      const list = this.deciders.get(a.id) ?? [];
      list.push(resolve);
      this.deciders.set(a.id, list);
    });
  }

  // --- reports from inside a running job ------------------------------------------------

  jobProgress(input: Input<'jobProgress'>): void {
    const o = validate(methods.jobProgress.input, input);
    this.inJob(o.jobId, o.attempt);
    const now = Date.now();
    const p: Progress = { done: o.done, total: o.total, unit: o.unit, label: o.label };
    let rate = this.rates.get(o.jobId);
    if (!rate) this.rates.set(o.jobId, (rate = new RateTracker()));
    rate.sample(now, o.done);
    this.dirtyProgress.set(o.jobId, p);
    this.progressTimer ??= setTimeout(() => this.flushProgress(), PROGRESS_FLUSH_MS).unref();
    this.hub.coalesce(`job:${o.jobId}`, () => this.jobEvent(o.jobId));
  }

  jobStep(input: Input<'jobStep'>): void {
    const o = validate(methods.jobStep.input, input);
    this.inJob(o.jobId, o.attempt);
    this.store.recordStep(o.jobId, o.attempt, o.name, o.status, Date.now());
    this.hub.coalesce(`job:${o.jobId}`, () => this.jobEvent(o.jobId));
  }

  jobPlan(input: Input<'jobPlan'>): void {
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
    const o = validate(methods.remove.input, { ids });
    const rows = o.ids.map((id) => this.store.require(id, 'ids'));
    const busy = rows.find((r) => !isFinished(r.status));
    if (busy) throw new ErrandError('illegal_transition', `Cannot remove job #${busy.id}: it is ${busy.status}. Cancel it first.`);
    return this.drop(rows.map((r) => r.id), by);
  }

  clean(olderThanMs = 0, by = 'api'): number[] {
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
    const counts = this.store.counts();
    const now = Date.now();
    const running = this.store.rows(['running', 'waiting']).filter((r) => r.status === 'running');
    const queued = counts.queued ? this.store.ready(Number.MAX_SAFE_INTEGER, 500) : [];
    const remaining = running.map((r) => this.eta(r, now).seconds);
    const durations = queued.map((r) => {
      const h = this.historyMs(r.eta_key);
      return h === null ? null : h / 1000;
    });
    const etaSeconds = queueEta(remaining, durations, this.concurrency);
    const needsYou = counts.waiting + this.store.unreadProblems();
    const queue = this.queueState();
    return { line: statusLine({ counts, needsYou, etaSeconds, paused: this.paused }), counts, needsYou, etaSeconds, queue };
  }

  snapshot(): { jobs: Job[]; status: StatusSummary; approvals: Approval[] } {
    return { jobs: this.list(), status: this.status(), approvals: this.approvals() };
  }

  // --- the scheduler -------------------------------------------------------------------

  private slotsUsed(): number {
    return this.runs.size - this.waiting.size;
  }

  /** Coalesces scheduling requests into one pass on the next turn; no polling anywhere. */
  private kick(): void {
    if (this.kickPending || this.closed) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      if (!this.closed) this.pump();
    });
  }

  private pump(): void {
    const now = Date.now();
    if (!this.paused) {
      const free = this.concurrency - this.slotsUsed();
      if (free > 0) for (const row of this.store.ready(now, free)) this.start(row, now);
    }
    this.armDueTimer(now);
    this.emitStatus();
  }

  private armDueTimer(now: number): void {
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueTimer = null;
    const due = this.store.nextDue(now);
    if (due !== null) {
      this.dueTimer = setTimeout(() => this.kick(), Math.min(due - now + 5, 2 ** 31 - 1));
      this.dueTimer.unref();
    }
  }

  private start(row: JobRow, now: number): void {
    const attempt = row.attempt + 1;
    try {
      this.store.tx(() => {
        this.store.transition(
          row.id,
          'start',
          { attempt, started_at: now, finished_at: null, exit_code: null, signal: null, error: null, result: null, progress: null, not_before: null, pgid: null },
          { type: 'started', by: BY_SCHEDULER, data: { attempt } },
          now,
        );
        this.store.openAttempt(row.id, attempt, now);
      });
    } catch (e) {
      this.log.error(`could not start job #${row.id}`, e);
      return;
    }
    let resolveFinished!: () => void;
    const finished = new Promise<void>((r) => (resolveFinished = r));
    const run: RunState = { attempt, cmd: null, cancelBy: null, shutdown: false, timedOut: false, timer: null, baseTree: null, finished, resolveFinished };
    this.runs.set(row.id, run);
    this.emitJob(row.id);
    void this.launch(row, run);
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
          const cmd = startCommand({
            argv: spec.argv,
            shell: spec.shell,
            cwd: row.cwd,
            env: this.jobEnv(row, spec, run.attempt),
            logFile: logPath(this.home, id, run.attempt),
            onOutput: () => this.hub.coalesce(`log:${id}`, () => ({ type: 'log', jobId: id, attempt: run.attempt, size: fileSize(logPath(this.home, id, run.attempt)) })),
          });
          run.cmd = cmd;
          if (cmd.pgid > 0) {
            this.store.update(id, { pgid: cmd.pgid });
            this.store.setAttemptPgid(id, run.attempt, cmd.pgid);
          }
          if (row.timeout_ms) {
            run.timer = setTimeout(() => {
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

  private jobEnv(row: JobRow, spec: CommandStoredSpec, attempt: number): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...this.env, ...spec.env, ERRAND_JOB_ID: String(row.id), ERRAND_ATTEMPT: String(attempt), ERRAND_HOME: this.home };
    if (this.binDir) env.PATH = [this.binDir, env.PATH].filter(Boolean).join(path.delimiter);
    return env;
  }

  private async finishAttempt(id: number, run: RunState, exit: ExitInfo): Promise<void> {
    if (run.timer) clearTimeout(run.timer);
    this.flushProgress();
    let row = this.store.row(id);
    try {
      if (!row) return;
      let result = parseJson<JobResult>(row.result);
      if (row.capture_patch && run.baseTree && exit.exitCode === 0 && !run.cancelBy && !result) {
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
      const outcome = this.store.tx(() => this.recordOutcome(this.store.row(id)!, run, exit, result, now));
      row = outcome.row;
      for (const a of outcome.expired) this.settleApproval(a);
      if (row.status === 'succeeded') this.history.delete(row.eta_key);
      if (row.status === 'failed' || row.status === 'cancelled' || row.status === 'interrupted') this.propagateFailure(id, now);
    } catch (e) {
      this.log.error(`job #${id}: could not record how it ended`, e);
    } finally {
      this.runs.delete(id);
      this.waiting.delete(id);
      this.rates.delete(id);
      this.hub.flush(`log:${id}`);
      if (this.store.db.open) this.emitJob(id);
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
    const attemptEnd = (status: JobStatus, error: string | null, res: JobResult | null = null): void => {
      this.store.closeAttempt(row.id, run.attempt, { status, ...ended, error, result: res ? JSON.stringify(res) : null });
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
      attemptEnd('succeeded', null, result);
      return { row: this.store.transition(row.id, 'succeed', { ...ended, result: result ? JSON.stringify(result) : null }, { type: 'finished', by: 'job', data: { exitCode: 0, result: result?.type } }, now), expired };
    }
    const error = exit.spawnError ?? (run.timedOut ? `timed out after ${Math.round(row.timeout_ms! / 1000)}s` : exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.exitCode}`);
    attemptEnd('failed', error, result);
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
    return { row: this.store.transition(row.id, 'fail', { ...ended, error, result: result ? JSON.stringify(result) : null }, { type: 'failed', by: 'job', data: { error, exitCode: exit.exitCode, signal: exit.signal } }, now), expired };
  }

  /** Dependants of a job that will not succeed fail too, saying which dependency. */
  private propagateFailure(depId: number, now: number): void {
    const dep = this.store.row(depId);
    if (!dep) return;
    for (const id of this.store.dependants(depId)) this.failForDependency(id, depId, dep.status, now);
  }

  private failForDependency(id: number, depId: number, depStatus: JobStatus, now: number): void {
    const word = depStatus === 'cancelled' ? 'was cancelled' : depStatus === 'interrupted' ? 'was interrupted' : 'failed';
    const error = `dependency #${depId} ${word}`;
    this.store.transition(id, 'fail', { finished_at: now, error }, { type: 'failed', by: BY_SCHEDULER, data: { error, dependency: depId } }, now);
    this.emitJob(id);
    this.propagateFailure(id, now);
  }

  private flushProgress(): void {
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = null;
    if (!this.dirtyProgress.size || !this.store.db.open) return;
    this.store.writeProgress(this.dirtyProgress);
    this.dirtyProgress.clear();
  }

  // --- views and events -----------------------------------------------------------------

  private rowsFor(ids: number[], action: 'cancel' | 'retry' | 'hold' | 'release'): JobRow[] {
    const o = validate(methods[action].input, { ids });
    const rows = [...new Set(o.ids)].map((id) => this.store.require(id, 'ids'));
    // all-or-nothing: refuse the whole request before touching anything
    for (const r of rows) this.store.assertCan(action, r);
    return rows;
  }

  private historyMs(key: string): number | null {
    if (!this.history.has(key)) this.history.set(key, median(this.store.durations(key, HISTORY_SAMPLES)));
    return this.history.get(key)!;
  }

  private eta(row: JobRow, now: number): Job['eta'] {
    const progress = this.dirtyProgress.get(row.id) ?? parseJson<Progress>(row.progress);
    return estimate({ status: row.status, startedAt: row.started_at, progressTotal: progress?.total ?? null, rate: this.rates.get(row.id), historyMs: isFinished(row.status) ? null : this.historyMs(row.eta_key), now });
  }

  private view(row: JobRow, known?: Map<number, JobStatus>): Job {
    const now = Date.now();
    const after = parseJson<number[]>(row.after) ?? [];
    let blockedOn: number[] = [];
    if (after.length && (row.status === 'queued' || row.status === 'held')) {
      const missing = after.filter((d) => !known?.has(d));
      const fetched = this.store.statuses(missing);
      blockedOn = after.filter((d) => {
        const s = known?.get(d) ?? fetched.get(d);
        return s !== undefined && s !== 'succeeded';
      });
    }
    const spec = parseJson<CommandStoredSpec>(row.spec)!;
    const command = commandText(spec);
    const active = row.status === 'running' || row.status === 'waiting';
    const result = parseJson<JobResult>(row.result);
    const progress = this.dirtyProgress.get(row.id) ?? parseJson<Progress>(row.progress);
    const activity = activityOf({
      status: row.status,
      now,
      paused: this.paused,
      running: this.slotsUsed(),
      concurrency: this.concurrency,
      notBefore: row.not_before,
      autoRetries: row.auto_retries,
      maxRetries: row.max_retries,
      blockedOn,
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
      labels: parseJson<string[]>(row.labels) ?? [],
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
      result,
      plan: parseJson<string[]>(row.plan) ?? [],
      unread: isFinished(row.status) && row.read_at === null,
    };
  }

  private jobEvent(id: number): { type: 'job'; job: Job } | null {
    const row = this.store.db.open ? this.store.row(id) : undefined;
    return row ? { type: 'job', job: this.view(row) } : null;
  }

  private emitJob(id: number): void {
    const e = this.jobEvent(id);
    if (e) this.hub.emit(e, `job:${id}`);
    this.emitStatus();
  }

  private emitStatus(): void {
    if (!this.hub.size) return;
    this.hub.coalesce('status', () => (this.store.db.open ? { type: 'status', status: this.status() } : null));
  }

  // --- shutdown -------------------------------------------------------------------------

  /**
   * Graceful stop: nothing new starts, running jobs get SIGTERM (SIGKILL after the
   * grace) and are recorded as interrupted (restartable ones go back to the queue),
   * then the store is closed.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.dueTimer) clearTimeout(this.dueTimer);
    const waits: Promise<void>[] = [];
    for (const run of this.runs.values()) {
      run.shutdown = true;
      run.cmd?.terminate(this.killGraceMs);
      waits.push(run.finished);
    }
    await Promise.all(waits);
    this.flushProgress();
    for (const fns of this.deciders.values()) for (const fn of fns) fn({ decision: 'expired', note: 'the host shut down' });
    this.deciders.clear();
    this.hub.close();
    this.store.db.close();
  }
}

function commandText(spec: CommandStoredSpec): string {
  return spec.argv ? shellQuote(spec.argv) : spec.shell!;
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
