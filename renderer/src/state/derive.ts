import type { Approval, Job, JobStatus } from '../../../electron/contract/job';
// zod-free: the groups and "needs you" are the contract's, read from job.attention.
import { groupOf, isProblem, JOB_STATUSES, STATUS_GROUPS, type StatusGroup } from '../../../electron/contract/status';

export { groupOf, isProblem };
export type GroupKey = StatusGroup;
export type ViewKey = 'all' | GroupKey | 'failed' | 'approvals';

const GROUP_TITLES: Record<GroupKey, string> = { needs: 'Needs you', running: 'Running', queued: 'Queued', done: 'Done' };
export const GROUPS: readonly { key: GroupKey; title: string }[] = STATUS_GROUPS.map((key) => ({ key, title: GROUP_TITLES[key] }));

export const VIEWS: readonly { key: ViewKey; title: string }[] = [
  { key: 'all', title: 'All jobs' },
  { key: 'needs', title: 'Needs you' },
  { key: 'running', title: 'Running' },
  { key: 'queued', title: 'Queued' },
  { key: 'done', title: 'Done' },
  { key: 'failed', title: 'Failed' },
  { key: 'approvals', title: 'Approvals' },
];

/** Fields that move a job between groups, reorder it or change whether a filter matches it. */
export function orderChanged(a: Job, b: Job): boolean {
  return (
    a.status !== b.status ||
    a.attention !== b.attention ||
    a.unread !== b.unread ||
    a.priority !== b.priority ||
    a.startedAt !== b.startedAt ||
    a.finishedAt !== b.finishedAt ||
    a.title !== b.title ||
    a.labels.length !== b.labels.length ||
    a.labels.some((l, i) => l !== b.labels[i])
  );
}

export interface Filter {
  text: string;
  label: string | null;
}

export interface ParsedFilter {
  words: string[];
  statuses: JobStatus[];
  labels: string[];
  ids: number[];
}

const STATUS_WORDS = new Set<string>(JOB_STATUSES);

/** "deploy label:work is:failed #12" → words, statuses, labels, ids. */
export function parseFilter(text: string): ParsedFilter {
  const out: ParsedFilter = { words: [], statuses: [], labels: [], ids: [] };
  for (const raw of text.trim().toLowerCase().split(/\s+/)) {
    if (!raw) continue;
    const m = /^(is|status|label|l):(.+)$/.exec(raw);
    if (m && (m[1] === 'is' || m[1] === 'status') && STATUS_WORDS.has(m[2]!)) out.statuses.push(m[2] as JobStatus);
    else if (m && (m[1] === 'label' || m[1] === 'l')) out.labels.push(m[2]!);
    else if (/^#\d+$/.test(raw)) out.ids.push(Number(raw.slice(1)));
    else out.words.push(raw);
  }
  return out;
}

const haystacks = new WeakMap<Job, string>();
function haystack(j: Job): string {
  let h = haystacks.get(j);
  if (h === undefined) {
    h = `#${j.id} ${j.title} ${j.command} ${j.cwd} ${j.labels.join(' ')}`.toLowerCase();
    haystacks.set(j, h);
  }
  return h;
}

export function matches(j: Job, f: ParsedFilter, label: string | null): boolean {
  if (label !== null && !j.labels.includes(label)) return false;
  if (f.statuses.length && !f.statuses.includes(j.status)) return false;
  if (f.ids.length && !f.ids.includes(j.id)) return false;
  if (f.labels.length && !f.labels.every((l) => j.labels.some((x) => x.toLowerCase() === l))) return false;
  if (f.words.length) {
    const h = haystack(j);
    for (const w of f.words) if (!h.includes(w)) return false;
  }
  return true;
}

export type Row = { kind: 'header'; group: GroupKey; title: string; count: number } | { kind: 'job'; id: number; group: GroupKey };

export interface ListModel {
  rows: Row[];
  /** Job ids in display order (rows without headers), for j/k. */
  ids: number[];
  /** id → index in rows, for scrolling to the selection. */
  indexOf: Map<number, number>;
  /** Per group, all jobs (unfiltered): the sidebar counts. */
  counts: Record<GroupKey | 'failed' | 'approvals' | 'all', number>;
  /** How many jobs the filter let through. */
  shown: number;
  labels: string[];
}

/**
 * The list the middle pane shows: inbox groups in a worker's order, filtered by text,
 * label and view. One pass to classify, then a sort per group.
 */
export function buildList(jobs: ReadonlyMap<number, Job>, approvals: ReadonlyMap<number, Approval>, view: ViewKey, filter: Filter): ListModel {
  const parsed = parseFilter(filter.text);
  const buckets = Object.fromEntries(STATUS_GROUPS.map((g) => [g, [] as Job[]])) as Record<GroupKey, Job[]>;
  const counts = { needs: 0, running: 0, queued: 0, done: 0, failed: 0, approvals: 0, all: jobs.size };
  const labelSet = new Set<string>();
  const failedView: Job[] = [];
  for (const j of jobs.values()) {
    const g = groupOf(j);
    counts[g]++;
    if (isProblem(j.status)) counts.failed++;
    if (j.status === 'waiting') counts.approvals++;
    for (const l of j.labels) labelSet.add(l);
    if (!matches(j, parsed, filter.label)) continue;
    if (view === 'failed') {
      if (isProblem(j.status)) failedView.push(j);
    } else if (view === 'all' || view === g || (view === 'approvals' && j.status === 'waiting')) {
      buckets[g].push(j);
    }
  }
  const requested = (j: Job): number => approvals.get(j.id)?.requestedAt ?? j.startedAt ?? j.createdAt;
  buckets.needs.sort((a, b) => {
    const wa = a.status === 'waiting' ? 0 : 1;
    const wb = b.status === 'waiting' ? 0 : 1;
    if (wa !== wb) return wa - wb;
    if (wa === 0) return requested(a) - requested(b) || a.id - b.id;
    return (b.finishedAt ?? 0) - (a.finishedAt ?? 0) || b.id - a.id;
  });
  buckets.running.sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || a.id - b.id);
  // The scheduler's order: priority first, then first in, first out.
  buckets.queued.sort((a, b) => b.priority - a.priority || a.id - b.id);
  const doneSort = (a: Job, b: Job): number => (b.finishedAt ?? 0) - (a.finishedAt ?? 0) || b.id - a.id;
  buckets.done.sort(doneSort);
  failedView.sort(doneSort);

  const rows: Row[] = [];
  const ids: number[] = [];
  const indexOf = new Map<number, number>();
  const push = (j: Job, g: GroupKey): void => {
    indexOf.set(j.id, rows.length);
    rows.push({ kind: 'job', id: j.id, group: g });
    ids.push(j.id);
  };
  if (view === 'failed') {
    for (const j of failedView) push(j, groupOf(j));
  } else {
    for (const { key, title } of GROUPS) {
      const list = buckets[key];
      if (!list.length) continue;
      if (view === 'all') rows.push({ kind: 'header', group: key, title, count: list.length });
      for (const j of list) push(j, key);
    }
  }
  return { rows, ids, indexOf, counts, shown: ids.length, labels: [...labelSet].sort((a, b) => a.localeCompare(b)) };
}
