import { z } from 'zod';

import { PROGRESS_LABEL_MAX, PROGRESS_UNIT_MAX, SUMMARY_MAX } from './limits';
import { ATTENTIONS, JOB_STATUSES } from './status';

export { FINISHED_STATUSES, JOB_STATUSES, isFinished } from './status';
export type { Attention } from './status';
export const JobStatus = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatus>;

export const JobKind = z.enum(['command', 'agent', 'recipe']);
export type JobKind = z.infer<typeof JobKind>;

export const Progress = z.object({
  done: z.number().nonnegative(),
  total: z.number().positive().nullable(),
  unit: z.string().max(PROGRESS_UNIT_MAX).nullable(),
  label: z.string().max(PROGRESS_LABEL_MAX).nullable(),
});
export type Progress = z.infer<typeof Progress>;

export const EtaBasis = z.enum(['progress', 'history', 'unknown']);
export const Eta = z.object({
  /** Seconds until the job is expected to finish; null when unknown. */
  seconds: z.number().nonnegative().nullable(),
  basis: EtaBasis,
});
export type Eta = z.infer<typeof Eta>;

export const ResultType = z.enum(['patch', 'report', 'json', 'files', 'none']);
export const JobResult = z.discriminatedUnion('type', [
  /** A patch; `report`: what the agent that made it said about it (markdown), when there is one. */
  z.object({ type: z.literal('patch'), summary: z.string().max(SUMMARY_MAX), patch: z.string(), report: z.string().optional() }),
  z.object({ type: z.literal('report'), summary: z.string().max(SUMMARY_MAX), markdown: z.string() }),
  z.object({ type: z.literal('json'), summary: z.string().max(SUMMARY_MAX), value: z.unknown() }),
  z.object({ type: z.literal('files'), summary: z.string().max(SUMMARY_MAX), files: z.array(z.string()) }),
  z.object({ type: z.literal('none'), summary: z.string().max(SUMMARY_MAX) }),
]);
export type JobResult = z.infer<typeof JobResult>;

export const ResultSummary = z.object({ type: ResultType, summary: z.string() });
export type ResultSummary = z.infer<typeof ResultSummary>;

export const StepStatus = z.enum(['planned', 'running', 'done', 'failed', 'skipped']);
export type StepStatus = z.infer<typeof StepStatus>;

/** What an agent's tool call does, for its icon and its words ("edit src/a.ts", "run npm test"). */
export const ToolKind = z.enum(['read', 'edit', 'run', 'search', 'plan', 'ask', 'web', 'other']);
export type ToolKind = z.infer<typeof ToolKind>;

/** Tokens an agent job has used so far (what its stream reports). */
export const Usage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedTokens: z.number().int().nonnegative().nullable(),
  costUsd: z.number().nonnegative().nullable(),
});
export type Usage = z.infer<typeof Usage>;

/** An agent job's identity: which agent, which model, what it has used. */
export const AgentInfo = z.object({
  with: z.string(),
  model: z.string().nullable(),
  usage: Usage.nullable(),
});
export type AgentInfo = z.infer<typeof AgentInfo>;

/** A job that runs in its own git worktree: where, on which branch, from which commit. */
export const Isolation = z.object({
  /** The repository the worktree belongs to (the user's tree, where `apply` lands). */
  repo: z.string(),
  branch: z.string(),
  worktree: z.string(),
  base: z.string(),
  /** The user had uncommitted changes when the job was added: they are not in the worktree. */
  leftOutChanges: z.boolean(),
});
export type Isolation = z.infer<typeof Isolation>;

