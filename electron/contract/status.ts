// The shared words about a job's state, zod-free so every surface (CLI hot path, tray,
// window) can use them at runtime. What "needs you" means is defined here once; the
// host computes it (Job.attention, StatusSummary.attention) and everyone reads that.
export const JOB_STATUSES = ['queued', 'held', 'running', 'waiting', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export type JobStatusName = (typeof JOB_STATUSES)[number];

/** Not started yet: in the queue or held there. */
export const PENDING_STATUSES: readonly JobStatusName[] = ['queued', 'held'];
/** Has a live run (a waiting job's process is paused on a question, holding no slot). */
export const ACTIVE_STATUSES: readonly JobStatusName[] = ['running', 'waiting'];
export const UNFINISHED_STATUSES: readonly JobStatusName[] = [...PENDING_STATUSES, ...ACTIVE_STATUSES];
export const FINISHED_STATUSES: readonly JobStatusName[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];
/** Finished without success: dependants of such a job can never run. */
export const DOOMED_STATUSES: readonly JobStatusName[] = ['failed', 'cancelled', 'interrupted'];
/** Ended badly without anyone asking for it: worth a person's look until read. */
export const PROBLEM_STATUSES: readonly JobStatusName[] = ['failed', 'interrupted'];

export const isFinished = (s: JobStatusName): boolean => FINISHED_STATUSES.includes(s);
export const isActive = (s: JobStatusName): boolean => s === 'running' || s === 'waiting';
export const isPending = (s: JobStatusName): boolean => s === 'queued' || s === 'held';
export const isDoomed = (s: JobStatusName): boolean => DOOMED_STATUSES.includes(s);
export const isProblem = (s: JobStatusName): boolean => s === 'failed' || s === 'interrupted';

/**
 * Why a job wants a person, if it does:
 * - `needs-you`: it waits for a decision, or it failed (or was interrupted) and nobody has looked;
 * - `unread-result`: it succeeded with a result worth reading (not `none`) nobody has opened;
 * - null: nothing to do.
 * The tray badge is the number of jobs with any attention; the icon, `errand status`, the
 * window's "Needs you" group and notifications all read this one field.
 */
export type Attention = 'needs-you' | 'unread-result';
export const ATTENTIONS = ['needs-you', 'unread-result'] as const;

export function attentionOf(status: JobStatusName, unread: boolean, resultType: string | null): Attention | null {
  if (status === 'waiting') return 'needs-you';
  if (!unread) return null;
  if (isProblem(status)) return 'needs-you';
  if (status === 'succeeded' && resultType !== null && resultType !== 'none') return 'unread-result';
  return null;
}

/** The window's inbox groups, in the order shown; every job is in exactly one. */
export const STATUS_GROUPS = ['needs', 'running', 'queued', 'done'] as const;
export type StatusGroup = (typeof STATUS_GROUPS)[number];

export function groupOf(j: { status: JobStatusName; attention: Attention | null }): StatusGroup {
  if (j.attention === 'needs-you') return 'needs';
  if (j.status === 'running') return 'running';
  if (isPending(j.status)) return 'queued';
  return 'done';
}
