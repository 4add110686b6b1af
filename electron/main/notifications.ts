// Which desktop notifications to raise, decided from host events as plain data.
// Rules: one per finished attempt (succeeded, failed, interrupted — not cancelled,
// which you did yourself), one per new approval; nothing for state that existed
// before the app started; a burst becomes one summary. Whether a note means "needs
// you" or "result ready" is the host's word for the job (job.attention), never re-derived.
import type { HostEvent } from '../contract/events';
import type { Job } from '../contract/job';
import { type Attention, isFinished } from '../contract/status';

export interface Note {
  /** Stable id of what is announced, e.g. "job:12:1" or "approval:7". */
  key: string;
  title: string;
  body: string;
  /** What a click opens: the job, or the window for a summary. */
  open: { type: 'open-job'; id: number } | { type: 'open' };
  kind: 'finished' | 'approval';
  outcome?: 'succeeded' | 'failed';
  /** What it asks of you, in the contract's word: a decision or an unread failure, a result to read, or nothing. */
  attention: Attention | null;
}

export interface NotifyMemory {
  /** Events older than this describe state from before the app started. */
  since: number;
  announced: Set<string>;
}

export const createNotifyMemory = (since: number): NotifyMemory => ({ since, announced: new Set() });

/** A finished attempt worth a note: cancelled is left out, you did it yourself. */
const announced = (j: Job): boolean => isFinished(j.status) && j.status !== 'cancelled';

/** Cheap pre-filter so ordinary progress events never start a timer (cancelled still makes a pending question moot). */
export function mayNotify(e: HostEvent): boolean {
  return (e.type === 'job' && isFinished(e.job.status)) || e.type === 'approval' || e.type === 'removed';
}

const sentence = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
const oneLine = (s: string, max: number): string => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
};

function finishedNote(job: Job): Note {
  const failed = job.status !== 'succeeded';
  // The job's activity line is the same wording the window and CLI show ("done in 2m 14s: 3 files changed").
  const why = job.error ?? job.activity;
  // "Failed: exited with code 3"; an error that already names the status is not prefixed twice
  const body = !failed ? sentence(job.activity) : why.toLowerCase().startsWith(job.status) ? sentence(why) : `${sentence(job.status)}: ${why}`;
  return {
    key: `job:${job.id}:${job.attempt}`,
    title: oneLine(`#${job.id} ${job.title}`, 80),
    body: oneLine(body, 200),
    open: { type: 'open-job', id: job.id },
    kind: 'finished',
    outcome: failed ? 'failed' : 'succeeded',
    attention: job.attention,
  };
}

/**
 * Notes for a batch of events, in order. `jobs` names jobs for approval notes.
 * Updates memory so the same attempt or approval is never announced twice (markRead
 * and other edits re-send finished jobs).
 */
export function notificationsFor(mem: NotifyMemory, events: readonly HostEvent[], jobs: ReadonlyMap<number, Job> = new Map()): Note[] {
  const notes: Note[] = [];
  const decided = new Set<string>();
  const finishedJobs = new Set<number>();
  for (const e of events) {
    if (e.type === 'job') {
      const j = e.job;
      if (!isFinished(j.status)) continue;
      if (j.finishedAt !== null) finishedJobs.add(j.id);
      if (!announced(j) || j.finishedAt === null || j.finishedAt < mem.since) continue;
      const note = finishedNote(j);
      if (mem.announced.has(note.key)) continue;
      mem.announced.add(note.key);
      notes.push(note);
    } else if (e.type === 'approval') {
      const a = e.approval;
      const key = `approval:${a.id}`;
      if (a.decision !== null) decided.add(key);
      if (a.decision !== null || a.requestedAt < mem.since || mem.announced.has(key)) continue;
      mem.announced.add(key);
      const title = jobs.get(a.jobId)?.title;
      notes.push({
        key,
        title: oneLine(title ? `#${a.jobId} ${title}` : `#${a.jobId} needs you`, 80),
        body: oneLine(`Waiting for approval: ${a.question}`, 200),
        open: { type: 'open-job', id: a.jobId },
        kind: 'approval',
        // a question is always a decision only you can make
        attention: 'needs-you',
      });
    } else if (e.type === 'removed') {
      // forget removed jobs so memory stays bounded by what still exists
      const gone = new Set(e.ids);
      for (const k of mem.announced) if (k.startsWith('job:') && gone.has(Number(k.split(':')[1]))) mem.announced.delete(k);
    }
  }
  // A question answered or made moot (its job ended) within the same batch is old news.
  return notes.filter((n) => n.kind !== 'approval' || (!decided.has(n.key) && !(n.open.type === 'open-job' && finishedJobs.has(n.open.id))));
}

/** The most urgent attention among notes: "needs you" beats "result ready". */
function strongest(notes: readonly Note[]): Attention | null {
  if (notes.some((n) => n.attention === 'needs-you')) return 'needs-you';
  return notes.some((n) => n.attention === 'unread-result') ? 'unread-result' : null;
}

/**
 * Coalesces a burst: more than `max` finished notes become one summary ("10 jobs
 * finished" / "8 succeeded · 2 failed"), likewise approvals ("3 jobs need you").
 */
export function coalesce(notes: readonly Note[], max = 3): Note[] {
  const finished = notes.filter((n) => n.kind === 'finished');
  const approvals = notes.filter((n) => n.kind === 'approval');
  const out: Note[] = [];
  if (approvals.length > max) {
    const ids = approvals.map((n) => (n.open.type === 'open-job' ? `#${n.open.id}` : '')).filter(Boolean);
    out.push({
      key: `approvals:${approvals.map((n) => n.key).join(',')}`,
      title: `${approvals.length} jobs need you`,
      body: oneLine(`Waiting for approval: ${ids.join(', ')}`, 200),
      open: { type: 'open' },
      kind: 'approval',
      attention: 'needs-you',
    });
  } else out.push(...approvals);
  if (finished.length > max) {
    const ok = finished.filter((n) => n.outcome === 'succeeded').length;
    const bad = finished.length - ok;
    const firstFailed = finished.find((n) => n.outcome === 'failed');
    out.push({
      key: `finished:${finished.map((n) => n.key).join(',')}`,
      title: `${finished.length} jobs finished`,
      body: [ok ? `${ok} succeeded` : '', bad ? `${bad} failed` : ''].filter(Boolean).join(' · '),
      // with failures, a click goes to the first one: that is what needs a look
      open: firstFailed ? firstFailed.open : { type: 'open' },
      kind: 'finished',
      outcome: bad ? 'failed' : 'succeeded',
      attention: strongest(finished),
    });
  } else out.push(...finished);
  return out;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Collects notable events for `windowMs` after the first one, then hands the batch
 * over once, so a burst of finishes becomes one summary instead of a stack.
 */
export class EventBatcher<E> {
  private batch: E[] = [];
  private timer: unknown = null;
  constructor(
    private readonly windowMs: number,
    private readonly flush: (events: E[]) => void,
    private readonly timers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
  ) {}

  push(e: E): void {
    this.batch.push(e);
    this.timer ??= this.timers.setTimeout(() => this.drain(), this.windowMs);
  }

  /** Hands over what is pending now (also used on quit). */
  drain(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    const events = this.batch;
    this.batch = [];
    if (events.length) this.flush(events);
  }

  dispose(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.batch = [];
  }
}
