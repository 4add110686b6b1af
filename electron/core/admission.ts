import fs from 'node:fs';
import path from 'node:path';
import type { AddParsed } from '../contract/api';
import { ErrandError } from '../contract/errors';
import type { Job, JobStatus } from '../contract/job';
import type { Announcer } from './announcer';
import type { Dependants } from './dependants';
import type { JobSecrets } from './job-secrets';
import type { JobViews } from './job-views';
import type { RunnerRegistry } from './runners/registry';
import { type NewJob, newJobRow } from './store/job-row';
import { insertJobs, jobStatuses, listRow } from './store/jobs';
import type { Sql } from './store/sql';

export interface AdmissionDeps {
  sql: Sql;
  runners: RunnerRegistry;
  views: JobViews;
  announcer: Announcer;
  dependants: Dependants;
  kick: () => void;
  /** Where a job's secret variables go (never the store). */
  secrets: JobSecrets;
}

/** Per-call memo: the same cwd, the same dependency, looked up once in a batch. */
interface Memo {
  realpaths: Map<string, [string, string | null]>;
  known: Map<number, JobStatus>;
  runner: Map<string, unknown>;
}

/**
 * Takes jobs into the queue: checks what the schema cannot (the directory exists, the
 * dependencies exist), lets the kind's runner shape the stored spec, and inserts a batch
 * in one transaction (all or nothing).
 */
export class Admission {
  constructor(private readonly d: AdmissionDeps) {}

  add(input: AddParsed, by: string): Job {
    const now = Date.now();
    const job = this.prepare(input, now, '', this.memo(input.after));
    const [id] = insertJobs(this.d.sql, [job], now, by);
    this.d.secrets.set(id!, input.secretEnv);
    this.afterInsert([id!], [job], now, by);
    return this.d.views.view(listRow(this.d.sql, id!)!);
  }

  /** Many jobs in one transaction: the fast path for scripts and benchmarks. All or nothing. */
  addMany(inputs: readonly AddParsed[], by: string): number[] {
    const now = Date.now();
    const memo = this.memo(inputs.flatMap((j) => j.after));
    const prepared = inputs.map((j, i) => this.prepare(j, now, `jobs.${i}.`, memo));
    const ids = insertJobs(this.d.sql, prepared, now, by);
    ids.forEach((id, i) => this.d.secrets.set(id, inputs[i]!.secretEnv));
    this.afterInsert(ids, prepared, now, by);
    return ids;
  }

  private memo(after: readonly number[]): Memo {
    return { realpaths: new Map(), known: jobStatuses(this.d.sql, [...new Set(after)]), runner: new Map() };
  }

  private prepare(p: AddParsed, now: number, prefix: string, memo: Memo): NewJob {
    let place = memo.realpaths.get(p.cwd);
    if (place === undefined) memo.realpaths.set(p.cwd, (place = realDir(p.cwd)));
    const [cwd, real] = place;
    if (real === null) throw new ErrandError('invalid_input', `Invalid input: ${prefix}cwd ${cwd} is not an existing directory.`, `${prefix}cwd`);
    p.after.forEach((dep, i) => {
      if (!memo.known.has(dep)) throw new ErrandError('not_found', `Invalid input: ${prefix}after.${i} names job #${dep}, which does not exist.`, `${prefix}after.${i}`);
    });
    const admitted = this.d.runners.get(p.kind).admit(p, { cwd: real, prefix, memo: memo.runner });
    return {
      kind: p.kind,
      display: admitted.display,
      title: p.title?.trim() || admitted.display.slice(0, 120),
      spec: admitted.spec,
      cwd: real,
      priority: p.priority,
      after: [...new Set(p.after)],
      labels: [...new Set(p.labels)],
      maxRetries: p.retries,
      retryBackoffMs: p.retryBackoffMs,
      timeoutMs: p.timeoutMs ?? null,
      notBefore: p.delayMs ? now + p.delayMs : null,
      restartable: p.restartable,
      capturePatch: p.capturePatch,
      lockTree: admitted.lockTree,
      plan: p.plan,
      etaKey: admitted.etaKey,
    };
  }

  private afterInsert(ids: readonly number[], jobs: readonly NewJob[], now: number, by: string): void {
    // A dependency that has already failed dooms the new job at once, with the reason.
    const deps = [...new Set(jobs.flatMap((j) => j.after))];
    const statuses = deps.length ? jobStatuses(this.d.sql, deps) : new Map<number, JobStatus>();
    const fresh: number[] = [];
    ids.forEach((id, i) => {
      const doomed = this.d.dependants.doomedAmong(jobs[i]!.after, statuses);
      if (doomed) this.d.dependants.fail(id, doomed[0], doomed[1], now);
      else fresh.push(id);
    });
    const { announcer, views } = this.d;
    if (announcer.listening && fresh.length) {
      // announce the new jobs from the values at hand and one history lookup
      const index = new Map(ids.map((id, i) => [id, i]));
      views.prefetchHistory(fresh.map((id) => jobs[index.get(id)!]!.etaKey));
      for (const id of fresh) {
        const job = jobs[index.get(id)!]!;
        announcer.jobView(views.view(newJobRow(id, job, now, false, by), statuses, now, undefined, job));
      }
      announcer.status();
    }
    this.d.kick();
  }
}

/** cwd as given → [resolved, real directory or null]. */
function realDir(cwd: string): [string, string | null] {
  const resolved = path.resolve(cwd);
  try {
    const real = fs.realpathSync(resolved);
    return [resolved, fs.statSync(real).isDirectory() ? real : null];
  } catch {
    return [resolved, null];
  }
}
