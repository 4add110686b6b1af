import fs from 'node:fs';
import path from 'node:path';
import { isolateSpecOf } from './isolation';
import type { Logger } from './logger';
import { type RunRequests, formatMs } from './outcome';
import { logPath } from './paths';
import type { RunReporter, LeaderEnd, RunEnd, RunJob } from './runners/runner';
import type { RunnerRegistry } from './runners/registry';
import { recordLeaderExit, setAttemptPgid } from './store/attempts';
import type { JobRow } from './store/job-row';
import { setJobPgid } from './store/job-updates';
import { jobRow } from './store/jobs';
import { type Sql, parseJson } from './store/sql';

interface RunState {
  id: number;
  attempt: number;
  cwd: string;
  lockTree: string | null;
  isolated: boolean;
  abort: AbortController;
  /** What was asked of the run while its leader still ran (see outcome.ts). */
  requests: RunRequests;
  /** How the leader ended, once it has. */
  leader: LeaderEnd | null;
  /** Waiting for a person: holds no slot. */
  waiting: boolean;
  timeout: NodeJS.Timeout | null;
  stall: { afterMs: number; timer: NodeJS.Timeout | null } | null;
  finished: Promise<void>;
  resolveFinished: () => void;
}

/** Where a run is, for the rule that some jobs need their git work tree to themselves. */
export interface Place {
  id: number;
  cwd: string;
  lockTree: string | null;
  /** It works in a worktree of its own: the tree at its cwd is not touched, so nothing clashes with it there. */
  isolated?: boolean;
}

/** The place of a stored job (its spec is parsed only when it could matter: for a job with no lock of its own). */
export function placeOf(row: Pick<JobRow, 'id' | 'cwd' | 'lock_tree' | 'spec'>, othersLock = true, spec?: unknown): Place {
  const isolated = row.lock_tree === null && othersLock && isolateSpecOf(spec !== undefined ? spec : row.spec ? parseJson<unknown>(row.spec) : null) !== null;
  return { id: row.id, cwd: row.cwd, lockTree: row.lock_tree, isolated };
}

