import type { HostEvent } from '../contract/events';

export type Listener = (e: HostEvent) => void;
export type Dispose = () => void;

/**
 * Fan-out of host events with per-key coalescing: a chatty job produces at most one
 * notification per `intervalMs` for its progress and one for its log, whatever its rate.
 * The event body is built when it is sent, so skipped bursts cost nothing.
 */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; build: () => HostEvent | null }>();
  private readonly lastSent = new Map<string, number>();

  constructor(private readonly intervalMs = 100) {}

  listen(fn: Listener): Dispose {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get size(): number {
    return this.listeners.size;
  }

  /** Sends now, replacing any coalesced update pending under the same key. */
  emit(e: HostEvent, key?: string): void {
    if (!this.listeners.size) return;
    if (key) {
      const p = this.pending.get(key);
      if (p) {
        clearTimeout(p.timer);
        this.pending.delete(key);
      }
      this.lastSent.set(key, Date.now());
    }
    for (const fn of this.listeners) fn(e);
  }

  /** Coalesced updates waiting for their turn (each holds one timer). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Sends at most once per interval per key; the last build in a burst wins. With
   * nobody listening nothing is built or scheduled. `trailing`: never send at once, but
   * on a timer after the current burst of work (for summaries that each change alters).
   */
  coalesce(key: string, build: () => HostEvent | null, trailing = false): void {
    if (!this.listeners.size) return;
    const p = this.pending.get(key);
    if (p) {
      p.build = build;
      return;
    }
    const wait = (this.lastSent.get(key) ?? 0) + this.intervalMs - Date.now();
    if (wait <= 0 && !trailing) {
      this.send(key, build);
      return;
    }
    const timer = setTimeout(() => {
      const cur = this.pending.get(key);
      this.pending.delete(key);
      if (cur) this.send(key, cur.build);
    }, Math.max(0, wait));
    timer.unref();
    this.pending.set(key, { timer, build });
  }

  /** Sends whatever is pending for a key right away (e.g. before a job's final state). */
  flush(key: string): void {
    const p = this.pending.get(key);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(key);
    this.send(key, p.build);
  }

  /** Drops a key's pending update and its rate memory (the job finished or was removed). */
  forget(key: string): void {
    const p = this.pending.get(key);
    if (p) clearTimeout(p.timer);
    this.pending.delete(key);
    this.lastSent.delete(key);
  }

  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    this.lastSent.clear();
    this.listeners.clear();
  }

  private send(key: string, build: () => HostEvent | null): void {
    this.lastSent.set(key, Date.now());
    const e = build();
    if (e) for (const fn of this.listeners) fn(e);
  }
}
