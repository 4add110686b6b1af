import { z } from 'zod';
import { Approval, Decision, Job, JobDetail, JobResult, JobStatus, QueueState, Settings, StatusSummary, StepStatus } from './job';
import {
  AFTER_MAX,
  AGENT_NAMES,
  BATCH_MAX,
  CONCURRENCY_MAX,
  CONTEXT_MAX,
  DURATION_MAX_MS,
  ETA_KEY_MAX,
  IDS_MAX,
  LABEL_MAX,
  LABELS_MAX,
  LOG_CHUNK_DEFAULT,
  LOG_CHUNK_MAX,
  NOTE_MAX,
  PAGE_DEFAULT,
  PAGE_MAX,
  PLAN_STEPS_MAX,
  PRIORITY_MAX,
  PRIORITY_MIN,
  PROGRESS_LABEL_MAX,
  PROGRESS_UNIT_MAX,
  QUESTION_MAX,
  RETRIES_MAX,
  SNAPSHOT_FINISHED_DEFAULT,
  STEP_NAME_MAX,
  TASK_MAX,
  TITLE_MAX,
} from './limits';

export { CONCURRENCY_MAX, PRIORITY_MAX, PRIORITY_MIN } from './limits';

const JobId = z.number({ error: 'must be a job id (a positive integer)' }).int('must be a job id (a positive integer)').positive('must be a job id (a positive integer)');
const JobIds = z.array(JobId).min(1, 'name at least one job id').max(IDS_MAX);
const Priority = z
  .number()
  .int('must be a whole number')
  .min(PRIORITY_MIN, `must be at least ${PRIORITY_MIN}`)
  .max(PRIORITY_MAX, `must be at most ${PRIORITY_MAX}`);
const Duration = z.number().int().nonnegative().max(DURATION_MAX_MS, 'must be under a year');
const Note = z.string().max(NOTE_MAX).optional();

export const CommandSpec = z
  .object({
    /** argv form: run the program directly, no shell. */
    argv: z.array(z.string()).min(1, 'is empty: give a command to run').optional(),
    /** shell form: one line run by /bin/sh -c (cmd.exe /c on Windows). */
    shell: z.string().min(1, 'is empty: give a command to run').optional(),
  })
  .refine((s) => (s.argv === undefined) !== (s.shell === undefined), { message: 'give exactly one of argv or shell', path: ['argv'] })
  .refine((s) => !s.argv?.length || s.argv[0]!.trim() !== '', { message: 'is empty: give a command to run', path: ['argv', 0] });
export type CommandSpec = z.infer<typeof CommandSpec>;

export { AGENT_NAMES };
export const AgentName = z.enum(AGENT_NAMES);
export type AgentName = z.infer<typeof AgentName>;

export const AgentSpec = z.object({
  with: AgentName,
  task: z.string().trim().min(1, 'is empty: say what the agent should do').max(TASK_MAX),
  /** A model name the agent knows; else the agent's or the settings' default. */
  model: z.string().min(1).max(200).optional(),
  /** The API base URL the agent talks to (a proxy, a local server); else its default. */
  endpoint: z.string().url('must be a URL like http://127.0.0.1:8080/v1').max(2000).optional(),
  /** Seconds without any event from the agent before it counts as stalled (default from settings). */
  stallSeconds: z.number().int().positive().max(24 * 3600).optional(),
});
export type AgentSpec = z.infer<typeof AgentSpec>;

export const AddInput = z.object({
  title: z.string().max(TITLE_MAX).optional(),
  /** 'command' (default) runs `command`; 'agent' runs a coding agent on `agent.task`. */
  kind: z.enum(['command', 'agent']).default('command'),
  command: CommandSpec.optional(),
  agent: AgentSpec.optional(),
  /**
   * Where the job runs: 'worktree', its own git worktree on branch errand/<id> made from
   * HEAD (its changes come back as a patch to apply); 'none', in cwd itself; 'auto'
   * (default), a worktree for agent and --patch jobs in a git repo, else none.
   */
  isolate: z.enum(['auto', 'worktree', 'none']).default('auto'),
  cwd: z.string().min(1, 'is empty: give the directory to run in'),
  env: z.record(z.string(), z.string()).optional(),
  /**
   * Variables the job gets but the store never holds (API keys an agent reads): kept in the
   * host's memory for this job only, never written, shown or sent in events. A host that
   * restarts has forgotten them; the job then runs with the host's own environment.
   */
  secretEnv: z.record(z.string(), z.string()).optional(),
  priority: Priority.default(0),
  after: z.array(JobId).max(AFTER_MAX).default([]),
  labels: z.array(z.string().min(1).max(LABEL_MAX)).max(LABELS_MAX).default([]),
  retries: z.number().int().min(0).max(RETRIES_MAX, `must be at most ${RETRIES_MAX}`).default(0),
  retryBackoffMs: Duration.default(5000),
  timeoutMs: Duration.positive().optional(),
  delayMs: Duration.optional(),
  restartable: z.boolean().default(false),
  capturePatch: z.boolean().default(false),
  plan: z.array(z.string().min(1).max(STEP_NAME_MAX)).max(PLAN_STEPS_MAX).default([]),
  etaKey: z.string().max(ETA_KEY_MAX).optional(),
})
  .superRefine((a, ctx) => {
    if (a.kind === 'command' && !a.command) ctx.addIssue({ code: 'custom', path: ['command'], message: 'is missing: give the command to run' });
    if (a.kind === 'agent' && !a.agent) ctx.addIssue({ code: 'custom', path: ['agent'], message: 'is missing: give the agent and its task' });
    if (a.kind === 'command' && a.agent) ctx.addIssue({ code: 'custom', path: ['agent'], message: 'is only for agent jobs (kind agent)' });
    if (a.kind === 'agent' && a.command) ctx.addIssue({ code: 'custom', path: ['command'], message: 'is only for command jobs' });
  });
