import { formatDuration, formatEta, progressCounts, progressPercent } from '../contract/format';
import type { Job, JobStatus } from '../contract/job';
import { type Attention, isFinished } from '../contract/status';

/** Colour only on a TTY, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

export type Paint = (style: keyof typeof STYLES, text: string) => string;
const STYLES = { dim: '2', bold: '1', red: '31', green: '32', yellow: '33', blue: '34', magenta: '35', cyan: '36' } as const;
export const painter = (on: boolean): Paint => (style, text) => (on ? `\x1b[${STYLES[style]}m${text}\x1b[0m` : text);

const STATUS_STYLE: Record<JobStatus, keyof typeof STYLES> = {
  queued: 'dim',
  held: 'yellow',
  running: 'blue',
  waiting: 'magenta',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'yellow',
  interrupted: 'red',
};
export const statusText = (s: JobStatus, paint: Paint): string => paint(STATUS_STYLE[s], s);

/** Truncates to a display width with an ellipsis. */
export function fit(text: string, width: number): string {
  const chars = [...text.replace(/\s+/g, ' ')];
  if (chars.length <= width) return chars.join('');
  return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
}

// eslint-disable-next-line no-control-regex -- strips the ANSI colour codes this module adds
const visible = (s: string): number => [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;
const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - visible(s)));

export function progressBar(fraction: number, width: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return '▓'.repeat(full) + '░'.repeat(width - full);
}

export function etaText(job: Job): string {
  if (job.eta.seconds === null) return '';
  return `${formatEta(job.eta.seconds)}${job.eta.basis === 'history' ? '~' : ''}`;
}

/** How the CLI names a job's attention: the same words as the tray and the window. */
export const ATTENTION_TEXT: Record<Attention, string> = { 'needs-you': 'needs you', 'unread-result': 'unread result' };

/** The job table of `errand ls`, fitted to the terminal width: the activity column gives way first. */
export function jobTable(jobs: readonly Job[], width: number, paint: Paint): string {
  const idW = Math.max(2, ...jobs.map((j) => String(j.id).length + 1));
  const fixed = idW + 1 + 11 + 1 + 5 + 1 + 6 + 1;
  const rest = Math.max(20, width - fixed);
  const titleW = Math.max(10, Math.min(40, Math.floor(rest * 0.45)));
  const actW = Math.max(0, rest - titleW - 1);
  const header = paint('dim', [pad('ID', idW), pad('STATUS', 11), pad('TITLE', titleW), pad('PROG', 5), pad('ETA', 6), actW ? 'ACTIVITY' : ''].join(' ').trimEnd());
  const lines = jobs.map((j) => {
    const title = j.unread ? paint('bold', fit(j.title, titleW)) : fit(j.title, titleW);
    return [pad(`#${j.id}`, idW), pad(statusText(j.status, paint), 11), pad(title, titleW), pad(j.progressText ?? '', 5), pad(etaText(j), 6), actW ? paint('dim', fit(j.activity, actW)) : '']
      .join(' ')
      .trimEnd();
  });
  return [header, ...lines].join('\n');
}

/** One live line of `errand wait` on a terminal: status, a bar beside the host's progress text, ETA, title and activity. */
export function waitLine(j: Job, width: number, paint: Paint): string {
  const pct = progressPercent(j.progress);
  const text = j.progressText ?? '';
  // a bar only when there is a total; a count alone ("31 files") takes the bar's room
  const bar = pct !== null ? `${progressBar(pct / 100, 16)} ${text.padStart(4)}` : fit(text, 21).padStart(21);
  const eta = isFinished(j.status) || !etaText(j) ? '' : `ETA ${etaText(j)}`;
  const head = `#${j.id} ${statusText(j.status, paint)}`;
  const room = Math.max(10, width - 50);
  return `${head.padEnd(24)} ${bar} ${eta.padEnd(9)} ${paint('dim', fit(`${j.title} · ${j.activity}`, room))}`;
}

const time = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toLocaleString());

export function jobSummary(j: Job, paint: Paint): string {
  const rows: [string, string][] = [
    ['status', `${statusText(j.status, paint)} · ${j.activity}${j.attention ? ` · ${paint('bold', ATTENTION_TEXT[j.attention])}` : ''}`],
    ['command', j.command],
    ['cwd', j.cwd],
    ['priority', String(j.priority)],
  ];
  if (j.after.length) rows.push(['after', j.after.map((a) => `#${a}`).join(', ')]);
  if (j.labels.length) rows.push(['labels', j.labels.join(', ')]);
  rows.push(['attempt', j.maxRetries ? `${j.attempt} (retries: ${j.maxRetries})` : String(j.attempt)]);
  // the host's text ("62%"), with the counts behind a percent ("31/50 files") in this detail view
  if (j.progress) rows.push(['progress', `${j.progressText ?? ''}${j.progress.total ? ` (${progressCounts(j.progress)})` : ''}${j.progress.label ? ` ${j.progress.label}` : ''}`]);
  rows.push(['eta', j.eta.seconds === null ? 'unknown' : `${formatDuration(j.eta.seconds)} (from ${j.eta.basis === 'progress' ? 'progress rate' : 'earlier runs'})`]);
  rows.push(['created', time(j.createdAt)]);
  if (j.startedAt) rows.push(['started', time(j.startedAt)]);
  if (j.finishedAt) rows.push(['finished', `${time(j.finishedAt)}${j.startedAt ? ` (took ${formatDuration((j.finishedAt - j.startedAt) / 1000)})` : ''}`]);
  if (j.exitCode !== null || j.signal) rows.push(['exit', j.signal ? `signal ${j.signal}` : String(j.exitCode)]);
  if (j.error) rows.push(['error', paint('red', j.error)]);
  if (j.resultSummary) rows.push(['result', `${j.resultSummary.type}: ${j.resultSummary.summary}  (errand result ${j.id})`]);
  const w = Math.max(...rows.map(([k]) => k.length));
  return [`${paint('bold', `#${j.id} ${j.title}`)}`, ...rows.map(([k, v]) => `  ${paint('dim', k.padEnd(w))}  ${v}`)].join('\n');
}
