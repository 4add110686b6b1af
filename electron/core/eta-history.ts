import { median } from './eta';
import { durations, durationsMany } from './store/attempts';
import type { Sql } from './store/sql';

const SAMPLES = 10;
const CACHE_MAX = 50_000;

/**
 * Durations of earlier successful runs per ETA key (newest first, at most ten), cached:
 * the basis of a history ETA. Kept current on every success instead of queried again.
 */
export class EtaHistory {
  private readonly byKey = new Map<string, number[]>();

  constructor(private readonly sql: Sql) {}

  /** Loads many keys in a few queries (not one per key). */
  prefetch(keys: Iterable<string>): void {
    const missing = [...new Set(keys)].filter((k) => !this.byKey.has(k));
    if (!missing.length) return;
    if (this.byKey.size + missing.length > CACHE_MAX) this.byKey.clear();
    for (const [k, ds] of durationsMany(this.sql, missing, SAMPLES)) this.byKey.set(k, ds);
  }

  /** Median duration (ms) of the key's earlier successful runs, or null. */
  medianMs(key: string): number | null {
    let h = this.byKey.get(key);
    if (h === undefined) {
      if (this.byKey.size >= CACHE_MAX) this.byKey.clear();
      h = durations(this.sql, key, SAMPLES);
      this.byKey.set(key, h);
    }
    return median(h);
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  recordSuccess(key: string, ms: number): void {
    const h = this.byKey.get(key);
    if (!h) return; // not cached: read fresh when asked
    h.unshift(ms);
    if (h.length > SAMPLES) h.length = SAMPLES;
  }
}
