// The tray's small copy of host state, kept current from host events. It holds only
// what the tray shows (running and waiting jobs, recent finished ones, finished jobs
// that need you, open approvals), so a store with 100k queued jobs costs the tray nothing.
import type { Input, Output } from '../contract/api';
import type { HostEvent } from '../contract/events';
import type { Approval, Job, StatusSummary } from '../contract/job';
import { ACTIVE_STATUSES, FINISHED_STATUSES, isFinished, isPending, PROBLEM_STATUSES } from '../contract/status';
import type { Snapshot } from './tray-model';

export interface Mirror {
  jobs: Map<number, Job>;
  approvals: Map<number, Approval>;
  status: StatusSummary;
}

export const KEEP_RECENT = 20;
export const KEEP_PROBLEMS = 50;
/** Kept past the recent window: the tray's "Needs you" section lists it (the host decides). */
const needsYou = (j: Job): boolean => j.attention === 'needs-you';

/** The few host calls the tray fills its mirror with (an in-process host or a remote one). */
export interface MirrorSource {
  call<K extends 'status' | 'list' | 'approvals'>(method: K, input: Input<K>, ctx: { by: string }): Promise<Output<K>>;
}

/**
 * The tray's first look at the host: active jobs, the newest finished ones, the finished
 * jobs that need you and the open questions; never the whole queue. Subscribe to events
 * before calling this and replay them after, so nothing in between is lost.
 */
export async function loadMirror(host: MirrorSource): Promise<Mirror> {
  const by = { by: 'tray' };
  const status = await host.call('status', {}, by);
  const [active, recent, problems, approvals] = await Promise.all([
    host.call('list', { status: [...ACTIVE_STATUSES] }, by),
    host.call('list', { status: [...FINISHED_STATUSES], order: 'newest', limit: KEEP_RECENT }, by),
    // the list API filters by status and unread only; the host's job.attention has the last word
    host.call('list', { status: [...PROBLEM_STATUSES], unread: true, order: 'newest', limit: KEEP_PROBLEMS }, by),
    host.call('approvals', {}, by),
  ]);
  const needing = problems.jobs.filter(needsYou);
  const jobs = new Map([...active.jobs, ...recent.jobs, ...needing].map((j) => [j.id, j]));
  return createMirror({ jobs: [...jobs.values()], approvals: approvals.approvals, status });
}

export function createMirror(init: { jobs: readonly Job[]; approvals: readonly Approval[]; status: StatusSummary }): Mirror {
  const m: Mirror = { jobs: new Map(), approvals: new Map(), status: init.status };
  for (const j of init.jobs) m.jobs.set(j.id, j);
  for (const a of init.approvals) if (a.decision === null) m.approvals.set(a.id, a);
  prune(m);
  return m;
}

/** Applies one host event; false when the tray has nothing new to show (e.g. log growth). */
export function applyEvent(m: Mirror, e: HostEvent): boolean {
  switch (e.type) {
    case 'job': {
      if (isPending(e.job.status)) {
        // queued or held: not shown; drop a stale copy (e.g. after a retry)
        return m.jobs.delete(e.job.id);
      }
      m.jobs.set(e.job.id, e.job);
      if (isFinished(e.job.status)) prune(m);
      return true;
    }
    case 'removed': {
      let changed = false;
      for (const id of e.ids) changed = m.jobs.delete(id) || changed;
      for (const [aid, a] of m.approvals) if (e.ids.includes(a.jobId)) m.approvals.delete(aid);
      return changed;
    }
    case 'approval':
      if (e.approval.decision === null) m.approvals.set(e.approval.id, e.approval);
      else m.approvals.delete(e.approval.id);
      return true;
    case 'status':
      m.status = e.status;
      return true;
    case 'queue':
      m.status = { ...m.status, queue: e.queue };
      return true;
    case 'log':
      return false;
  }
}

/** Keeps the newest finished jobs and a bounded set of those that need you; drops the rest. */
function prune(m: Mirror): void {
  const finished = [...m.jobs.values()].filter((j) => isFinished(j.status));
  if (finished.length <= KEEP_RECENT) return;
  finished.sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0) || b.id - a.id);
  let problems = 0;
  finished.forEach((j, i) => {
    if (i < KEEP_RECENT) return;
    if (needsYou(j) && problems++ < KEEP_PROBLEMS) return;
    m.jobs.delete(j.id);
  });
}

export const snapshotOf = (m: Mirror): Snapshot => ({ jobs: [...m.jobs.values()], status: m.status, approvals: [...m.approvals.values()] });
