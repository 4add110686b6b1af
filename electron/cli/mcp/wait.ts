import { ErrandError } from '../../contract/errors';
import type { Job } from '../../contract/job';
import { progressPercent } from '../../contract/format';
import { isFinished } from '../../contract/status';
import type { HostLink } from './host-link';

export interface WaitOutcome {
  job: Job;
  /** False when the timeout (or the caller's cancel) came first. */
  ended: boolean;
}

export interface ProgressPoint {
  progress: number;
  total?: number;
}

/**
 * The next value of an MCP progress notification, which must grow with every one sent:
 * the job's percent when it reports a total, else one more than the last; a change that
 * does not move the percent (a new step) still moves the value a hundredth.
 */
export function nextProgress(last: number, job: Job): ProgressPoint {
  const pct = progressPercent(job.progress);
  if (pct === null) return { progress: Math.floor(last) + 1 };
  const p = Math.max(pct, Math.round((last + 0.01) * 100) / 100);
  return p <= 100 ? { progress: p, total: 100 } : { progress: p };
}

/**
 * Follows one job until it ends, the timeout passes, the signal aborts, or the host goes
 * away. Subscribes before reading the job, and reads it in order with the events, so an
 * end that lands meanwhile is never missed. onChange sees every new state of the job.
 */
export async function waitForJob(link: HostLink, id: number, timeoutMs: number, opts: { signal?: AbortSignal; onChange?: (j: Job) => void } = {}): Promise<WaitOutcome> {
  let job: Job | null = null;
  let settle!: (o: WaitOutcome | Error) => void;
  const done = new Promise<WaitOutcome | Error>((r) => (settle = r));
  const seen = (j: Job): void => {
    job = j;
    opts.onChange?.(j);
    if (isFinished(j.status)) settle({ job: j, ended: true });
  };
  const off = link.listen((e) => {
    if (e.type === 'job' && e.job.id === id) seen(e.job);
    else if (e.type === 'removed' && e.ids.includes(id)) settle(new ErrandError('not_found', `Job #${id} was removed while waiting.`, 'id'));
  });
  const stop = (): void => settle(job ? { job, ended: false } : new ErrandError('busy', `Stopped waiting for job #${id} before it was read.`));
  const timer = setTimeout(stop, timeoutMs);
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    // the reply is newer than any event before it and older than any after it
    await link.request('get', { id }, (err, d) => (err ? settle(err) : seen(d!.job)));
    const lost = (): void => settle(new ErrandError('internal', `Lost the connection to the Errand host while waiting for job #${id}; its job goes on. Call wait again.`));
    link.lost().then(lost, lost);
    const out = await done;
    if (out instanceof Error) throw out;
    return out;
  } finally {
    off();
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', stop);
  }
}