export type AddInput = z.input<typeof AddInput>;
export type AddParsed = z.output<typeof AddInput>;

const LogChunk = z.object({
  /** Base64 of the raw bytes, so the log stays byte-exact over JSON. */
  data: z.string(),
  offset: z.number().int(),
  size: z.number().int(),
  attempt: z.number().int(),
  done: z.boolean(),
});

const Ok = z.object({ ok: z.literal(true) });
const ApplyOutcome = z.object({ id: z.number().int(), outcome: z.enum(['applied', 'already-applied']), files: z.array(z.string()), message: z.string() });
const PageSize = z.number().int().positive().max(PAGE_MAX);
/**
 * Where a snapshot goes on: which part (0 active, 1 unread problems and results, 2 queued
 * and held, 3 finished newest first) and the last id sent of it. Opaque to clients.
 */
const SnapshotCursor = z.object({ part: z.number().int().min(0).max(3), afterId: z.number().int().nonnegative(), taken: z.number().int().nonnegative(), finishedLimit: z.number().int().nonnegative() });
export type SnapshotCursor = z.infer<typeof SnapshotCursor>;
const Jobs = z.object({ jobs: z.array(Job) });
const InJob = { jobId: JobId, attempt: z.number().int().positive() };

/**
 * Every method: name → input and output schema. Transports, the CLI client, the
 * preload bridge and the renderer all derive their types from this one table.
 */
