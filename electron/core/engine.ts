import fs from 'node:fs';
import path from 'node:path';
import type { Output, ParsedInput } from '../contract/api';
import { ErrandError } from '../contract/errors';
import type { Approval, Decision, Job, QueueState, StatusSummary } from '../contract/job';
import { isDoomed } from '../contract/status';
import { Admission } from './admission';
import { applyPatch } from './apply-patch';
import { readSettings, updateSettings } from './settings-record';
import { insertEvent } from './store/events';
import { Announcer } from './announcer';
import { ApprovalBroker } from './approval-broker';
import { Dependants } from './dependants';
import { EtaHistory } from './eta-history';
import { type Dispose, EventHub, type Listener } from './event-hub';
import { JobReads } from './job-reads';
import { JobSecrets } from './job-secrets';
import { JobReports } from './job-reports';
import { JobViews } from './job-views';
import { type Logger, silentLogger } from './logger';
import { type RunRequests, decideOutcome } from './outcome';
import { dbPath } from './paths';
import { ProgressBuffer } from './progress-buffer';
import { recordOutcome } from './record-outcome';
import { recover } from './recovery';
import { RunnerRegistry, builtinRunners } from './runners/registry';
import type { RunEnd, RunJob, Runner } from './runners/runner';
import { SpawnerSupply } from './runners/spawner-supply';
import { Scheduler } from './scheduler';
import { Steering } from './steering';
import { statusSummary } from './status-summary';
import { openDatabase } from './store/database';
import type { JobRow } from './store/job-row';
import { Sql } from './store/sql';
import { Supervisor, placeOf } from './supervisor';
import { sweepWorktrees } from './worktree-sweep';

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
  /** Runners for more kinds (or replacing a built-in one), e.g. agents; tests add their own. */
  runners?: readonly Runner[];
}

/** Who calls: recorded in the audit trail; `signal` aborts when the caller goes away. */
export interface Caller {
  by: string;
  signal?: AbortSignal | undefined;
}

const API: Caller = { by: 'api' };

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
  /** Per-job timeout and stall timers. */
  timeoutTimers: number;
  /** Jobs with a live run (running or waiting for approval). */
  runs: number;
  /** Callers waiting for a decision. */
  decisionWaiters: number;
  idle: boolean;
}

/**
 * The engine: a thin facade over the modules that each do one job (admission, views,
 * the scheduler, the supervisor, approvals, progress, dependants, steering, reads). Its
 * methods are the contract's, taking input already parsed by the contract's schemas (the
 * host validates once, at dispatch) and returning the contract's output. Each applies a
 * change in full or throws an ErrandError and changes nothing.
 */
export class Engine {
  readonly home: string;
  private readonly sql: Sql;
  private readonly hub: EventHub;
  private readonly log: Logger;
  private readonly spawners: SpawnerSupply;
  private readonly progress: ProgressBuffer;
  private readonly history: EtaHistory;
  private readonly views: JobViews;
  private readonly announcer: Announcer;
  private readonly supervisor: Supervisor;
  private readonly scheduler: Scheduler;
  private readonly broker: ApprovalBroker;
  private readonly reports: JobReports;
  private readonly dependants: Dependants;
  private readonly admission: Admission;
  private readonly steering: Steering;
  private readonly reads: JobReads;
  private readonly secrets = new JobSecrets();
  private closed = false;
  private closing: Promise<void> | null = null;

  static open(opts: EngineOptions): Engine {
    return new Engine(opts);
  }

