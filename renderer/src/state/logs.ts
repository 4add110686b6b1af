import type { ErrandClient } from '../client/types';

/** Decodes base64 to bytes without going through a string per byte. */
export function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Past this much log the window starts at the tail; Download still has every byte. */
export const TAIL_BYTES = 4 * 1024 * 1024;
/** A followed log this far behind its end skips ahead rather than read a firehose page by page. */
export const CATCHUP_BYTES = 1024 * 1024;
/** Lines kept in view; older ones are trimmed (Download still has them). */
export const MAX_LINES = 100_000;
const PAGE = 256 * 1024;

export interface LogView {
  jobId: number;
  attempt: number;
  /**
   * Complete lines so far (shared, append-only between versions: read it, never keep
   * it across versions). `partial` is the unfinished last line.
   */
  lines: readonly string[];
  partial: string;
  /** lines.length, plus one for a non-empty partial line. */
  count: number;
  /** Bytes read so far. */
  offset: number;
  /** Bytes the host reports for the log. */
  size: number;
  /** Some bytes are not shown: a long log opened at its tail, or a firehose we skipped ahead in. */
  skipped: boolean;
  done: boolean;
  error: string | null;
  version: number;
}

/** Line i of a view (the partial last line included). */
export function lineAt(v: LogView, i: number): string {
  return i < v.lines.length ? v.lines[i]! : v.partial;
}

/** A line the feed inserts where it skipped bytes; rendered as a note, not as output. */
export const SKIP_MARK = '\u0000errand-skip:';

/**
 * One attempt's log, read incrementally by offset: on open, then on each `log` event
 * (which says the new size). One request in flight at a time; no polling. A log that
 * grows faster than anyone can read is followed at its tail (the skip is marked).
 */
export class LogFeed {
  private readonly complete: string[] = [];
  private partial = '';
  private decoder = new TextDecoder('utf-8');
  private offset = 0;
  private size = 0;
  private done = false;
  private skipped = false;
  /** After a skip the first bytes are the tail of a cut line: drop them up to the next newline. */
  private cutLine = false;
  private error: string | null = null;
  private pulling = false;
  private again = false;
  private version = 0;
  private view: LogView;
  private lastBump = 0;
  private bumpTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly jobId: number,
    readonly attempt: number,
    private readonly call: ErrandClient['call'],
    private readonly bumpEveryMs = 100,
  ) {
    this.view = this.makeView();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get snapshot(): LogView {
    return this.view;
  }

  /** The host says the log is now `size` bytes long (or finished): read what is new. */
  notify(size?: number): void {
    if (size !== undefined && size > this.size) this.size = size;
    void this.pull();
  }

  async pull(): Promise<void> {
    if (this.pulling) {
      this.again = true;
      return;
    }
    this.pulling = true;
    try {
      do {
        this.again = false;
        for (;;) {
          const r = await this.call('logs', { id: this.jobId, attempt: this.attempt, offset: this.offset, limit: PAGE });
          this.size = Math.max(this.size, r.size);
          const behind = r.size - this.offset;
          if (this.offset === 0 ? behind > TAIL_BYTES : behind > CATCHUP_BYTES) {
            // A long log opens at its tail; one growing faster than it can be read is followed at its end.
            this.skipTo(r.size - (this.offset === 0 ? TAIL_BYTES : PAGE));
            continue;
          }
          const bytes = base64ToBytes(r.data);
          this.offset += bytes.length;
          this.done = r.done;
          this.error = null;
          if (bytes.length) this.append(bytes);
          if (r.done) this.flushDecoder();
          this.bump(r.done || this.offset >= r.size);
          if (!bytes.length || this.offset >= r.size) break;
        }
      } while (this.again && !this.done);
    } catch (e) {
      this.error = (e as Error).message;
      this.bump(true);
    } finally {
      this.pulling = false;
    }
  }

  private skipTo(offset: number): void {
    const from = this.offset;
    this.flushDecoder();
    if (this.partial) this.complete.push(this.partial);
    this.partial = '';
    this.complete.push(`${SKIP_MARK}${offset - from}`);
    this.offset = offset;
    this.skipped = true;
    this.cutLine = true;
    this.trim();
  }

  private append(bytes: Uint8Array): void {
    let text = this.partial + this.decoder.decode(bytes, { stream: true });
    if (this.cutLine) {
      const nl = text.indexOf('\n');
      if (nl === -1) {
        this.partial = '';
        return;
      }
      text = text.slice(nl + 1);
      this.cutLine = false;
    }
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    for (const p of parts) this.complete.push(p);
    this.trim();
  }

  /** Keeps at most MAX_LINES (trimmed in batches, so the cost is amortised). */
  private trim(): void {
    if (this.complete.length > MAX_LINES * 1.25) {
      this.complete.splice(0, this.complete.length - MAX_LINES);
      this.skipped = true;
    }
  }

  private flushDecoder(): void {
    const rest = this.decoder.decode();
    if (rest) this.partial += rest;
    this.decoder = new TextDecoder('utf-8');
  }

  private makeView(): LogView {
    return {
      jobId: this.jobId,
      attempt: this.attempt,
      lines: this.complete,
      partial: this.partial,
      count: this.complete.length + (this.partial ? 1 : 0),
      offset: this.offset,
      size: this.size,
      skipped: this.skipped,
      done: this.done,
      error: this.error,
      version: this.version,
    };
  }

  /** Tells the view at most every bumpEveryMs while reading; `now` forces it (end of a read). */
  private bump(now: boolean): void {
    const t = Date.now();
    if (!now && t - this.lastBump < this.bumpEveryMs) {
      this.bumpTimer ??= setTimeout(() => {
        this.bumpTimer = null;
        this.bump(true);
      }, this.bumpEveryMs);
      return;
    }
    if (this.bumpTimer) {
      clearTimeout(this.bumpTimer);
      this.bumpTimer = null;
    }
    this.lastBump = t;
    this.version++;
    this.view = this.makeView();
    for (const fn of this.listeners) fn();
  }
}

