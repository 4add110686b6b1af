import fs from 'node:fs';
import type { Job, JobStatus } from '../../electron/contract/job';
import type Database from 'better-sqlite3';
import type { EngineOptions } from '../../electron/core/engine';
import type { JobRow } from '../../electron/core/store/job-row';
import { statusCounts, tableCounts, jobRow, lastJobId } from '../../electron/core/store/jobs';
import { readSetting } from '../../electron/core/store/settings';
import type { Sql } from '../../electron/core/store/sql';
import { type TestApi, openEngine, testApi } from './test-api';
import { tempHome, until } from './temp-home';

export { type TestApi, openEngine, testApi };
type Engine = TestApi;

export const FINISHED: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];

export interface TestEngine {
  engine: Engine;
  home: string;
  /** Closes the engine (if still open) and removes the data dir. */
  dispose: () => Promise<void>;
}

/** An engine on a fresh data dir with short grace periods, for tests; options may depend on the data dir. */
export function openTestEngine(opts: Partial<EngineOptions> | ((home: string) => Partial<EngineOptions>) = {}): TestEngine {
  const { home, cleanup } = tempHome('errand-core-');
  const engine = openEngine({ home, killGraceMs: 300, ...(typeof opts === 'function' ? opts(home) : opts) });
  return {
    engine,
    home,
    dispose: async () => {
      await engine.close();
      cleanup();
    },
  };
}

/** The engine's store (private; tests read it to prove a refused call changed nothing). */
export interface StoreView {
  db: Database.Database;
  sql: Sql;
  row: (id: number) => JobRow | undefined;
  counts: () => Record<JobStatus, number>;
  tableCounts: () => Record<string, number>;
  lastId: () => number;
  setting: <T>(key: string, fallback: T) => T;
}

export function storeOf(engine: Engine): StoreView {
  const sql = (engine.engine as unknown as { sql: Sql }).sql;
  return {
    db: sql.db,
    sql,
    row: (id: number) => jobRow(sql, id),
    counts: () => statusCounts(sql),
    tableCounts: () => tableCounts(sql),
    lastId: () => lastJobId(sql),
    setting: <T>(key: string, fallback: T): T => readSetting(sql, key, fallback),
  };
}

export const jobOf = (engine: Engine, id: number): Job => engine.get(id).job;

/** Waits until a job is in one of the given statuses (default: any finished one). */
export function waitFor(engine: Engine, id: number, statuses: readonly JobStatus[] = FINISHED, timeoutMs = 15_000): Promise<Job> {
  return until(
    () => {
      const j = engine.get(id).job;
      return statuses.includes(j.status) ? j : undefined;
    },
    timeoutMs,
    `job #${id} to be ${statuses.join('/')}`,
  );
}

/** Everything a refused call must leave unchanged: row counts and every job row as stored. */
export function storeState(engine: Engine): { counts: Record<string, number>; jobs: unknown[]; settings: unknown[] } {
  const store = storeOf(engine);
  return {
    counts: store.tableCounts(),
    jobs: store.db.prepare('SELECT * FROM jobs ORDER BY id').all(),
    settings: store.db.prepare('SELECT * FROM settings ORDER BY key').all(),
  };
}

/** True when no process with this pid is running (gone, or only a zombie awaiting its parent). */
export function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state === 'Z' || state === 'X';
  } catch {
    return true;
  }
}

/** Reads a small text file the job writes, or '' while it does not exist. */
export function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export { until };
