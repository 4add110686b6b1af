import type { Input, MethodName, Output } from '../../electron/contract/api';
import { ErrandError } from '../../electron/contract/errors';
import type { HostEvent } from '../../electron/contract/events';
import type { Approval, Job, JobDetail, StatusSummary } from '../../electron/contract/job';
import { progressText } from '../../electron/contract/format';
import { attentionOf, isFinished } from '../../electron/contract/status';
import type { ConnectionState, ErrandClient, Snapshot, SyncHandlers } from '../../renderer/src/client/types';

// jsdom has no layout: give every element a size so the virtual lists render rows.
export function fakeLayout(width = 800, height = 900): void {
  Object.defineProperty(HTMLElement.prototype, 'offsetHeight', { configurable: true, get: () => height });
  Object.defineProperty(HTMLElement.prototype, 'offsetWidth', { configurable: true, get: () => width });
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => height });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => width });
  if (!HTMLElement.prototype.scrollTo) HTMLElement.prototype.scrollTo = function () {} as never;
}

let nextId = 1;
export function job(over: Partial<Job> = {}): Job {
  const id = over.id ?? nextId++;
  return {
    id,
    title: `job ${id}`,
    kind: 'command',
    status: 'queued',
    priority: 0,
    after: [],
    labels: [],
    cwd: '/home/me/project',
    command: 'npm test',
    createdAt: 1_700_000_000_000 + id * 1000,
    startedAt: null,
    finishedAt: null,
    notBefore: null,
    attempt: 0,
    maxRetries: 0,
    timeoutMs: null,
    restartable: false,
    progress: null,
    eta: { seconds: null, basis: 'unknown' },
    activity: 'waiting for a slot (2/2 busy)',
    exitCode: null,
    signal: null,
    error: null,
    resultSummary: null,
    plan: [],
    unread: false,
    ...over,
    // the host's derived fields, computed as the host does unless a test sets them
    agent: over.agent ?? null,
    addedBy: over.addedBy ?? null,
    progressText: over.progressText !== undefined ? over.progressText : progressText(over.progress ?? null),
    attention: over.attention !== undefined ? over.attention : attentionOf(over.status ?? 'queued', over.unread ?? false, over.resultSummary?.type ?? null),
  };
}

export function approval(over: Partial<Approval> & { jobId: number }): Approval {
  return { id: over.jobId * 10, attempt: 1, question: 'Deploy to prod?', context: null, tool: null, scope: null, requestedAt: 1_700_000_100_000, decision: null, note: null, decidedAt: null, decidedBy: null, ...over };
}

export function status(over: Partial<StatusSummary> = {}): StatusSummary {
  return {
    line: '1 running · 2 queued',
    counts: { queued: 2, held: 0, running: 1, waiting: 0, succeeded: 0, failed: 0, cancelled: 0, interrupted: 0 },
    attention: { needsYou: 0, unreadResults: 0 },
    etaSeconds: null,
    queue: { paused: false, concurrency: 2, running: 1 },
    ...over,
  };
}

export function snapshot(jobs: Job[], approvals: Approval[] = [], s: Partial<StatusSummary> = {}): Snapshot {
  return { jobs, approvals, status: status(s), cursor: null, finishedTotal: jobs.filter((j) => isFinished(j.status)).length };
}

export function detailOf(j: Job, over: Partial<JobDetail> = {}): JobDetail {
  return { job: j, isolation: null, result: null, steps: [], attempts: [], events: [], approvals: [], ...over };
}

type Handler = (input: never) => unknown;

/** An in-memory client: calls go to handlers (a missing one fails like the host would), events are pushed by the test. */
export class FakeClient implements ErrandClient {
  readonly transport = 'memory' as const;
  readonly calls: { method: string; input: unknown }[] = [];
  handlers: Partial<Record<MethodName, Handler>> = {};
  private h: SyncHandlers | null = null;

  constructor(public snap: Snapshot) {}

  on<K extends MethodName>(method: K, fn: (input: Input<K>) => Output<K> | Promise<Output<K>>): this {
    this.handlers[method] = fn as Handler;
    return this;
  }

  async call<K extends MethodName>(method: K, input: Input<K>): Promise<Output<K>> {
    this.calls.push({ method, input });
    const fn = this.handlers[method];
    if (!fn) throw new ErrandError('not_found', `no fake for ${method}`);
    return (await fn(input as never)) as Output<K>;
  }

  start(h: SyncHandlers): () => void {
    this.h = h;
    h.onState({ kind: 'open' });
    h.onSync(this.snap);
    return () => {
      this.h = null;
    };
  }

  emit(...events: HostEvent[]): void {
    for (const e of events) this.h?.onEvent(e);
  }

  resync(snap: Snapshot): void {
    this.snap = snap;
    this.h?.onSync(snap);
  }

  state(s: ConnectionState): void {
    this.h?.onState(s);
  }

  called(method: string): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.input);
  }
}

export const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));
