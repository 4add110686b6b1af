// The tray as plain data: icon state, badge and menu are functions of a snapshot, so
// they are tested without Electron and the native menu is rebuilt only when this
// model changes (menuKey). Wording follows UI.md: short, concrete, no exclamation marks.
import { formatAgo, formatEta } from '../contract/format';
import type { Approval, Job, StatusSummary } from '../contract/job';
import { isFinished } from '../contract/status';

/** What the tray knows: the shape of the `snapshot` method, possibly with a subset of jobs. */
export interface Snapshot {
  jobs: readonly Job[];
  status: StatusSummary;
  approvals: readonly Approval[];
}

export type TrayState = 'idle' | 'working' | 'needs-you' | 'failed';

/**
 * Icon state, most urgent first: a question waiting for you beats an unread failure,
 * which beats work in progress. The host's `attention.needsYou` counts waiting jobs plus
 * unread failures (contract/status.ts attentionOf), so the difference is the unread failures.
 */
export function trayState(status: StatusSummary): TrayState {
  const waiting = status.counts.waiting ?? 0;
  if (waiting > 0) return 'needs-you';
  if (status.attention.needsYou > waiting) return 'failed';
  if ((status.counts.running ?? 0) > 0) return 'working';
  return 'idle';
}

/** Badge = jobs that need you + unread results (UI.md), both counted by the host. */
export function badgeCount(s: Snapshot): number {
  return s.status.attention.needsYou + s.status.attention.unreadResults;
}

/** The macOS menu-bar title: the status line, but nothing beside the icon when idle. */
export const macTitle = (status: StatusSummary): string => (status.line === 'idle' ? '' : status.line);

export type TrayAction =
  | { type: 'open' }
  | { type: 'open-job'; id: number }
  | { type: 'new-job' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'toggle-login' }
  | { type: 'quit' };

export type MenuEntry =
  | { kind: 'header'; label: string }
  | { kind: 'separator' }
  | { kind: 'item'; label: string; action: TrayAction; accelerator?: string }
  | { kind: 'check'; label: string; checked: boolean; action: TrayAction };

export interface TrayMenuModel {
  entries: MenuEntry[];
}

export interface MenuOptions {
  /** Open-at-login state; null when not offered here (e.g. an unpackaged dev build). */
  openAtLogin?: boolean | null;
  /** Rows per section before "and N more…". */
  perSection?: number;
  recent?: number;
}

export const ACCELERATORS = { open: 'CommandOrControl+Shift+E', newJob: 'CommandOrControl+Shift+N', quit: 'CommandOrControl+Q' } as const;
/** Widest menu row, in characters (a menu's limit, not a contract one). */
const MENU_TEXT_MAX = 64;

/** One line, no control characters, ellipsised: titles and questions come from jobs. */
export function clip(text: string, max = MENU_TEXT_MAX): string {
  // \p{Cc}: control characters (newlines, escapes) a job title may carry
  const one = text.replace(/[\s\p{Cc}]+/gu, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1).trimEnd()}…`;
}

function workingLabel(job: Job): string {
  const parts = [`#${job.id} ${clip(job.title, 40)}`];
  // the host's wording ("62%", "12 files"), the same as `errand ls` and the window
  if (job.progressText) parts.push(job.progressText);
  else if (job.activity.startsWith('step: ')) parts.push(clip(job.activity, 24));
  if (job.eta.seconds !== null) parts.push(`ETA ${formatEta(job.eta.seconds)}`);
  return parts.join(' · ');
}

const MARK: Record<string, string> = { succeeded: '✓', failed: '✗', interrupted: '✗', cancelled: '–' };

function recentLabel(job: Job, now: number): string {
  const parts = [`#${job.id} ${MARK[job.status] ?? ''} ${clip(job.title, 40)}`];
  if (job.status !== 'succeeded') parts.push(job.status);
  if (job.finishedAt !== null) parts.push(formatAgo(job.finishedAt, now));
  return parts.join(' · ');
}

