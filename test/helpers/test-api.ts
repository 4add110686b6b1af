// The engine as tests drive it: the contract's input is validated exactly as the host's
// dispatch does (the engine itself takes parsed input), and the old positional call
// shapes are kept so a test reads like a user's request.
import { type Input, type MethodName, type Output, type ParsedInput, methods } from '../../electron/contract/api';
import type { Approval, Decision, Job, JobDetail, QueueState, StatusSummary } from '../../electron/contract/job';
import { validate } from '../../electron/contract/validate';
import { type Caller, Engine, type EngineDiagnostics, type EngineOptions } from '../../electron/core/engine';
import type { Dispose, Listener } from '../../electron/core/event-hub';

const parse = <K extends MethodName>(m: K, input: unknown): ParsedInput<K> => validate(methods[m].input, input ?? {}) as ParsedInput<K>;
const by = (name = 'api'): Caller => ({ by: name });

export interface TestApi {
  readonly home: string;
  /** The facade itself, for what the adapter does not cover. */
  readonly engine: Engine;
  listen(fn: Listener): Dispose;
  add(input: Input<'add'>, by?: string): Job;
  addMany(inputs: Input<'addMany'>['jobs'], by?: string): number[];
  list(opts?: Input<'list'>): Job[];
  get(id: number): JobDetail;
  readLog(input: Input<'logs'>): { data: Buffer; offset: number; size: number; attempt: number; done: boolean };
  result(input: Input<'result'>): Output<'result'>;
  cancel(ids: number[], by?: string): Promise<Job[]>;
  retry(ids: number[], by?: string): Job[];
  hold(ids: number[], by?: string): Job[];
  release(ids: number[], by?: string): Job[];
  prioritise(id: number, priority: number, by?: string): Job;
  markRead(ids: number[]): void;
  pause(by?: string): QueueState;
  resume(by?: string): QueueState;
  setConcurrency(concurrency: number, by?: string): QueueState;
  queueState(): QueueState;
  approve(id: number, note?: string, by?: string): Approval;
  deny(id: number, note?: string, by?: string): Approval;
  approvals(): Approval[];
  awaitDecision(approvalId: number, signal?: AbortSignal): Promise<{ decision: Decision; note: string | null }>;
  jobProgress(input: Input<'jobProgress'>): void;
  jobStep(input: Input<'jobStep'>): void;
  jobPlan(input: Input<'jobPlan'>): void;
  jobAsk(input: Input<'jobAsk'>): number;
  jobResult(input: Input<'jobResult'>): void;
  remove(ids: number[], by?: string): number[];
  clean(olderThanMs?: number, by?: string): number[];
  status(): StatusSummary;
  snapshot(input?: Input<'snapshot'>): Output<'snapshot'>;
  snapshotPage(input: Input<'snapshotPage'>): Output<'snapshotPage'>;
  diagnostics(): EngineDiagnostics;
  close(): Promise<void>;
}

export function testApi(e: Engine): TestApi {
  return {
    home: e.home,
    engine: e,
    listen: (fn) => e.listen(fn),
    add: (input, b) => e.add(parse('add', input), by(b)),
    addMany: (inputs, b) => e.addMany(parse('addMany', { jobs: inputs }), by(b)).ids,
    list: (opts) => e.list(parse('list', opts)).jobs,
    get: (id) => e.get(parse('get', { id })),
    readLog: (input) => {
      const r = e.logs(parse('logs', input));
      return { ...r, data: Buffer.from(r.data, 'base64') };
    },
    result: (input) => e.result(parse('result', input)),
    cancel: async (ids, b) => (await e.cancel(parse('cancel', { ids }), by(b))).jobs,
    retry: (ids, b) => e.retry(parse('retry', { ids }), by(b)).jobs,
    hold: (ids, b) => e.hold(parse('hold', { ids }), by(b)).jobs,
    release: (ids, b) => e.release(parse('release', { ids }), by(b)).jobs,
    prioritise: (id, priority, b) => e.prioritise(parse('prioritise', { id, priority }), by(b)),
    markRead: (ids) => void e.markRead(parse('markRead', { ids })),
    pause: (b) => e.pause({}, by(b)),
    resume: (b) => e.resume({}, by(b)),
    setConcurrency: (concurrency, b) => e.setConcurrency(parse('setConcurrency', { concurrency }), by(b)),
    queueState: () => e.queue(),
    approve: (id, note, b) => e.approve(parse('approve', { id, note }), by(b)),
    deny: (id, note, b) => e.deny(parse('deny', { id, note }), by(b)),
    approvals: () => e.approvals().approvals,
    awaitDecision: (approvalId, signal) => {
      try {
        return e.awaitDecision(parse('awaitDecision', { approvalId }), { by: 'api', signal });
      } catch (err) {
        return Promise.reject(err as Error);
      }
    },
    jobProgress: (input) => void e.jobProgress(parse('jobProgress', input)),
    jobStep: (input) => void e.jobStep(parse('jobStep', input)),
    jobPlan: (input) => void e.jobPlan(parse('jobPlan', input)),
    jobAsk: (input) => e.jobAsk(parse('jobAsk', input)).approvalId,
    jobResult: (input) => void e.jobResult(parse('jobResult', input)),
    remove: (ids, b) => e.remove(parse('remove', { ids }), by(b)).removed,
    clean: (olderThanMs = 0, b) => e.clean(parse('clean', { olderThanMs }), by(b)).removed,
    status: () => e.status(),
    snapshot: (input) => e.snapshot(parse('snapshot', input)),
    snapshotPage: (input) => e.snapshotPage(parse('snapshotPage', input)),
    diagnostics: () => e.diagnostics(),
    close: () => e.close(),
  };
}

/** Opens an engine on a data dir and wraps it for tests. */
export function openEngine(opts: EngineOptions): TestApi {
  return testApi(Engine.open(opts));
}