export const methods = {
  hello: { input: z.object({ protocolVersion: z.number().int(), client: z.string().max(60) }), output: z.object({ protocolVersion: z.number().int(), hostVersion: z.string(), pid: z.number().int(), home: z.string() }) },
  add: { input: AddInput, output: Job },
  addMany: { input: z.object({ jobs: z.array(AddInput).min(1).max(BATCH_MAX) }), output: z.object({ ids: z.array(z.number().int()) }) },
  list: {
    input: z
      .object({
        status: z.array(JobStatus).optional(),
        /** At most this many jobs (a page); without it, every match. Page through a big store with afterId / beforeId. */
        limit: z.number().int().positive().max(1_000_000).optional(),
        /** 'id': oldest first (default); 'newest': newest first, for paging back with beforeId. */
        order: z.enum(['id', 'newest']).default('id'),
        beforeId: JobId.optional(),
        /** Only jobs with a higher id: the next page of an oldest-first listing. */
        afterId: z.number().int().nonnegative().optional(),
        /** Only finished jobs nobody has opened yet. */
        unread: z.boolean().optional(),
      })
      .default({ order: 'id' }),
    output: Jobs,
  },
  get: { input: z.object({ id: JobId }), output: JobDetail },
  logs: { input: z.object({ id: JobId, attempt: z.number().int().positive().optional(), offset: z.number().int().nonnegative().default(0), limit: z.number().int().positive().max(LOG_CHUNK_MAX).default(LOG_CHUNK_DEFAULT) }), output: LogChunk },
  cancel: { input: z.object({ ids: JobIds }), output: Jobs },
  retry: { input: z.object({ ids: JobIds }), output: Jobs },
  hold: { input: z.object({ ids: JobIds }), output: Jobs },
  release: { input: z.object({ ids: JobIds }), output: Jobs },
  prioritise: { input: z.object({ id: JobId, priority: Priority }), output: Job },
  markRead: { input: z.object({ ids: JobIds }), output: Ok },
  pause: { input: z.object({}).default({}), output: QueueState },
  resume: { input: z.object({}).default({}), output: QueueState },
  setConcurrency: { input: z.object({ concurrency: z.number().int('must be a whole number').min(1, 'must be at least 1').max(CONCURRENCY_MAX, `must be at most ${CONCURRENCY_MAX}`) }), output: QueueState },
  queue: { input: z.object({}).default({}), output: QueueState },
  /** `scope: 'job'`: the same kind of request from this job is approved from now on, without asking. */
  approve: { input: z.object({ id: JobId, note: Note, scope: z.enum(['once', 'job']).default('once') }), output: Approval },
  deny: { input: z.object({ id: JobId, note: Note }), output: Approval },
  approvals: { input: z.object({}).default({}), output: z.object({ approvals: z.array(Approval) }) },
  result: { input: z.object({ id: JobId, attempt: z.number().int().positive().optional() }), output: z.object({ id: z.number().int(), attempt: z.number().int(), result: JobResult.nullable() }) },
  remove: { input: z.object({ ids: JobIds }), output: z.object({ removed: z.array(z.number().int()) }) },
  clean: { input: z.object({ olderThanMs: Duration.default(0) }).default({ olderThanMs: 0 }), output: z.object({ removed: z.array(z.number().int()) }) },
  status: { input: z.object({}).default({}), output: StatusSummary },
  /**
   * What a window needs to draw: every unfinished job, every unread failure or result, and the
   * newest `finishedLimit` finished ones (older pages come from list {order:'newest', beforeId}).
   * The first reply holds the status, the approvals and the most urgent page of jobs (running
   * and waiting first), so a window paints at once; while `cursor` is not null the rest follows
   * from snapshotPage, page by page. On one ordered connection, whatever arrives later (a page
   * or an event) is the newer word on a job.
   */
  snapshot: {
    input: z
      .object({ finishedLimit: z.number().int().nonnegative().max(1_000_000).default(SNAPSHOT_FINISHED_DEFAULT), pageSize: PageSize.default(PAGE_DEFAULT) })
      .default({ finishedLimit: SNAPSHOT_FINISHED_DEFAULT, pageSize: PAGE_DEFAULT }),
    output: z.object({ jobs: z.array(Job), status: StatusSummary, approvals: z.array(Approval), finishedTotal: z.number().int().nonnegative(), cursor: SnapshotCursor.nullable() }),
  },
  snapshotPage: { input: z.object({ cursor: SnapshotCursor, pageSize: PageSize.default(PAGE_DEFAULT) }), output: z.object({ jobs: z.array(Job), cursor: SnapshotCursor.nullable() }) },
  shutdown: { input: z.object({}).default({}), output: Ok },
  /**
   * Applies a job's patch result to the tree it was made from (the job's cwd; three-way
   * where it can). Already applied: says so and changes nothing. A conflict is refused
   * (illegal_transition) naming the files, with git's whole message.
   */
  apply: { input: z.object({ id: JobId }), output: ApplyOutcome },
  settings: { input: z.object({}).default({}), output: Settings },
  /** Changes settings: `values` is merged into what is stored (null removes a key); the whole record is validated. */
  setSettings: { input: z.object({ values: z.record(z.string(), z.unknown()) }), output: Settings },
  // Called by a running job through the CLI (ERRAND_JOB_ID / ERRAND_ATTEMPT).
  jobProgress: {
    input: z.object({ ...InJob, done: z.number().nonnegative(), total: z.number().positive().nullable().default(null), unit: z.string().max(PROGRESS_UNIT_MAX).nullable().default(null), label: z.string().max(PROGRESS_LABEL_MAX).nullable().default(null) }),
    output: Ok,
  },
  jobStep: { input: z.object({ ...InJob, name: z.string().min(1).max(STEP_NAME_MAX), status: StepStatus.exclude(['planned']).default('running') }), output: Ok },
  jobPlan: { input: z.object({ ...InJob, steps: z.array(z.string().min(1).max(STEP_NAME_MAX)).max(PLAN_STEPS_MAX) }), output: Ok },
  jobAsk: { input: z.object({ ...InJob, question: z.string().min(1, 'is empty: say what needs deciding').max(QUESTION_MAX), context: z.string().max(CONTEXT_MAX).optional() }), output: z.object({ approvalId: z.number().int() }) },
  awaitDecision: { input: z.object({ approvalId: z.number().int().positive() }), output: z.object({ decision: Decision, note: z.string().nullable() }) },
  jobResult: { input: z.object({ ...InJob, result: JobResult }), output: Ok },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Input<K extends MethodName> = z.input<Methods[K]['input']>;
export type ParsedInput<K extends MethodName> = z.output<Methods[K]['input']>;
export type Output<K extends MethodName> = z.output<Methods[K]['output']>;
export const METHOD_NAMES = Object.keys(methods) as MethodName[];
