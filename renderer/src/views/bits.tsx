import type { Job, JobStatus } from '../../../electron/contract/job';
import { isFinished } from '../../../electron/contract/status';
import { useNow } from '../ui/context';
import { ETA_BASIS, etaText, exactTime, formatAgo, labelColour, progressCounts, progressPercent, STATUS_MARK, STATUS_WORD } from '../ui/format';

/** "4 min ago", exact time on hover. */
export function Ago({ ms, prefix = '' }: { ms: number; prefix?: string }) {
  const now = useNow();
  return (
    <time dateTime={new Date(ms).toISOString()} title={exactTime(ms)}>
      {prefix}
      {formatAgo(ms, Math.max(now, ms))}
    </time>
  );
}

export function Status({ status }: { status: JobStatus }) {
  return (
    <span className={`status status-${status}`}>
      <span aria-hidden="true" className="mark">
        {STATUS_MARK[status]}
      </span>
      {STATUS_WORD[status]}
    </span>
  );
}

export function Labels({ labels }: { labels: readonly string[] }) {
  if (!labels.length) return null;
  return (
    <span className="labels">
      {labels.map((l) => (
        <span key={l} className={`label c${labelColour(l)}`}>
          {l}
        </span>
      ))}
    </span>
  );
}

/**
 * The host's progress text ("62%", "31 files") with a bar when the total is known; the
 * wide (detail) form adds the counts behind the percent ("31/50 files").
 */
export function ProgressBar({ job, wide = false }: { job: Pick<Job, 'progress' | 'progressText'>; wide?: boolean }) {
  const text = job.progressText;
  if (!text) return null;
  const pct = progressPercent(job.progress);
  const counts = pct === null ? null : progressCounts(job.progress);
  if (pct === null) return <span className="progress-text">{text}</span>;
  return (
    <span className={`progress${wide ? ' wide' : ''}`}>
      <span className="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={`${text} (${counts})`}>
        <span className="fill" style={{ width: `${pct}%` }} />
      </span>
      <span className="progress-text">{wide ? `${text} · ${counts}` : text}</span>
    </span>
  );
}

/** ETA with its basis: on hover in a row, written out in the detail. */
export function Eta({ job, spelled = false }: { job: Job; spelled?: boolean }) {
  // held jobs wait for you to release them: no estimate to give
  if (isFinished(job.status) || job.status === 'held') return null;
  const text = etaText(job.eta);
  if (!text)
    return spelled ? (
      <span className="eta unknown" title={`ETA unknown: ${ETA_BASIS.unknown}`}>
        ETA unknown
      </span>
    ) : null;
  // A history-based estimate is rougher than one from the job's own progress: "~".
  const shown = job.eta.basis === 'history' ? text.replace('ETA ', 'ETA ~') : text;
  return (
    <span className={`eta basis-${job.eta.basis}`} title={`Estimated ${ETA_BASIS[job.eta.basis]}`}>
      {shown}
      {spelled ? <span className="basis"> ({ETA_BASIS[job.eta.basis]})</span> : null}
    </span>
  );
}

export function Kbd({ children }: { children: string }) {
  return <kbd>{children}</kbd>;
}