function needsYouLabel(job: Job, question: string | null): string {
  const why = job.status === 'waiting' ? (question ?? job.activity.replace(/^waiting for approval: /, '')) : (job.error ?? job.status);
  return clip(`#${job.id} ${clip(job.title, 30)}: ${why}`);
}

function section(title: string, rows: MenuEntry[], total: number, per: number): MenuEntry[] {
  if (!total) return [];
  const out: MenuEntry[] = [{ kind: 'header', label: title }, ...rows.slice(0, per)];
  if (total > per) out.push({ kind: 'item', label: `and ${total - per} more…`, action: { type: 'open' } });
  return out;
}

const byId = (a: Job, b: Job): number => a.id - b.id;

/** The tray menu of UI.md as data: status header, Needs you, Working, Recent, actions. */
export function trayMenuModel(s: Snapshot, now: number, opts: MenuOptions = {}): TrayMenuModel {
  const per = opts.perSection ?? 5;
  const questions = new Map<number, string>();
  for (const a of s.approvals) if (a.decision === null && !questions.has(a.jobId)) questions.set(a.jobId, a.question);

  const needs = s.jobs.filter((j) => j.attention === 'needs-you').sort(byId);
  const working = s.jobs.filter((j) => j.status === 'running').sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || byId(a, b));
  const recent = s.jobs
    .filter((j) => isFinished(j.status) && j.attention !== 'needs-you')
    .sort((a, b) => (b.finishedAt ?? 0) - (a.finishedAt ?? 0) || b.id - a.id)
    .slice(0, opts.recent ?? 5);

  const entries: MenuEntry[] = [{ kind: 'header', label: s.status.line }, { kind: 'separator' }];
  const toJob = (j: Job, label: string): MenuEntry => ({ kind: 'item', label, action: { type: 'open-job', id: j.id } });
  const body = [
    ...section('Needs you', needs.map((j) => toJob(j, needsYouLabel(j, questions.get(j.id) ?? null))), needs.length, per),
    ...section('Working', working.map((j) => toJob(j, workingLabel(j))), working.length, per),
    ...section('Recent', recent.map((j) => toJob(j, recentLabel(j, now))), recent.length, per),
  ];
  if (body.length) entries.push(...body, { kind: 'separator' });
  entries.push(
    { kind: 'item', label: 'New job…', action: { type: 'new-job' }, accelerator: ACCELERATORS.newJob },
    s.status.queue.paused ? { kind: 'item', label: 'Resume queue', action: { type: 'resume' } } : { kind: 'item', label: 'Pause queue', action: { type: 'pause' } },
    { kind: 'item', label: 'Open Errand', action: { type: 'open' }, accelerator: ACCELERATORS.open },
  );
  if (opts.openAtLogin !== undefined && opts.openAtLogin !== null) {
    entries.push({ kind: 'check', label: 'Open at login', checked: opts.openAtLogin, action: { type: 'toggle-login' } });
  }
  entries.push({ kind: 'separator' }, { kind: 'item', label: 'Quit', action: { type: 'quit' }, accelerator: ACCELERATORS.quit });
  return { entries };
}

/** Equal keys ⇔ equal menus, so the native menu is rebuilt only on a real change. */
export const menuKey = (m: TrayMenuModel): string => JSON.stringify(m.entries);

/**
 * When relative times in "Recent" next need a fresh look: every minute while the
 * newest finished job is under an hour old, hourly under a day, else never. A single
 * timer, not a poll: nothing is rebuilt unless the labels actually change.
 */
export function relabelDelay(s: Snapshot, now: number): number | null {
  let newest = -Infinity;
  for (const j of s.jobs) if (isFinished(j.status) && j.finishedAt !== null) newest = Math.max(newest, j.finishedAt);
  if (newest === -Infinity) return null;
  const age = now - newest;
  if (age < 3_600_000) return 60_000;
  if (age < 86_400_000) return 3_600_000;
  return null;
}
