import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

/**
 * The store handle every table module takes: the database plus a cache of prepared
 * statements (preparing is the expensive part of a small query).
 */
export class Sql {
  private readonly cache = new Map<string, Statement<unknown[]>>();
  constructor(readonly db: Db) {}

  get open(): boolean {
    return this.db.open;
  }

  stmt(sql: string): Statement<unknown[]> {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  /** A cached statement that returns rows as arrays: cheaper for many rows of one shape. */
  raw(sql: string): Statement<unknown[]> {
    const key = `raw:${sql}`;
    let s = this.cache.get(key);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql).raw(true);
      this.cache.set(key, s);
    }
    return s;
  }

  /** Runs fn in a transaction; inside one already, simply runs it (no savepoint per step). */
  tx<T>(fn: () => T): T {
    return this.db.inTransaction ? fn() : this.db.transaction(fn)();
  }

  /**
   * Runs a write that is a hint rather than a state change (a pgid, batched progress, a
   * leader's exit seen before its group drained) committed without waiting for the disk
   * (synchronous=NORMAL for this one commit). A host crash loses nothing a WAL commit has
   * handed to the OS; only an OS crash can drop it, and that takes the job's processes
   * down with it. State transitions keep synchronous=FULL. Inside an outer transaction,
   * that one decides.
   */
  softWrite(fn: () => void): void {
    if (this.db.inTransaction) return fn();
    this.stmt('PRAGMA synchronous = NORMAL').run();
    try {
      this.tx(fn);
    } finally {
      this.stmt('PRAGMA synchronous = FULL').run();
    }
  }
}

export const parseJson = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));
