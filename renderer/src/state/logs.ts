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
/** Lines kept in view; older ones are trimmed (Download still has them). */
export const MAX_LINES = 200_000;
const PAGE = 256 * 1024;

export interface LogView {
  jobId: number;
  attempt: number;
  /** Complete lines, then the unfinished last line (if any) as the final entry. */
  lines: readonly string[];
  /** Bytes read so far (from `start`). */
  offset: number;
  /** Bytes the host reports for the log. */
  size: number;
  /** Bytes skipped at the start (a long log opened at its tail) or trimmed later. */
  skipped: boolean;
  done: boolean;
  error: string | null;
  version: number;
}

/**
 * One attempt's log, read incrementally by offset: on open, then on each `log` event
 * (which says the new size). One request in flight at a time; no polling.
 */
export class LogFeed {
  private readonly complete: string[] = [];
  private partial = '';
  private decoder = new TextDecoder('utf-8');
  private offset = 0;
  private size = 0;
  private done = false;
  private skipped = false;
  private error: string | null = null;
  private pulling = false;
  private again = false;
  private started = false;
  private version = 0;
  private view: LogView;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly jobId: number,
    readonly attempt: number,
    private readonly call: ErrandClient['call'],
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
          if (!this.started) {
            this.started = true;
            if (r.size > TAIL_BYTES && this.offset === 0) {
              // a long log: start near its end
              this.offset = r.size - TAIL_BYTES;
              this.skipped = true;
              this.size = r.size;
              continue;
            }
          }
          const bytes = base64ToBytes(r.data);
          this.size = Math.max(this.size, r.size);
          this.offset += bytes.length;
          this.done = r.done;
          this.error = null;
          if (bytes.length) this.append(bytes);
          if (r.done) this.flushDecoder();
          this.bump();
          if (!bytes.length || this.offset >= r.size) break;
        }
      } while (this.again && !this.done);
    } catch (e) {
      this.error = (e as Error).message;
      this.bump();
    } finally {
      this.pulling = false;
    }
  }

  private append(bytes: Uint8Array): void {
    const text = this.partial + this.decoder.decode(bytes, { stream: true });
    const parts = text.split('\n');
    this.partial = parts.pop()!;
    for (const p of parts) this.complete.push(p);
    if (this.complete.length > MAX_LINES) {
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
      lines: this.partial ? [...this.complete, this.partial] : this.complete.slice(),
      offset: this.offset,
      size: this.size,
      skipped: this.skipped,
      done: this.done,
      error: this.error,
      version: this.version,
    };
  }

  private bump(): void {
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
