// The tray's small copy of host state, kept current from host events. It holds only
// what the tray shows (running and waiting jobs, recent finished ones, unread
// failures, open approvals), so a store with 100k queued jobs costs the tray nothing.
import type { HostEvent } from '../contract/events';
import type { Approval, Job, StatusSummary } from '../contract/job';
import type { Snapshot } from './tray-model';

export interface Mirror {
  jobs: Map<number, Job>;
  approvals: Map<number, Approval>;
  status: StatusSummary;
}

export const KEEP_RECENT = 20;
export const KEEP_PROBLEMS = 50;
const ACTIVE = new Set(['running', 'waiting']);
const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);
const isProblem = (j: Job): boolean => j.unread && (j.status === 'failed' || j.status === 'interrupted');

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
      if (!ACTIVE.has(e.job.status) && !FINISHED.has(e.job.status)) {
        // queued or held: not shown; drop a stale copy (e.g. after a retry)
        return m.jobs.delete(e.job.id);
      }
      m.jobs.set(e.job.id, e.job);
      if (FINISHED.has(e.job.status)) prune(m);
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

/** Keeps the newest finished jobs and a bounded set of unread failures; drops the rest. */
function prune(m: Mirror): void {
  const finished = [...m.jobs.values()].filter((j) => FINISHED.has(j.status));
  if (finished.length <= KEEP_RECENT) return;
  finished.sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0) || b.id - a.id);
  let problems = 0;
  finished.forEach((j, i) => {
    if (i < KEEP_RECENT) return;
    if (isProblem(j) && problems++ < KEEP_PROBLEMS) return;
    m.jobs.delete(j.id);
  });
}

export const snapshotOf = (m: Mirror): Snapshot => ({ jobs: [...m.jobs.values()], status: m.status, approvals: [...m.approvals.values()] });
