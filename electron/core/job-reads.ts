import fs from 'node:fs';
import type { Output, ParsedInput } from '../contract/api';
import { ErrandError } from '../contract/errors';
import type { JobDetail, JobResult, Step, StatusSummary } from '../contract/job';
import { ACTIVE_STATUSES, FINISHED_STATUSES, PENDING_STATUSES, isFinished, isPending } from '../contract/status';
import { fileSize } from './announcer';
import { isolationOf } from './isolation';
import type { JobViews } from './job-views';
import { logPath } from './paths';
import { listApprovals } from './store/approvals';
import { attemptResult, listAttempts } from './store/attempts';
import { jobEvents } from './store/events';
import type { JobRow } from './store/job-row';
import { type PageQuery, jobPage, requireJob } from './store/jobs';
import { type Sql, parseJson } from './store/sql';
import { listSteps } from './store/steps';

export interface ReadDeps {
  sql: Sql;
  home: string;
  views: JobViews;
  status: () => StatusSummary;
  markRead: (ids: number[]) => void;
}

/** The parts of a snapshot, in the order a window wants them: what is live, what wants a person, the queue, the newest finished. */
const SNAPSHOT_PARTS: readonly ((afterId: number, limit: number) => PageQuery)[] = [
  (afterId, limit) => ({ statuses: ACTIVE_STATUSES, afterId, limit }),
  (afterId, limit) => ({ notable: true, afterId, limit }),
  (afterId, limit) => ({ statuses: PENDING_STATUSES, afterId, limit }),
  (beforeId, limit) => ({ statuses: FINISHED_STATUSES, order: 'newest', beforeId: beforeId || undefined, limit }),
];

/** Reads of jobs: lists, one job in detail, logs, results, and a window's snapshot. */
export class JobReads {
  constructor(private readonly d: ReadDeps) {}

  list(o: ParsedInput<'list'>): Output<'list'> {
    return { jobs: this.d.views.many(jobPage(this.d.sql, { statuses: o.status, limit: o.limit, order: o.order, beforeId: o.beforeId, afterId: o.afterId, unread: o.unread })) };
  }

  get(id: number): JobDetail {
    const { sql } = this.d;
    const row = requireJob(sql, id);
    const recorded = listSteps(sql, id);
    return {
      job: this.d.views.view(row),
      isolation: isolationOf(parseJson<unknown>(row.spec), this.d.home, id),
      result: parseJson<JobResult>(row.result),
      steps: [...recorded, ...plannedSteps(row, recorded)],
      attempts: listAttempts(sql, id, (n) => fileSize(logPath(this.d.home, id, n))),
      events: jobEvents(sql, id),
      approvals: listApprovals(sql, id),
    };
  }

  logs(o: ParsedInput<'logs'>): Output<'logs'> {
    const row = requireJob(this.d.sql, o.id);
    const attempt = o.attempt ?? row.attempt;
    if (attempt > row.attempt) throw new ErrandError('not_found', `Job #${o.id} has no attempt ${attempt} (it has ${row.attempt}).`, 'attempt');
    // Only the current attempt of a job that is running (or waiting) can still grow.
    const live = attempt === row.attempt && (row.status === 'running' || row.status === 'waiting');
    if (attempt === 0) return { data: '', offset: 0, size: 0, attempt, done: !live };
    const file = logPath(this.d.home, o.id, attempt);
    const size = fileSize(file);
    const len = Math.max(0, Math.min(o.limit, size - o.offset));
    const data = Buffer.alloc(len);
    if (len > 0) {
      const fd = fs.openSync(file, 'r');
      try {
        fs.readSync(fd, data, 0, len, o.offset);
      } finally {
        fs.closeSync(fd);
      }
    }
    return { data: data.toString('base64'), offset: o.offset, size, attempt, done: !live && o.offset + len >= size };
  }

  /** The current attempt's full result, without marking anything read. */
  fullResult(id: number): JobResult | null {
    return parseJson<JobResult>(requireJob(this.d.sql, id).result);
  }

  /** The result of the current attempt (marking the job read), or of an earlier one. */
  result(o: ParsedInput<'result'>): Output<'result'> {
    const row = requireJob(this.d.sql, o.id);
    const attempt = o.attempt ?? row.attempt;
    if (attempt > row.attempt) throw new ErrandError('not_found', `Job #${o.id} has no attempt ${attempt} (it has ${row.attempt}).`, 'attempt');
    const live = attempt === row.attempt && (row.status === 'running' || row.status === 'waiting');
    let result: JobResult | null;
    if (live) {
      result = parseJson<JobResult>(row.result);
    } else {
      const recorded = attemptResult(this.d.sql, o.id, attempt);
      if (recorded === undefined && attempt !== row.attempt) throw new ErrandError('not_found', `Job #${o.id} has no attempt ${attempt}.`, 'attempt');
      result = recorded === undefined ? parseJson<JobResult>(row.result) : recorded;
    }
    if (o.attempt === undefined && isFinished(row.status) && row.read_at === null) this.d.markRead([o.id]);
    return { id: o.id, attempt, result };
  }

  snapshot(o: ParsedInput<'snapshot'>): Output<'snapshot'> {
    const status = this.d.status();
    const finishedTotal = FINISHED_STATUSES.reduce((n, s) => n + status.counts[s], 0);
    const page = this.snapshotPage({ cursor: { part: 0, afterId: 0, taken: 0, finishedLimit: o.finishedLimit }, pageSize: o.pageSize });
    return { jobs: page.jobs, status, approvals: listApprovals(this.d.sql), finishedTotal, cursor: page.cursor };
  }

  /** The next page of a snapshot: part by part, each by id, until a page comes back with no cursor. */
  snapshotPage({ cursor, pageSize }: ParsedInput<'snapshotPage'>): Output<'snapshotPage'> {
    let { part, afterId, taken } = cursor;
    const rows: JobRow[] = [];
    while (part < SNAPSHOT_PARTS.length && rows.length < pageSize) {
      const finished = part === SNAPSHOT_PARTS.length - 1;
      const want = finished ? Math.min(pageSize - rows.length, cursor.finishedLimit - taken) : pageSize - rows.length;
      const got = want > 0 ? jobPage(this.d.sql, SNAPSHOT_PARTS[part]!(afterId, want)) : [];
      rows.push(...got);
      if (finished) taken += got.length;
      const partDone = got.length < want || want <= 0 || (finished && taken >= cursor.finishedLimit);
      if (!partDone) {
        afterId = got[got.length - 1]!.id;
        break;
      }
      part++;
      afterId = 0;
    }
    const more = part < SNAPSHOT_PARTS.length;
    return { jobs: this.d.views.many(rows), cursor: more ? { part, afterId, taken, finishedLimit: cursor.finishedLimit } : null };
  }
}

/** The plan's steps not yet recorded in the current attempt, as "planned" entries after the record. */
function plannedSteps(row: JobRow, recorded: readonly Step[]): Step[] {
  const plan = parseJson<string[]>(row.plan) ?? [];
  if (!plan.length || isFinished(row.status)) return [];
  const attempt = isPending(row.status) ? row.attempt + 1 : row.attempt;
  const current = recorded.filter((s) => s.attempt === attempt);
  const seen = new Set(current.map((s) => s.name));
  let index = current.length ? Math.max(...current.map((s) => s.index)) + 1 : 0;
  return plan.filter((name) => !seen.has(name)).map((name) => ({ attempt, index: index++, name, status: 'planned', startedAt: null, finishedAt: null, tool: null, detail: null }));
}
