import { progressText } from '../../../electron/contract/format';
import { attentionOf } from '../../../electron/contract/status';
import type { Approval, Job, JobStatus, StatusSummary } from '../../../electron/contract/job';

/** A valid Job (the contract's shape) with overrides. */
export function job(over: Partial<Job> & { id: number }): Job {
  return {
    title: `job ${over.id}`,
    kind: 'command',
    status: 'queued',
    priority: 0,
    after: [],
    labels: [],
    cwd: '/tmp',
    command: 'true',
    createdAt: 1_000,
    startedAt: null,
    finishedAt: null,
    notBefore: null,
    attempt: 1,
    maxRetries: 0,
    timeoutMs: null,
    restartable: false,
    progress: null,
    eta: { seconds: null, basis: 'unknown' },
    activity: '',
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

export function counts(over: Partial<Record<JobStatus, number>> = {}): Record<JobStatus, number> {
  return { queued: 0, held: 0, running: 0, waiting: 0, succeeded: 0, failed: 0, cancelled: 0, interrupted: 0, ...over };
}

export function status(over: Omit<Partial<StatusSummary>, 'counts'> & { counts?: Partial<Record<JobStatus, number>> } = {}): StatusSummary {
  return {
    line: 'idle',
    attention: { needsYou: 0, unreadResults: 0 },
    etaSeconds: null,
    queue: { paused: false, concurrency: 2, running: 0 },
    ...over,
    counts: counts(over.counts),
  };
}

export function approval(over: Partial<Approval> & { id: number; jobId: number }): Approval {
  return {
    attempt: 1,
    question: 'Deploy to prod?',
    context: null, tool: null, scope: null,
    requestedAt: 1_000,
    decision: null,
    note: null,
    decidedAt: null,
    decidedBy: null,
    ...over,
  };
}