  private constructor(opts: EngineOptions) {
    this.home = path.resolve(opts.home);
    fs.mkdirSync(this.home, { recursive: true, mode: 0o700 });
    const log = (this.log = opts.logger ?? silentLogger);
    const killGraceMs = opts.killGraceMs ?? 5000;
    // a plain copy: process.env is a slow object to spread once per job
    const baseEnv = { ...(opts.env ?? process.env) };
    const sql = (this.sql = new Sql(openDatabase(dbPath(this.home), { nativeBinding: opts.nativeBinding })));
    this.spawners = new SpawnerSupply(process.platform !== 'win32' && (opts.spawner ?? process.versions.electron === undefined), log);
    const runners = new RunnerRegistry([
      ...builtinRunners({ spawner: () => this.spawners.get(), home: this.home, settings: () => readSettings(sql), env: baseEnv }),
      ...(opts.runners ?? []),
    ]);
    this.hub = new EventHub(opts.coalesceMs ?? 100);
    this.progress = new ProgressBuffer(sql);
    this.history = new EtaHistory(sql);
    // the modules below know each other only through these few callbacks (which run
    // later, so they may name modules made after them)
    this.views = new JobViews(
      sql,
      {
        paused: () => this.scheduler.isPaused(),
        concurrency: () => this.scheduler.limit(),
        slotsUsed: () => this.supervisor.slotsUsed(),
        cancelling: (id) => this.supervisor.cancelling(id),
        blockingRun: (row, spec) => (this.supervisor.size ? this.supervisor.blockingRun(placeOf(row, true, spec)) : null),
        note: (id) => this.reports.note(id),
        usage: (id, attempt) => this.reports.latestUsage(id, attempt),
      },
      this.progress,
      this.history,
      runners,
    );
    const announcer = (this.announcer = new Announcer(this.hub, this.views, () => (sql.open ? this.statusNow() : null)));
    this.dependants = new Dependants(sql, announcer);
    this.broker = new ApprovalBroker({ sql, announcer, waiting: (id, w) => (this.supervisor.setWaiting(id, w), w && this.scheduler.kick()) });
    this.reports = new JobReports({ sql, progress: this.progress, announcer, broker: this.broker, alive: (id) => this.supervisor.alive(id) });
    const supervisor = (this.supervisor = new Supervisor({
      sql,
      runners,
      log,
      home: this.home,
      killGraceMs,
      env: (job, own) => jobEnv(baseEnv, { ...own, ...this.secrets.get(job.id) }, job, this.home, opts.binDir),
      reporter: (job, signal) => this.reports.reporterFor(job, signal),
      output: (id, attempt, file) => announcer.log(id, attempt, file),
      record: (row, attempt, end, requests) => this.recordRunEnd(row, attempt, end, requests),
      ended: (id) => {
        this.progress.forget(id);
        this.reports.forgetRun(id);
        this.broker.forgetRun(id);
        if (sql.open) announcer.runEnded(id);
        this.scheduler.kick();
      },
      changed: (id) => announcer.job(id),
    }));
    const scheduler = (this.scheduler = new Scheduler({ sql, log, supervisor, passed: () => announcer.status() }));
    this.admission = new Admission({ sql, runners, views: this.views, announcer, dependants: this.dependants, kick: () => scheduler.kick(), secrets: this.secrets });
    this.steering = new Steering({ sql, home: this.home, log, views: this.views, announcer, supervisor, scheduler, dependants: this.dependants });
    this.reads = new JobReads({ sql, home: this.home, views: this.views, status: () => this.statusNow(), markRead: (ids) => this.steering.markRead(ids) });

    const now = Date.now();
    const recovered = recover(sql, now, log, { home: this.home, graceMs: opts.recoveryGraceMs ?? Math.min(killGraceMs, 2000) });
    if (recovered.length) log.warn(`recovered ${recovered.length} job(s) left running by a previous host: ${recovered.map((r) => `#${r.id} → ${r.status}`).join(', ')}`);
    for (const r of recovered) if (isDoomed(r.status)) this.dependants.propagate(r.id, now);
    void sweepWorktrees(this.home, sql, log);
    scheduler.kick();
  }

  listen(fn: Listener): Dispose {
    return this.hub.listen(fn);
  }

  // --- the contract's methods ------------------------------------------------------

  add(i: ParsedInput<'add'>, c: Caller = API): Output<'add'> {
    this.assertOpen();
    return this.admission.add(i, c.by);
  }

  addMany(i: ParsedInput<'addMany'>, c: Caller = API): Output<'addMany'> {
    this.assertOpen();
    return { ids: this.admission.addMany(i.jobs, c.by) };
  }

  list(i: ParsedInput<'list'>): Output<'list'> {
    this.assertReadable();
    return this.reads.list(i);
  }

  get(i: ParsedInput<'get'>): Output<'get'> {
    this.assertReadable();
    return this.reads.get(i.id);
  }

  logs(i: ParsedInput<'logs'>): Output<'logs'> {
    this.assertReadable();
    return this.reads.logs(i);
  }

  result(i: ParsedInput<'result'>): Output<'result'> {
    this.assertReadable();
    return this.reads.result(i);
  }

  async cancel(i: ParsedInput<'cancel'>, c: Caller = API): Promise<Output<'cancel'>> {
    this.assertOpen();
    return { jobs: await this.steering.cancel(i.ids, c.by) };
  }

  retry(i: ParsedInput<'retry'>, c: Caller = API): Output<'retry'> {
    this.assertOpen();
    return { jobs: this.steering.retry(i.ids, c.by) };
  }

  hold(i: ParsedInput<'hold'>, c: Caller = API): Output<'hold'> {
    this.assertOpen();
    return { jobs: this.steering.hold(i.ids, c.by) };
  }

  release(i: ParsedInput<'release'>, c: Caller = API): Output<'release'> {
    this.assertOpen();
    return { jobs: this.steering.release(i.ids, c.by) };
  }

  prioritise(i: ParsedInput<'prioritise'>, c: Caller = API): Output<'prioritise'> {
    this.assertOpen();
    return this.steering.prioritise(i.id, i.priority, c.by);
  }

  markRead(i: ParsedInput<'markRead'>): Output<'markRead'> {
    this.assertOpen();
    this.steering.markRead(i.ids);
    return { ok: true };
  }

  pause(_i: ParsedInput<'pause'> = {}, c: Caller = API): QueueState {
    this.assertOpen();
    return this.setQueue({ paused: true }, c.by);
  }

  resume(_i: ParsedInput<'resume'> = {}, c: Caller = API): QueueState {
    this.assertOpen();
    return this.setQueue({ paused: false }, c.by);
  }

  setConcurrency(i: ParsedInput<'setConcurrency'>, c: Caller = API): QueueState {
    this.assertOpen();
    return this.setQueue({ concurrency: i.concurrency }, c.by);
  }

  queue(): QueueState {
    return this.scheduler.state();
  }

  approve(i: ParsedInput<'approve'>, c: Caller = API): Approval {
    this.assertOpen();
    return this.broker.decide(i.id, 'approved', i.note ?? null, c.by, Date.now(), i.scope);
  }

  deny(i: ParsedInput<'deny'>, c: Caller = API): Approval {
    this.assertOpen();
    return this.broker.decide(i.id, 'denied', i.note ?? null, c.by, Date.now());
  }

  approvals(): Output<'approvals'> {
    this.assertReadable();
    return { approvals: this.broker.open() };
  }

  /** Resolves with the decision; a caller that goes away (its signal aborts) is dropped. */
  awaitDecision(i: ParsedInput<'awaitDecision'>, c: Caller = API): Promise<{ decision: Decision; note: string | null }> {
    try {
      this.assertOpen();
    } catch (e) {
      return Promise.reject(e as Error);
    }
    return this.broker.awaitDecision(i.approvalId, c.signal);
  }

  remove(i: ParsedInput<'remove'>, c: Caller = API): Output<'remove'> {
    this.assertOpen();
    const removed = this.steering.remove(i.ids, c.by);
    this.secrets.forget(removed);
    return { removed };
  }

  clean(i: ParsedInput<'clean'>, c: Caller = API): Output<'clean'> {
    this.assertOpen();
    const removed = this.steering.clean(i.olderThanMs, c.by);
    this.secrets.forget(removed);
    return { removed };
  }

  status(): StatusSummary {
    this.assertReadable();
    return this.statusNow();
  }

  snapshot(i: ParsedInput<'snapshot'>): Output<'snapshot'> {
    this.assertReadable();
    return this.reads.snapshot(i);
  }

  snapshotPage(i: ParsedInput<'snapshotPage'>): Output<'snapshotPage'> {
    this.assertReadable();
    return this.reads.snapshotPage(i);
  }

  jobProgress(i: ParsedInput<'jobProgress'>): Output<'jobProgress'> {
    this.assertOpen();
    this.reports.progress(i.jobId, i.attempt, { done: i.done, total: i.total, unit: i.unit, label: i.label });
    return { ok: true };
  }

  jobStep(i: ParsedInput<'jobStep'>): Output<'jobStep'> {
    this.assertOpen();
    this.reports.step(i.jobId, i.attempt, i.name, i.status);
    return { ok: true };
  }

  jobPlan(i: ParsedInput<'jobPlan'>): Output<'jobPlan'> {
    this.assertOpen();
    this.reports.plan(i.jobId, i.attempt, i.steps);
    return { ok: true };
  }

  jobAsk(i: ParsedInput<'jobAsk'>): Output<'jobAsk'> {
    this.assertOpen();
    return { approvalId: this.broker.ask(i.jobId, i.attempt, i.question, i.context ?? null, Date.now()) };
  }

  jobResult(i: ParsedInput<'jobResult'>): Output<'jobResult'> {
    this.assertOpen();
    this.reports.result(i.jobId, i.attempt, i.result);
    return { ok: true };
  }

  /** Applies a job's patch result to the tree it was made from (see apply-patch.ts). */
  async apply(i: ParsedInput<'apply'>): Promise<Output<'apply'>> {
    this.assertOpen();
    const detail = this.reads.get(i.id);
    const result = this.reads.fullResult(i.id);
    if (result?.type !== 'patch') {
      throw new ErrandError('invalid_input', `Job #${i.id} has no patch to apply (its result is ${result?.type ?? 'not there yet'}).`, 'id');
    }
    const out = await applyPatch(detail.isolation?.repo ?? detail.job.cwd, result.patch, i.id);
    insertEvent(this.sql, i.id, detail.job.attempt, Date.now(), { type: 'applied', by: 'api', data: { outcome: out.outcome, files: out.files.length } });
    return { id: i.id, ...out };
  }

  settings(): Output<'settings'> {
    this.assertReadable();
    return readSettings(this.sql);
  }

  setSettings(i: ParsedInput<'setSettings'>, c: Caller = API): Output<'setSettings'> {
    this.assertOpen();
    const s = updateSettings(this.sql, i.values);
    this.log.info(`settings changed by ${c.by}: ${Object.keys(i.values).join(', ')}`);
    return s;
  }

  /** What the engine holds armed: for tests and health checks ("idle does nothing"). */
  diagnostics(): EngineDiagnostics {
    const s = this.scheduler.diagnostics();
    const d = {
      dueTimer: s.dueTimer,
      progressTimer: this.progress.armed || this.reports.usageArmed,
      kickPending: s.kickPending,
      pendingEvents: this.hub.pendingCount,
      timeoutTimers: this.supervisor.timerCount(),
      runs: this.supervisor.size,
      decisionWaiters: this.broker.waiterCount,
    };
    return { ...d, idle: !d.dueTimer && !d.progressTimer && !d.kickPending && !d.pendingEvents && !d.timeoutTimers && !d.runs && !d.decisionWaiters };
  }

  /**
   * Graceful stop: nothing new starts, running jobs are stopped and recorded as
   * interrupted (restartable ones go back to the queue) unless they had already ended by
   * themselves, then the store is closed. Leaves no timers and no processes behind.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  // --- internals -------------------------------------------------------------------

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.scheduler.close();
    await this.supervisor.shutdown();
    await this.steering.worktreesRemoved();
    await this.spawners.close();
    this.progress.flush();
    this.reports.flushUsage();
    this.broker.close();
    this.hub.close();
    this.sql.db.close();
  }

  private statusNow(): StatusSummary {
    return statusSummary(this.sql, this.views, this.history, this.scheduler.state());
  }

  private setQueue(change: { paused?: boolean; concurrency?: number }, by: string): QueueState {
    const q = this.scheduler.set(change, by);
    this.announcer.queue(q);
    // queued jobs' activity ("queue paused", "waiting for a slot") changed too
    if (this.announcer.listening) for (const job of this.reads.list({ status: ['queued'], limit: 1000, order: 'id' }).jobs) this.announcer.jobSoon(job.id);
    this.announcer.status();
    return q;
  }

  /** A run ended: its outcome and the start of whatever takes its slot share one commit. */
  private recordRunEnd(row: JobRow, attempt: number, end: RunEnd, requests: RunRequests): void {
    this.progress.flush();
    this.reports.flushUsage();
    const now = Date.now();
    const outcome = decideOutcome(row, end, requests);
    const result = end.result ? JSON.stringify(end.result) : row.result;
    let claimed: JobRow[] = [];
    const recorded = this.sql.tx(() => {
      const r = recordOutcome(this.sql, row, attempt, outcome, end, result, now, { by: 'host' });
      claimed = this.scheduler.claim(now);
      return r;
    });
    this.supervisor.begin(claimed);
    if (recorded.expired) {
      this.supervisor.setWaiting(row.id, false);
      this.broker.settle(recorded.expired);
    }
    if (recorded.row.status === 'succeeded') this.history.recordSuccess(recorded.row.eta_key, now - recorded.row.started_at!);
    if (isDoomed(recorded.row.status)) this.dependants.propagate(row.id, now);
  }

  private assertOpen(): void {
    if (this.closed) throw new ErrandError('busy', 'Errand is shutting down; try again once it has restarted.');
  }

  private assertReadable(): void {
    if (!this.sql.open) throw new ErrandError('busy', 'Errand has shut down; try again once it has restarted.');
  }
}

/** The environment of a run: the host's, the job's own, its identity, `errand` first on PATH. */
function jobEnv(base: NodeJS.ProcessEnv, own: Record<string, string> | undefined, job: RunJob, home: string, binDir: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base, ...own, ERRAND_JOB_ID: String(job.id), ERRAND_ATTEMPT: String(job.attempt), ERRAND_HOME: home };
  if (binDir) env.PATH = [binDir, env.PATH].filter(Boolean).join(path.delimiter);
  return env;
}

export type { Job };
