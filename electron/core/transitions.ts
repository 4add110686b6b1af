import type { JobStatus } from '../contract/job';

/** The one table of legal transitions: action → the statuses it may start from and where it leads. */
export const TRANSITIONS = {
  start: { from: ['queued'], to: 'running' },
  hold: { from: ['queued'], to: 'held' },
  release: { from: ['held'], to: 'queued' },
  ask: { from: ['running'], to: 'waiting' },
  decide: { from: ['waiting'], to: 'running' },
  succeed: { from: ['running'], to: 'succeeded' },
  fail: { from: ['queued', 'held', 'running', 'waiting'], to: 'failed' },
  cancel: { from: ['queued', 'held', 'running', 'waiting'], to: 'cancelled' },
  interrupt: { from: ['running', 'waiting'], to: 'interrupted' },
  /** Back to the queue without a person asking: automatic retry, or a restartable job after a crash. */
  requeue: { from: ['running', 'waiting'], to: 'queued' },
  retry: { from: ['succeeded', 'failed', 'cancelled', 'interrupted'], to: 'queued' },
} as const satisfies Record<string, { from: readonly JobStatus[]; to: JobStatus }>;

export type Action = keyof typeof TRANSITIONS;

export function canTransition(action: Action, from: JobStatus): boolean {
  return (TRANSITIONS[action].from as readonly JobStatus[]).includes(from);
}

const VERBS: Record<Action, string> = {
  start: 'start',
  hold: 'hold',
  release: 'release',
  ask: 'ask for approval in',
  decide: 'decide',
  succeed: 'finish',
  fail: 'fail',
  cancel: 'cancel',
  interrupt: 'interrupt',
  requeue: 'requeue',
  retry: 'retry',
};

const HINTS: Partial<Record<Action, string>> = {
  retry: 'only finished jobs can be retried; cancel it first',
  hold: 'only queued jobs can be held',
  release: 'only held jobs can be released',
  cancel: 'it has already finished',
  decide: 'it is not waiting for approval',
};

export function refusal(action: Action, id: number, status: JobStatus): string {
  const hint = HINTS[action];
  return `Cannot ${VERBS[action]} job #${id}: it is ${status}${hint ? ` (${hint})` : ''}.`;
}