/** Keeps the few logs being looked at; others are dropped and re-read when opened again. */
export class LogFeeds {
  private readonly feeds = new Map<string, LogFeed>();

  constructor(
    private readonly call: ErrandClient['call'],
    private readonly keep = 4,
  ) {}

  get(jobId: number, attempt: number): LogFeed {
    const key = `${jobId}:${attempt}`;
    let f = this.feeds.get(key);
    if (f) {
      this.feeds.delete(key);
      this.feeds.set(key, f);
      return f;
    }
    f = new LogFeed(jobId, attempt, this.call);
    this.feeds.set(key, f);
    while (this.feeds.size > this.keep) this.feeds.delete(this.feeds.keys().next().value!);
    void f.pull();
    return f;
  }

  /** A `log` event: only a log someone has open is read. */
  onLog(jobId: number, attempt: number, size: number): void {
    this.feeds.get(`${jobId}:${attempt}`)?.notify(size);
  }

  /** A job changed (e.g. finished): its open logs read their tail and learn they are done. */
  onJob(jobId: number): void {
    for (const f of this.feeds.values()) if (f.jobId === jobId && !f.snapshot.done) f.notify();
  }

  /** After a reconnect: re-read everything still open from where it stopped. */
  resync(): void {
    for (const f of this.feeds.values()) f.notify();
  }

  drop(jobIds: readonly number[]): void {
    for (const [k, f] of this.feeds) if (jobIds.includes(f.jobId)) this.feeds.delete(k);
  }
}

/** Every byte of one attempt's log, exactly as stored (for Download). */
export async function readWholeLog(call: ErrandClient['call'], jobId: number, attempt: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let offset = 0;
  let total = 0;
  for (;;) {
    const r = await call('logs', { id: jobId, attempt, offset, limit: 1024 * 1024 });
    const bytes = base64ToBytes(r.data);
    parts.push(bytes);
    offset += bytes.length;
    total += bytes.length;
    if (!bytes.length || offset >= r.size) break;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
