import { z } from 'zod';
import { Approval, Decision, Job, JobDetail, JobResult, JobStatus, QueueState, StatusSummary, StepStatus } from './job';

export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;
export const CONCURRENCY_MAX = 64;

const JobId = z.number({ error: 'must be a job id (a positive integer)' }).int('must be a job id (a positive integer)').positive('must be a job id (a positive integer)');
const JobIds = z.array(JobId).min(1, 'name at least one job id').max(10_000);
const Priority = z
  .number()
  .int('must be a whole number')
  .min(PRIORITY_MIN, `must be at least ${PRIORITY_MIN}`)
  .max(PRIORITY_MAX, `must be at most ${PRIORITY_MAX}`);
const Duration = z.number().int().nonnegative().max(365 * 24 * 3600 * 1000, 'must be under a year');
const Note = z.string().max(2000).optional();

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

export const AddInput = z.object({
  title: z.string().max(300).optional(),
  kind: z.literal('command').default('command'),
  command: CommandSpec,
  cwd: z.string().min(1, 'is empty: give the directory to run in'),
  env: z.record(z.string(), z.string()).optional(),
  priority: Priority.default(0),
  after: z.array(JobId).max(1000).default([]),
  labels: z.array(z.string().min(1).max(60)).max(20).default([]),
  retries: z.number().int().min(0).max(100, 'must be at most 100').default(0),
  retryBackoffMs: Duration.default(5000),
  timeoutMs: Duration.positive().optional(),
  delayMs: Duration.optional(),
  restartable: z.boolean().default(false),
  capturePatch: z.boolean().default(false),
  plan: z.array(z.string().min(1).max(200)).max(500).default([]),
  etaKey: z.string().max(500).optional(),
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
const Jobs = z.object({ jobs: z.array(Job) });
const InJob = { jobId: JobId, attempt: z.number().int().positive() };

/**
 * Every method: name → input and output schema. Transports, the CLI client, the
 * preload bridge and the renderer all derive their types from this one table.
 */
export const methods = {
  hello: { input: z.object({ protocolVersion: z.number().int(), client: z.string().max(60) }), output: z.object({ protocolVersion: z.number().int(), hostVersion: z.string(), pid: z.number().int(), home: z.string() }) },
  add: { input: AddInput, output: Job },
  addMany: { input: z.object({ jobs: z.array(AddInput).min(1).max(100_000) }), output: z.object({ ids: z.array(z.number().int()) }) },
  list: {
    input: z
      .object({
        status: z.array(JobStatus).optional(),
        limit: z.number().int().positive().max(1_000_000).optional(),
        /** 'id': oldest first (default); 'newest': newest first, for paging back with beforeId. */
        order: z.enum(['id', 'newest']).default('id'),
        beforeId: JobId.optional(),
        /** Only finished jobs nobody has opened yet. */
        unread: z.boolean().optional(),
      })
      .default({ order: 'id' }),
    output: Jobs,
  },
  get: { input: z.object({ id: JobId }), output: JobDetail },
  logs: { input: z.object({ id: JobId, attempt: z.number().int().positive().optional(), offset: z.number().int().nonnegative().default(0), limit: z.number().int().positive().max(1024 * 1024).default(256 * 1024) }), output: LogChunk },
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
  approve: { input: z.object({ id: JobId, note: Note }), output: Approval },
  deny: { input: z.object({ id: JobId, note: Note }), output: Approval },
  approvals: { input: z.object({}).default({}), output: z.object({ approvals: z.array(Approval) }) },
  result: { input: z.object({ id: JobId, attempt: z.number().int().positive().optional() }), output: z.object({ id: z.number().int(), attempt: z.number().int(), result: JobResult.nullable() }) },
  remove: { input: z.object({ ids: JobIds }), output: z.object({ removed: z.array(z.number().int()) }) },
  clean: { input: z.object({ olderThanMs: Duration.default(0) }).default({ olderThanMs: 0 }), output: z.object({ removed: z.array(z.number().int()) }) },
  status: { input: z.object({}).default({}), output: StatusSummary },
  /**
   * What a window needs to draw: every unfinished job, every unread failure or result, and the
   * newest `finishedLimit` finished ones (older pages come from list {order:'newest', beforeId}).
   */
  snapshot: {
    input: z.object({ finishedLimit: z.number().int().nonnegative().max(1_000_000).default(5000) }).default({ finishedLimit: 5000 }),
    output: z.object({ jobs: z.array(Job), status: StatusSummary, approvals: z.array(Approval), finishedTotal: z.number().int().nonnegative() }),
  },
  shutdown: { input: z.object({}).default({}), output: Ok },
  // Called by a running job through the CLI (ERRAND_JOB_ID / ERRAND_ATTEMPT).
  jobProgress: { input: z.object({ ...InJob, done: z.number().nonnegative(), total: z.number().positive().nullable().default(null), unit: z.string().max(40).nullable().default(null), label: z.string().max(200).nullable().default(null) }), output: Ok },
  jobStep: { input: z.object({ ...InJob, name: z.string().min(1).max(200), status: StepStatus.exclude(['planned']).default('running') }), output: Ok },
  jobPlan: { input: z.object({ ...InJob, steps: z.array(z.string().min(1).max(200)).max(500) }), output: Ok },
  jobAsk: { input: z.object({ ...InJob, question: z.string().min(1, 'is empty: say what needs deciding').max(2000), context: z.string().max(200_000).optional() }), output: z.object({ approvalId: z.number().int() }) },
  awaitDecision: { input: z.object({ approvalId: z.number().int().positive() }), output: z.object({ decision: Decision, note: z.string().nullable() }) },
  jobResult: { input: z.object({ ...InJob, result: JobResult }), output: Ok },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Input<K extends MethodName> = z.input<Methods[K]['input']>;
export type ParsedInput<K extends MethodName> = z.output<Methods[K]['input']>;
export type Output<K extends MethodName> = z.output<Methods[K]['output']>;
export const METHOD_NAMES = Object.keys(methods) as MethodName[];
