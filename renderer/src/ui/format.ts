import { formatAgo, formatDuration, formatEta, progressCounts, progressPercent } from '../../../electron/contract/format';
import type { Eta, Job, JobStatus } from '../../../electron/contract/job';

// Progress text is the host's (job.progressText, "62%"); detail views add progressCounts ("31/50 files").
export { formatAgo, formatDuration, formatEta, progressCounts, progressPercent };

const LABEL_COLOURS = 8;

/** A stable colour slot for a label, so "work" is the same colour everywhere. */
export function labelColour(label: string): number {
  let h = 2166136261;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
  return (h >>> 0) % LABEL_COLOURS;
}

export const ETA_BASIS: Record<Eta['basis'], string> = {
  progress: 'from its progress rate',
  history: 'from earlier runs of the same job',
  unknown: 'no estimate: no progress reported and no earlier runs',
};

/** "ETA 2m" or "" when there is nothing to say. */
export function etaText(eta: Eta): string {
  return eta.seconds === null ? '' : `ETA ${formatEta(eta.seconds)}`;
}

export const STATUS_WORD: Record<JobStatus, string> = {
  queued: 'queued',
  held: 'held',
  running: 'running',
  waiting: 'needs you',
  succeeded: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};

export const STATUS_MARK: Record<JobStatus, string> = {
  queued: '○',
  held: '‖',
  running: '▸',
  waiting: '?',
  succeeded: '✓',
  failed: '✗',
  cancelled: '–',
  interrupted: '!',
};

export function exactTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function clockTime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function took(job: Pick<Job, 'startedAt' | 'finishedAt'>, now: number): string | null {
  if (job.startedAt === null) return null;
  return formatDuration(((job.finishedAt ?? now) - job.startedAt) / 1000);
}

/** Shortens a path under a home dir to ~/…, when the home is known from the path itself. */
export function shortPath(p: string): string {
  const m = /^(\/home\/[^/]+|\/Users\/[^/]+|\/root)(\/.*)?$/.exec(p);
  return m ? `~${m[2] ?? ''}` : p;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** 850 → "850", 12_345 → "12.3k", 2_400_000 → "2.4M": token counts at a glance. */
export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 100_000) return `${(n / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (n < 1_000_000) return `${Math.round(n / 1000)}k`;
  return `${(n / 1_000_000).toFixed(1).replace(/\.0$/, '')}M`;
}

/** 0.0421 → "$0.04"; under a cent → "< $0.01". */
export function formatCost(usd: number): string {
  if (usd > 0 && usd < 0.01) return '< $0.01';
  return `$${usd.toFixed(2)}`;
}

/** The first line of a multi-line message, and the rest (git's whole message after Errand's own line). */
export function splitFirstLine(text: string): { first: string; rest: string } {
  const i = text.indexOf('\n');
  return i < 0 ? { first: text, rest: '' } : { first: text.slice(0, i), rest: text.slice(i + 1) };
}