class WorkspaceGone extends Error {
  constructor(dir: string) {
    super(`working directory ${dir} no longer exists`);
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const within = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/** Two jobs that may not run at once: one needs to itself a work tree the other runs in. */
export function clash(a: Place, b: Place): boolean {
  return (a.lockTree !== null && !b.isolated && within(b.cwd, a.lockTree)) || (b.lockTree !== null && !a.isolated && within(a.cwd, b.lockTree));
}

export interface SupervisorDeps {
  sql: Sql;
  runners: RunnerRegistry;
  log: Logger;
  home: string;
  killGraceMs: number;
  /** The environment of a run: own variables overlaid, ERRAND_* set, `errand` on PATH. */
  env: (job: RunJob, own?: Record<string, string>) => NodeJS.ProcessEnv;
  reporter: (job: RunJob, signal: AbortSignal) => RunReporter;
  output: (jobId: number, attempt: number, logFile: string) => void;
  /** Records the end of a run (in one transaction with the start of whatever takes its slot). */
  record: (row: JobRow, attempt: number, end: RunEnd, requests: RunRequests) => void;
  /** A run ended and its slot is free: what the engine does next (start the next job, announce). */
  ended: (id: number) => void;
  changed: (id: number) => void;
}

/**
 * Runs claimed jobs through their kind's runner and watches them: timeouts, the stall
 * hook, cancel and shutdown. It knows nothing kind-specific. A request (cancel, timeout,
 * shutdown) counts for the outcome only while the run's leader is still running; once
 * the leader has ended, its end is recorded at once and decides.
 */
export class Supervisor {
  private readonly runs = new Map<number, RunState>();
  private closed = false;

  constructor(private readonly d: SupervisorDeps) {}

  get size(): number {
    return this.runs.size;
  }

  slotsUsed(): number {
    let n = 0;
    for (const r of this.runs.values()) if (!r.waiting) n++;
    return n;
  }

  places(): Place[] {
    return [...this.runs.values()].map((r) => ({ id: r.id, cwd: r.cwd, lockTree: r.lockTree, isolated: r.isolated }));
  }

  /** The running job a queued one may not run beside, if any. */
  blockingRun(p: Place): number | null {
    for (const r of this.runs.values()) if (r.id !== p.id && clash(r, p)) return r.id;
    return null;
  }

  isRunning(id: number): boolean {
    return this.runs.has(id);
  }

  cancelling(id: number): boolean {
    return this.runs.get(id)?.requests.cancelledBy != null;
  }

  setWaiting(id: number, waiting: boolean): void {
    const r = this.runs.get(id);
    if (!r) return;
    r.waiting = waiting;
    // a run waiting for a person is silent by design: the stall clock stops meanwhile
    if (!r.stall || r.leader) return;
    if (waiting) {
      if (r.stall.timer) clearTimeout(r.stall.timer);
      r.stall.timer = null;
    } else this.armStall(r);
  }

  /** Armed timers: for diagnostics ("an idle engine holds nothing"). */
  timerCount(): number {
    let n = 0;
    for (const r of this.runs.values()) n += (r.timeout ? 1 : 0) + (r.stall?.timer ? 1 : 0);
    return n;
  }

  /**
   * Starts claimed (already running) jobs. Every run is registered before anyone hears
   * of it, so a listener reacting to the news (say, by cancelling) finds it in place.
   */
  begin(rows: readonly JobRow[]): void {
    const started: [JobRow, RunState][] = [];
    for (const row of rows) {
      let resolveFinished!: () => void;
      const finished = new Promise<void>((r) => (resolveFinished = r));
      const run: RunState = {
        id: row.id,
        attempt: row.attempt,
        cwd: row.cwd,
        lockTree: row.lock_tree,
        isolated: false, // known once launch has parsed the spec
        abort: new AbortController(),
        requests: { cancelledBy: null, shutdown: false, timedOut: false, stalledAfterMs: null, hostDied: null },
        leader: null,
        waiting: false,
        timeout: null,
        stall: null,
        finished,
        resolveFinished,
      };
      this.runs.set(row.id, run);
      started.push([row, run]);
    }
    for (const [row, run] of started) this.launch(row, run);
    for (const row of rows) this.d.changed(row.id);
  }

  /** Asks a run to stop; resolves once nothing of it runs. False when it is not running here. */
  cancel(id: number, by: string): Promise<void> | null {
    const run = this.runs.get(id);
    if (!run) return null;
    if (!run.leader) run.requests.cancelledBy ??= by;
    this.stop(run, 'cancel');
    return run.finished;
  }

  /** Stops every run (recorded as interrupted unless its leader had already ended) and waits for them. */
  async shutdown(): Promise<void> {
    this.closed = true;
    const waits: Promise<void>[] = [];
    for (const run of this.runs.values()) {
      if (!run.leader) run.requests.shutdown = true;
      this.stop(run, 'shutdown');
      waits.push(run.finished);
    }
    await Promise.all(waits);
  }

  /** A sign of life from a run (output, a report): the stall detector starts over. */
  alive(id: number): void {
    const run = this.runs.get(id);
    if (run?.stall && !run.leader) this.armStall(run);
  }

  private stop(run: RunState, why: string): void {
    if (!run.abort.signal.aborted) run.abort.abort(why);
  }

  private launch(row: JobRow, run: RunState): void {
    const job: RunJob = { id: row.id, attempt: row.attempt, kind: row.kind, title: row.title, spec: parseJson<unknown>(row.spec), cwd: row.cwd, capturePatch: row.capture_patch === 1 };
    run.isolated = isolateSpecOf(job.spec) !== null;
    const logFile = logPath(this.d.home, row.id, row.attempt);
    let ended: Promise<RunEnd>;
    try {
      if (!isDir(row.cwd)) throw new WorkspaceGone(row.cwd);
      const runner = this.d.runners.get(row.kind);
      const handle = runner.start(job, {
        job,
        env: (own) => this.d.env(job, own),
        logFile,
        signal: run.abort.signal,
        killGraceMs: this.d.killGraceMs,
        report: this.d.reporter(job, run.abort.signal),
        log: this.d.log,
        output: () => {
          this.d.output(row.id, row.attempt, logFile);
          this.alive(row.id);
        },
      });
      void handle.started.then((pgid) => {
        if (pgid <= 0 || !this.d.sql.open) return;
        try {
          this.d.sql.softWrite(() => {
            setJobPgid(this.d.sql, row.id, row.attempt, pgid);
            setAttemptPgid(this.d.sql, row.id, row.attempt, pgid);
          });
        } catch (e) {
          this.d.log.warn(`job #${row.id}: could not record its process group`, e);
        }
      });
      void handle.leaderExited.then((end) => this.leaderEnded(run, end));
      ended = handle.ended;
      if (row.timeout_ms) {
        run.timeout = setTimeout(() => {
          run.timeout = null;
          if (run.leader) return;
          run.requests.timedOut = true;
          this.stop(run, 'timeout');
        }, row.timeout_ms);
      }
      const stallMs = runner.stallAfterMs?.(job) ?? null;
      if (stallMs) {
        run.stall = { afterMs: stallMs, timer: null };
        this.armStall(run);
      }
    } catch (e) {
      if (!(e instanceof WorkspaceGone)) this.d.log.error(`job #${row.id} could not run`, e);
      const error = e instanceof WorkspaceGone ? e.message : `could not run: ${(e as Error).message}`;
      const end = { exitCode: null, signal: null, error };
      this.leaderEnded(run, end);
      ended = Promise.resolve({ ...end, result: null });
    }
    ended.then(
      (end) => this.finish(run, end),
      (e: unknown) => {
        this.d.log.error(`job #${row.id}: its runner failed`, e);
        return this.finish(run, { exitCode: null, signal: null, error: `could not run: ${(e as Error)?.message ?? String(e)}`, result: null });
      },
    );
  }

  private armStall(run: RunState): void {
    const s = run.stall!;
    if (s.timer) clearTimeout(s.timer);
    s.timer = null;
    if (run.waiting) return; // waiting for a person: no clock (it starts again on the decision)
    s.timer = setTimeout(() => {
      s.timer = null;
      if (run.leader) return;
      this.d.log.warn(`job #${run.id}: no sign of life for ${formatMs(s.afterMs)}; stopping it`);
      run.requests.stalledAfterMs = s.afterMs;
      this.stop(run, 'stall');
    }, s.afterMs);
    s.timer.unref();
  }

  private leaderEnded(run: RunState, end: LeaderEnd): void {
    if (run.leader) return;
    run.leader = end;
    this.clearTimers(run);
    // Written on the next turn, and only if the run is still draining: most runs end
    // whole in the same turn, and their outcome commit records it anyway.
    setImmediate(() => {
      if (this.runs.get(run.id) !== run || !this.d.sql.open) return;
      try {
        recordLeaderExit(this.d.sql, run.id, run.attempt, { exitCode: end.exitCode, signal: end.signal, at: Date.now() });
      } catch (e) {
        this.d.log.warn(`job #${run.id}: could not record how its process ended`, e);
      }
    });
  }

  private clearTimers(run: RunState): void {
    if (run.timeout) clearTimeout(run.timeout);
    run.timeout = null;
    if (run.stall?.timer) clearTimeout(run.stall.timer);
    if (run.stall) run.stall.timer = null;
  }

  private finish(run: RunState, end: RunEnd): void {
    this.clearTimers(run);
    // the leader's end decides; what the runner reports at the very end adds its result
    // (an error only the end can tell, such as an agent's stream saying it failed, still counts)
    const decided: RunEnd = run.leader ? { ...end, exitCode: run.leader.exitCode, signal: run.leader.signal, error: run.leader.error ?? end.error } : end;
    try {
      const row = this.d.sql.open ? jobRow(this.d.sql, run.id) : undefined;
      // the slot is free from here: the outcome and the next start share one commit
      this.runs.delete(run.id);
      if (row) this.d.record(row, run.attempt, decided, run.requests);
    } catch (e) {
      this.d.log.error(`job #${run.id}: could not record how it ended`, e);
    } finally {
      this.runs.delete(run.id);
      run.resolveFinished();
      this.d.ended(run.id);
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

