import { formatDuration } from '../contract/format';
import type { JobStatus } from '../contract/job';

export interface ActivityContext {
  status: JobStatus;
  now: number;
  paused: boolean;
  running: number;
  concurrency: number;
  notBefore: number | null;
  autoRetries: number;
  maxRetries: number;
  /** Dependencies that have not succeeded yet. */
  blockedOn: readonly number[];
  /** A running job it may not run beside (they share a git work tree and one captures a patch). */
  treeBusyWith?: number | null;
  command: string;
  step: string | null;
  /** The current step is an agent's tool call: its name says it all ("edit src/a.ts"). */
  stepIsTool?: boolean;
  /** What the run says it is doing right now, beyond steps ("model API: retry 2 of 5"). */
  note?: string | null;
  /** It runs in its own worktree, without the uncommitted changes the user had. */
  leftOutChanges?: boolean;
  question: string | null;
  cancelling: boolean;
  error: string | null;
  startedAt: number | null;
  finishedAt: number | null;
  resultSummary: string | null;
}

/** Why a job is where it is, in one line: what the tray and the job window show. */
export function activityOf(c: ActivityContext): string {
  switch (c.status) {
    case 'held':
      return 'held';
    case 'queued': {
      if (c.notBefore !== null && c.notBefore > c.now) {
        const wait = formatDuration((c.notBefore - c.now) / 1000);
        return c.autoRetries > 0 ? `retrying in ${wait} (attempt ${c.autoRetries + 1}/${c.maxRetries + 1})` : `starts in ${wait}`;
      }
      if (c.blockedOn.length) return `waiting on ${c.blockedOn.map((d) => `#${d}`).join(', ')}`;
      if (c.paused) return 'queue paused';
      if (c.treeBusyWith) return `waiting for #${c.treeBusyWith} (same git work tree)`;
      if (c.running >= c.concurrency) return `waiting for a slot (${c.running}/${c.concurrency} busy)`;
      return 'starting';
    }
    case 'running':
      if (c.cancelling) return 'cancelling: stop signal sent';
      if (c.note) return c.note;
      if (c.step) return c.stepIsTool ? c.step : `step: ${c.step}`;
      if (c.leftOutChanges) return `running in its own worktree (your uncommitted changes are not in it): ${c.command}`;
      return `running: ${c.command}`;
    case 'waiting':
      return `waiting for approval: ${c.question ?? 'a decision'}`;
    case 'succeeded': {
      const took = c.startedAt && c.finishedAt ? ` in ${formatDuration((c.finishedAt - c.startedAt) / 1000)}` : '';
      return c.resultSummary ? `done${took}: ${c.resultSummary}` : `done${took}`;
    }
    case 'failed':
      return c.error ?? 'failed';
    case 'cancelled':
      return c.error ?? 'cancelled';
    case 'interrupted':
      return c.error ?? 'interrupted: the host stopped while it ran';
  }
}