/** The job JSON of DESIGN.md §5, the same on every transport. Times are epoch milliseconds. */
export const Job = z.object({
  id: z.number().int().positive(),
  title: z.string(),
  kind: JobKind,
  status: JobStatus,
  priority: z.number().int(),
  after: z.array(z.number().int().positive()),
  labels: z.array(z.string()),
  cwd: z.string(),
  command: z.string(),
  createdAt: z.number(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  notBefore: z.number().nullable(),
  attempt: z.number().int().nonnegative(),
  maxRetries: z.number().int().nonnegative(),
  timeoutMs: z.number().int().positive().nullable(),
  restartable: z.boolean(),
  progress: Progress.nullable(),
  eta: Eta,
  activity: z.string(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  error: z.string().nullable(),
  /** What the result is, in one line; the result itself comes from `get` or `result`. */
  resultSummary: ResultSummary.nullable(),
  plan: z.array(z.string()),
  unread: z.boolean(),
  /** Whether it wants a person (see contract/status.ts attentionOf), computed by the host. */
  attention: z.enum(ATTENTIONS).nullable(),
  /** Progress in a few characters ("62%", "31 files"), the same on every surface. */
  progressText: z.string().nullable(),
  /** For an agent job: which agent and model, and the tokens it has used. */
  agent: AgentInfo.nullable(),
  /** Who added it: "cli", "ui", "tray", or an MCP client as "mcp:<its name>". */
  addedBy: z.string().nullable(),
});
export type Job = z.infer<typeof Job>;

export const Step = z.object({
  attempt: z.number().int(),
  index: z.number().int(),
  name: z.string(),
  status: StepStatus,
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  /** An agent's tool call: what kind, and its input in short (a command line, a diff, a path); null for plain steps. */
  tool: ToolKind.nullable(),
  detail: z.string().nullable(),
});
export type Step = z.infer<typeof Step>;

export const Attempt = z.object({
  n: z.number().int().positive(),
  status: JobStatus,
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  error: z.string().nullable(),
  result: JobResult.nullable(),
  logBytes: z.number().int().nonnegative(),
});
export type Attempt = z.infer<typeof Attempt>;

export const JobEvent = z.object({
  id: z.number().int(),
  jobId: z.number().int(),
  attempt: z.number().int(),
  at: z.number(),
  type: z.string(),
  /** Who caused it: "host", "cli", "ui", "job", "recovery", … */
  by: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type JobEvent = z.infer<typeof JobEvent>;

export const Decision = z.enum(['approved', 'denied', 'expired']);
export type Decision = z.infer<typeof Decision>;

export const Approval = z.object({
  id: z.number().int(),
  jobId: z.number().int(),
  attempt: z.number().int(),
  question: z.string(),
  /**
   * What the person needs to decide, as text. By convention, so every surface can show it
   * well: a unified diff for a change to files (with or without `diff --git` headers); for
   * a command, the command line, then a line `cwd: DIR`; anything else as plain text.
   */
  context: z.string().nullable(),
  /** A request to use a tool (an agent's permission request), or null for a plain question. */
  tool: z.string().nullable(),
  /** How far an approval reaches: this request only, or this kind of request for the rest of the job. */
  scope: z.enum(['once', 'job']).nullable(),
  requestedAt: z.number(),
  decision: Decision.nullable(),
  note: z.string().nullable(),
  decidedAt: z.number().nullable(),
  decidedBy: z.string().nullable(),
});
export type Approval = z.infer<typeof Approval>;

export const JobDetail = z.object({
  job: Job,
  /** Where a job isolated in its own worktree runs; null otherwise. */
  isolation: Isolation.nullable(),
  /** The current attempt's full result (earlier ones are in attempts). */
  result: JobResult.nullable(),
  steps: z.array(Step),
  attempts: z.array(Attempt),
  events: z.array(JobEvent),
  approvals: z.array(Approval),
});
export type JobDetail = z.infer<typeof JobDetail>;

export const QueueState = z.object({
  paused: z.boolean(),
  concurrency: z.number().int().positive(),
  running: z.number().int().nonnegative(),
});
export type QueueState = z.infer<typeof QueueState>;

export const StatusCounts = z.record(JobStatus, z.number().int().nonnegative());
/** How many jobs want a person, by kind; the tray badge is their sum. */
export const AttentionCounts = z.object({
  needsYou: z.number().int().nonnegative(),
  unreadResults: z.number().int().nonnegative(),
});
export type AttentionCounts = z.infer<typeof AttentionCounts>;

export const StatusSummary = z.object({
  line: z.string(),
  counts: StatusCounts,
  attention: AttentionCounts,
  etaSeconds: z.number().nullable(),
  queue: QueueState,
});
export type StatusSummary = z.infer<typeof StatusSummary>;

/** Per-agent settings: where its binary is, extra arguments, and the default endpoint and model. */
export const AgentPreset = z.object({
  bin: z.string().min(1).optional(),
  args: z.array(z.string()).max(100).optional(),
  endpoint: z.string().url('must be a URL like http://127.0.0.1:8080/v1').optional(),
  model: z.string().min(1).max(200).optional(),
  /** Seconds without an event before a run counts as stalled (default 300). */
  stallSeconds: z.number().int().positive().max(24 * 3600).optional(),
});
export type AgentPreset = z.infer<typeof AgentPreset>;

/** The settings record: one validated object, read and written through the contract. */
export const Settings = z.object({
  agents: z
    .object({ codex: AgentPreset.optional(), claude: AgentPreset.optional(), gemini: AgentPreset.optional(), opencode: AgentPreset.optional() })
    .strict()
    .default({}),
}).strict();
export type Settings = z.infer<typeof Settings>;
