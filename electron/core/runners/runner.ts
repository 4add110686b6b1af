import type { AddParsed } from '../../contract/api';
import type { Decision, JobKind, JobResult, Progress, StepStatus, ToolKind, Usage } from '../../contract/job';
import type { Logger } from '../logger';

// The one interface every kind of job runs behind. The scheduler and the supervisor
// know nothing kind-specific: a new kind (an agent, a recipe) is a new Runner in a new
// file, registered in registry.ts, not an edit of the engine.

/** What a runner is told about the job it runs. */
export interface RunJob {
  id: number;
  attempt: number;
  kind: JobKind;
  title: string;
  /** The kind-specific spec admission stored (runner.admit's `spec`), parsed. */
  spec: unknown;
  /** The workspace: the directory the job runs in (it existed when the run was claimed). */
  cwd: string;
  capturePatch: boolean;
}

/** How a run reports what it does; the same calls a job makes with `errand progress|step|plan|ask|result`. */
export interface RunReporter {
  progress(p: Progress): void;
  /** A step; an agent's tool call says what kind of tool and its input in short. */
  step(name: string, status?: Exclude<StepStatus, 'planned'>, tool?: { tool: ToolKind; detail: string | null }): void;
  plan(steps: readonly string[]): void;
  /** Asks a person. The job waits (holding no slot) until they decide; `expired` if the run ends first. */
  ask(question: string, context?: string | null, opts?: { tool?: string }): Promise<{ decision: Decision; note: string | null }>;
  result(r: JobResult): void;
  /** Tokens used so far (the agent's own count; replaces the last report). */
  usage(u: Usage): void;
  /** What the run is doing right now beyond its steps ("model API: retry 2 of 5"); null clears it. */
  note(text: string | null): void;
}

export interface RunContext {
  readonly job: RunJob;
  /**
   * Environment for the run's processes: the host's, overlaid with `own` (the job's own
   * variables), then ERRAND_JOB_ID/ATTEMPT/HOME and `errand` first on PATH.
   */
  env(own?: Record<string, string>): NodeJS.ProcessEnv;
  /** The attempt's log file; processes write to it directly, byte-exact. */
  readonly logFile: string;
  /**
   * Aborted when the run must stop (cancel, timeout, stall, host shutdown); the reason
   * says which. A runner ends everything it started: SIGTERM, then SIGKILL after killGraceMs.
   */
  readonly signal: AbortSignal;
  readonly killGraceMs: number;
  readonly report: RunReporter;
  readonly log: Logger;
  /** The log grew (throttled by the caller): news for watchers, and a sign of life for stall detection. */
  output(): void;
}

/** How the run itself ended: its leader process exited (or could not start, or was lost). */
export interface LeaderEnd {
  exitCode: number | null;
  signal: string | null;
  /** Set when it could not be started or its end could not be observed ("command not found: x"). */
  error: string | null;
}

/** Everything of the run is over; `result` is one produced at the very end (a captured patch). */
export interface RunEnd extends LeaderEnd {
  result: JobResult | null;
}

export interface RunHandle {
  /** The process group to end after a crash, once known (recorded for recovery); -1 when there is none. */
  readonly started: Promise<number>;
  /** Resolves the moment the leader ends: that decides the outcome, whatever comes after. */
  readonly leaderExited: Promise<LeaderEnd>;
  /** Resolves once nothing of the run is left (leftover processes ended, results captured). */
  readonly ended: Promise<RunEnd>;
}

/** What admission needs from a kind to store a job; checks beyond the schema throw ErrandError. */
export interface Admitted {
  spec: object;
  /** How the job reads in lists: the command line, the agent's task. */
  display: string;
  /** Identity for ETA history: runs with the same key take similar time. */
  etaKey: string;
  /** A git work tree the job must have to itself while it runs, or null. */
  lockTree: string | null;
}

export interface AdmitContext {
  /** The real path of the existing directory the job runs in. */
  cwd: string;
  /** Where the field paths of errors start ("jobs.3." in a batch). */
  prefix: string;
  /** Memo for per-batch lookups (work-tree tops). */
  memo: Map<string, unknown>;
}

export interface Runner {
  readonly kind: JobKind;
  admit(input: AddParsed, ctx: AdmitContext): Admitted;
  /** The display text of a stored spec (lists show it as `command`). */
  describe(spec: unknown): string;
  /** For an agent: which one and which model, from the stored spec. */
  identity?(spec: unknown): { with: string; model: string | null } | null;
  start(job: RunJob, ctx: RunContext): RunHandle;
  /** No sign of life (output, report) for this long fails the run as stalled; null: never. */
  stallAfterMs?(job: RunJob): number | null;
}
