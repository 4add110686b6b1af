import { ErrandError } from '../../contract/errors';
import type { Job, JobStatus } from '../../contract/job';
import { FINISHED_STATUSES, JOB_STATUSES, UNFINISHED_STATUSES } from '../../contract/status';
import type { Session } from '../../client/session';
import { type Globals, print, withClient } from '../context';
import { jobTable, painter, useColor } from '../output';
import { StdoutWriter } from '../stdout-writer';

/** Jobs per `list` call: one page holds the host ~10-20 ms (2000 came near 50 ms on a loaded 2-core machine). */
export const LS_PAGE = 1000;
/** Finished jobs the table shows without --all (newest first). */
export const LS_FINISHED = 50;

export interface LsOptions {
  status?: string;
  json?: boolean;
  all?: boolean;
}

export function parseStatuses(text: string | undefined): JobStatus[] | undefined {
  if (text === undefined) return undefined;
  const status = text.split(',').map((s) => s.trim()) as JobStatus[];
  const bad = status.find((s) => !(JOB_STATUSES as readonly string[]).includes(s));
  if (bad) throw new ErrandError('invalid_input', `Unknown status '${bad}'. Use one of: ${JOB_STATUSES.join(', ')}.`, 'status');
  return status;
}

/**
 * Every job with one of these statuses, oldest first, a page at a time. The next page is
 * asked for as soon as a page arrives, so the host builds it while this one is printed.
 */
export async function* pages(c: Session, status: readonly JobStatus[] | undefined): AsyncGenerator<Job[]> {
  const ask = (afterId: number) => c.call('list', { ...(status ? { status: [...status] } : {}), limit: LS_PAGE, afterId });
  let next: ReturnType<typeof ask> | null = ask(0);
  try {
    while (next) {
      const { jobs }: { jobs: Job[] } = await next;
      next = jobs.length === LS_PAGE ? ask(jobs[jobs.length - 1]!.id) : null;
      yield jobs;
    }
  } finally {
    // a reader that stopped early leaves a page in flight: closing the session fails it, quietly
    void next?.catch(() => {});
  }
}

/**
 * `JSON.stringify(jobs, null, 2)` of every match, written page by page: the same text
 * as one array, without holding the whole listing (or one huge reply) in memory.
 */
async function streamJson(c: Session, status: JobStatus[] | undefined): Promise<void> {
  const out = new StdoutWriter();
  let first = true;
  for await (const jobs of pages(c, status)) {
    if (!jobs.length) continue;
    // "[\n  {…},\n  {…}\n]" without its brackets is this page's share of the whole array
    const body = JSON.stringify(jobs, null, 2).slice(2, -2);
    await out.write(`${first ? '[\n' : ',\n'}${body}`);
    first = false;
    if (!out.open) return;
  }
  await out.write(first ? '[]\n' : '\n]\n');
}

export async function ls(g: Globals, o: LsOptions): Promise<void> {
  const status = parseStatuses(o.status);
  if (o.json) return withClient(g, (c) => streamJson(c, status));
  const { jobs, older } = await withClient(g, (c) => tableJobs(c, status, Boolean(o.all)));
  if (!jobs.length && !older) return print(status ? 'No jobs with that status.' : 'No jobs yet. Add one: errand add -- CMD [ARG...]');
  const lines = jobs.length ? [jobTable(jobs, process.stdout.columns || 100, painter(useColor()))] : [];
  if (older) lines.push(`… and ${older} older finished job${older === 1 ? '' : 's'}: errand ls --all shows them`);
  print(lines.join('\n'));
}

/** Every unfinished job, and the newest finished ones (all of them with --all), by id. */
async function tableJobs(c: Session, status: JobStatus[] | undefined, all: boolean): Promise<{ jobs: Job[]; older: number }> {
  const wanted = status ?? [...JOB_STATUSES];
  const unfinished = wanted.filter((s) => UNFINISHED_STATUSES.includes(s));
  const finished = wanted.filter((s) => FINISHED_STATUSES.includes(s));
  const jobs: Job[] = [];
  let older = 0;
  if (unfinished.length) for await (const page of pages(c, unfinished)) jobs.push(...page);
  if (finished.length && all) {
    for await (const page of pages(c, finished)) jobs.push(...page);
  } else if (finished.length) {
    const [{ jobs: newest }, { counts }] = await Promise.all([c.call('list', { status: finished, order: 'newest', limit: LS_FINISHED }), c.call('status', {})]);
    jobs.push(...newest);
    const total = finished.reduce((n, s) => n + (counts[s] ?? 0), 0);
    older = Math.max(0, total - newest.length);
  }
  jobs.sort((a, b) => a.id - b.id);
  return { jobs, older };
}
