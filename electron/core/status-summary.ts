import type { QueueState, StatusSummary } from '../contract/job';
import { queueEta } from './eta';
import type { EtaHistory } from './eta-history';
import type { JobViews } from './job-views';
import { statusLine } from './status-line';
import { jobRows, queuedKeys, statusCounts, unreadProblems, unreadResults } from './store/jobs';
import type { Sql } from './store/sql';

/** Queued jobs looked at one by one for the queue's ETA; any beyond count as their average. */
const QUEUE_ETA_HEAD = 1000;

/** The one summary the tray, `errand status` and the window header read: counts, attention, ETA, queue. */
export function statusSummary(sql: Sql, views: JobViews, history: EtaHistory, queue: QueueState): StatusSummary {
  const counts = statusCounts(sql);
  const now = Date.now();
  const remaining = counts.running ? jobRows(sql, ['running']).map((r) => views.eta(r, now).seconds) : [];
  // Every queued job counts (blocked or delayed ones too), in start order, so a 100k
  // queue costs no more than a 1k one.
  const head = counts.queued ? queuedKeys(sql, QUEUE_ETA_HEAD) : [];
  history.prefetch(head);
  const queued: [number | null, number][] = head.map((key) => {
    const h = history.medianMs(key);
    return [h === null ? null : h / 1000, 1];
  });
  const rest = counts.queued - head.length;
  if (rest > 0 && queued.length) {
    const known = queued.every(([d]) => d !== null);
    queued.push([known ? queued.reduce((sum, [d]) => sum + d!, 0) / queued.length : null, rest]);
  }
  const etaSeconds = queueEta(remaining, queued, queue.concurrency);
  const attention = { needsYou: counts.waiting + unreadProblems(sql), unreadResults: unreadResults(sql) };
  return { line: statusLine({ counts, needsYou: attention.needsYou, etaSeconds, paused: queue.paused }), counts, attention, etaSeconds, queue };
}
