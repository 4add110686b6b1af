import { formatEta } from '../contract/format';
import type { JobStatus } from '../contract/job';

export interface StatusLineInput {
  counts: Record<JobStatus, number>;
  needsYou: number;
  etaSeconds: number | null;
  paused: boolean;
}

/** The one calm line the tray, `errand status` and the window header all show. */
export function statusLine(s: StatusLineInput): string {
  const parts: string[] = [];
  if (s.counts.running) parts.push(`${s.counts.running} running`);
  if (s.needsYou) parts.push(`${s.needsYou} needs you`);
  if (s.counts.queued) parts.push(`${s.counts.queued} queued`);
  if (s.counts.held) parts.push(`${s.counts.held} held`);
  if (s.paused) parts.unshift('paused');
  if (!parts.length) return 'idle';
  if (s.etaSeconds !== null && (s.counts.running || s.counts.queued) && !s.paused) parts.push(`ETA ${formatEta(s.etaSeconds)}`);
  return parts.join(' · ');
}
