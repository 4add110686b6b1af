import type { Input, MethodName, Output } from '../contract/api';
import { ErrandError, ERROR_CODES, type ErrorCode } from '../contract/errors';
import type { HostEvent } from '../contract/events';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../contract/protocol';
import { SUBSCRIBE, UNSUBSCRIBE } from '../contract/wire';
import { frameIdOf, overLimit } from './frame-id';
import { defaultBackoff, type ReconnectPolicy } from './reconnect';
import type { Connector, Transport, TransportSink } from './transport';

export type Dispose = () => void;
/** A reply delivered in frame order, in the same turn as the frames around it. */
export type Reply<T> = (error: ErrandError | null, result?: T) => void;
export type Hello = Output<'hello'>;

export type SessionState =
  | { kind: 'connecting' }
  | { kind: 'open'; hello: Hello }
  | { kind: 'reconnecting'; attempt: number; retryInMs: number; reason: string }
  /** For good: closed by the client, refused, lost without a reconnect policy, or given up. */
  | { kind: 'closed'; reason: string; error: Error | null };

export interface SessionOptions {
  connect: Connector;
  /** The caller name the host records in the audit trail ("cli", "ui", "tray"). */
  client: string;
  /** Off (null, the default) for one-shot callers such as the CLI. */
  reconnect?: ReconnectPolicy | null;
  /** What a call cut off by a lost link says (the CLI tells how to go on). */
  lostMessage?: string;
}

interface Pending {
  method: string;
  reply: Reply<unknown>;
}

const MiB = 1024 * 1024;

/**
 * One client's conversation with a host over any transport: hello, request ids and the
 * pending map, events for subscribers, and (optionally) reconnecting with backoff. It
 * never throws out of a transport callback: a bad frame is an error for the caller it
 * belongs to, or for onError, and the link is dropped rather than left half-read.
 */
export class Session {
  private link: Transport | null = null;
  /** Identifies the current link; frames and closes of an older link are ignored. */
  private token: object | null = null;
  private ready = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(e: HostEvent) => void>();
  private readonly stateListeners = new Set<(s: SessionState) => void>();
  private readonly errorListeners = new Set<(e: Error) => void>();
  private current: SessionState = { kind: 'connecting' };
  private started = false;
  private attempt = 0;
  private timer: unknown = null;
  private resolveClosed!: () => void;
  /** Resolves once the session is closed for good. */
  readonly closed: Promise<void> = new Promise((r) => (this.resolveClosed = r));

  constructor(private readonly opts: SessionOptions) {}

  get state(): SessionState {
    return this.current;
  }

  /** Opens the first link. Listeners added before this see every state. */
  start(): this {
    if (!this.started) {
      this.started = true;
      this.dial();
    }
    return this;
  }

  call<K extends MethodName>(method: K, input: Input<K>): Promise<Output<K>> {
    return new Promise((resolve, reject) => this.request(method, input, (e, r) => (e ? reject(e) : resolve(r as Output<K>))));
  }

  /**
   * The callback form of call: the reply runs in the turn its frame arrives, so it keeps
   * its place among events (a promise would run after the events read with it).
   */
  request<K extends MethodName>(method: K, input: Input<K>, reply: Reply<Output<K>>): void {
    this.send(method, input, reply as Reply<unknown>, false);
  }

  /** Host events while subscribed (re-subscribed after every reconnect). */
  subscribe(fn: (e: HostEvent) => void): Dispose {
    this.listeners.add(fn);
    if (this.listeners.size === 1 && this.ready) this.send(SUBSCRIBE, {}, this.reportFailure, false);
    return () => {
      if (!this.listeners.delete(fn)) return;
      if (!this.listeners.size && this.ready) this.send(UNSUBSCRIBE, {}, this.reportFailure, false);
    };
  }

  onState(fn: (s: SessionState) => void): Dispose {
    this.stateListeners.add(fn);
    return () => void this.stateListeners.delete(fn);
  }

  /** Errors no caller owns: a malformed frame, an oversize event, a throwing listener. */
  onError(fn: (e: Error) => void): Dispose {
    this.errorListeners.add(fn);
    return () => void this.errorListeners.delete(fn);
  }

  /** Drops the current link; with a reconnect policy a new one follows (a resync). */
  drop(reason: string): void {
    const link = this.link;
    if (!link) return;
    this.lost(reason, undefined);
    safely(() => link.close());
  }

  close(): void {
    this.finish('closed by the client', null, new ErrandError('busy', 'The connection to the Errand host was closed.'));
  }

  // --- links -----------------------------------------------------------------------------

  private dial(): void {
    this.timer = null;
    if (this.current.kind === 'closed') return;
    const token = {};
    this.token = token;
    let link: Transport | undefined;
    let openedEarly = false;
    const live = (): boolean => this.token === token;
    const sink: TransportSink = {
      onOpen: () => {
        if (!live()) return;
        if (link) this.greet();
        else openedEarly = true;
      },
      onFrame: (text) => {
        if (live()) this.receive(text);
      },
      onOversize: (head, limit) => {
        if (live()) this.oversize(head, limit);
      },
      onClose: (reason, error) => {
        if (live()) this.lost(reason, error);
      },
    };
    if (this.current.kind !== 'connecting' && this.current.kind !== 'reconnecting') this.setState({ kind: 'connecting' });
    try {
      link = this.opts.connect(sink);
    } catch (e) {
      if (live()) this.lost(messageOf(e), e instanceof Error ? e : undefined);
      return;
    }
    if (!live()) {
      safely(() => link!.close());
      return;
    }
    this.link = link;
    if (openedEarly) this.greet();
  }

  private greet(): void {
    this.send('hello', { protocolVersion: PROTOCOL_VERSION, client: this.opts.client }, (err, hello) => {
      if (err) {
        // A protocol mismatch does not heal by retrying: say which side to upgrade.
        if (err.code === 'invalid_input') this.finish(err.message, err, err);
        else this.drop(err.message);
        return;
      }
      if (!this.listeners.size) return this.becomeReady(hello as Hello);
      this.send(SUBSCRIBE, {}, (e) => (e ? this.drop(e.message) : this.becomeReady(hello as Hello)), true);
    }, true);
  }

  private becomeReady(hello: Hello): void {
    this.ready = true;
    this.attempt = 0;
    this.setState({ kind: 'open', hello });
  }

  /** The link is gone: its calls fail now, and the policy decides what follows. */
  private lost(reason: string, error: Error | undefined): void {
    this.token = null;
    this.link = null;
    this.ready = false;
    const policy = this.opts.reconnect;
    this.failPending(
      policy
        ? new ErrandError('busy', 'The connection to the Errand host closed before it answered.')
        : new ErrandError('internal', this.opts.lostMessage ?? `Lost the connection to the Errand host (${reason}).`),
    );
    if (this.current.kind === 'closed') return;
    if (!policy) return this.finish(reason, error ?? null, null);
    this.attempt++;
    const ms = (policy.backoff ?? defaultBackoff)(this.attempt);
    this.setState({ kind: 'reconnecting', attempt: this.attempt, retryInMs: ms, reason });
    this.timer = (policy.setTimer ?? ((fn, t) => setTimeout(fn, t)))(() => this.dial(), ms);
    if (policy.diagnose && this.attempt === (policy.diagnoseAfter ?? 3)) {
      policy.diagnose().then(
        (message) => {
          if (message && !this.link && this.current.kind !== 'closed') this.finish(message, null, null);
        },
        () => {},
      );
    }
  }

  private finish(reason: string, error: Error | null, pendingError: ErrandError | null): void {
    if (this.current.kind === 'closed') return;
    const policy = this.opts.reconnect;
    if (this.timer !== null) (policy?.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>)))(this.timer);
    this.timer = null;
    const link = this.link;
    this.token = null;
    this.link = null;
    this.ready = false;
    this.failPending(pendingError ?? new ErrandError('busy', `The connection to the Errand host is closed (${reason}).`));
    if (link) safely(() => link.close());
    this.setState({ kind: 'closed', reason, error });
    this.resolveClosed();
  }

  // --- frames ----------------------------------------------------------------------------

  private send(method: string, params: unknown, reply: Reply<unknown>, handshake: boolean): void {
    if (this.current.kind === 'closed') return reply(new ErrandError('busy', this.opts.lostMessage ?? `The connection to the Errand host is closed (${this.current.reason}).`));
    const link = this.link;
    if (!link || (!this.ready && !handshake)) {
      return reply(new ErrandError('busy', this.opts.reconnect ? 'Not connected to the Errand host; reconnecting.' : 'Not connected to the Errand host yet.'));
    }
    const id = this.nextId++;
    let text: string;
    try {
      text = JSON.stringify({ id, method, params });
    } catch (e) {
      return reply(new ErrandError('invalid_input', `Cannot send ${method}: its input is not plain JSON (${messageOf(e)}).`));
    }
    if (overLimit(text, MAX_FRAME_BYTES)) {
      return reply(
        new ErrandError(
          'invalid_input',
          `The ${method} request is ${(text.length / MiB).toFixed(1)} MB or more, over the host's limit of ${MAX_FRAME_BYTES / MiB} MB per frame; send it in smaller parts (fewer jobs or ids per call).`,
        ),
      );
    }
    this.pending.set(id, { method, reply });
    try {
      link.send(text);
    } catch (e) {
      this.pending.delete(id);
      reply(new ErrandError('busy', `Could not send ${method} to the Errand host: ${messageOf(e)}.`));
    }
  }

  private receive(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return this.malformed(text, 'not JSON');
    }
    if (!frame || typeof frame !== 'object' || Array.isArray(frame)) return this.malformed(text, 'not an object');
    const f = frame as { id?: unknown; result?: unknown; error?: unknown; event?: unknown };
    if (f.event !== undefined) {
      if (!f.event || typeof f.event !== 'object') return this.malformed(text, 'an event without a body');
      const event = f.event as HostEvent;
      for (const fn of this.listeners) {
        try {
          fn(event);
        } catch (e) {
          this.report(e);
        }
      }
      return;
    }
    if (!('result' in f) && !('error' in f)) return this.malformed(text, 'neither a reply nor an event');
    if (f.id === null) {
      // The host could not tell which request this answers (it could not read its id).
      return this.report(errorFrom(f.error) ?? new ErrandError('internal', 'The Errand host answered a request it could not identify.'));
    }
    if (typeof f.id !== 'number') return this.malformed(text, 'a reply without a numeric id');
    const p = this.pending.get(f.id);
    if (!p) return;
    this.pending.delete(f.id);
    const err = 'error' in f ? (errorFrom(f.error) ?? new ErrandError('internal', `The Errand host's error for ${p.method} had no message.`)) : null;
    try {
      if (err) p.reply(err);
      else p.reply(null, f.result);
    } catch (e) {
      this.report(e);
    }
  }

  /** A frame too big to read whole: its caller (named by the id in its first bytes) gets an error. */
  private oversize(head: string, limit: number): void {
    const id = frameIdOf(head);
    const p = id === null ? undefined : this.pending.get(id);
    const what = p ? `The host's reply to ${p.method}` : 'A frame from the host';
    const err = new ErrandError('internal', `${what} is over ${Math.round(limit / MiB)} MB, more than this client reads in one frame; ask for less at a time (a page: limit and afterId).`);
    if (!p) return this.report(err);
    this.pending.delete(id!);
    p.reply(err);
  }

  private malformed(text: string, why: string): void {
    const err = new ErrandError('internal', `The Errand host sent a malformed frame (${why}): ${JSON.stringify(text.slice(0, 60))}${text.length > 60 ? '…' : ''}`);
    this.report(err);
    // Whatever it answered is lost: fail its callers now rather than leave them waiting.
    this.failPending(err);
    this.drop(err.message);
  }

  private failPending(err: ErrandError): void {
    if (!this.pending.size) return;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) {
      try {
        p.reply(err);
      } catch (e) {
        this.report(e);
      }
    }
  }

  private readonly reportFailure: Reply<unknown> = (e) => {
    if (e) this.report(e);
  };

  private report(e: unknown): void {
    const err = e instanceof Error ? e : new Error(String(e));
    for (const fn of this.errorListeners) safely(() => fn(err));
  }

  private setState(s: SessionState): void {
    this.current = s;
    for (const fn of this.stateListeners) {
      try {
        fn(s);
      } catch (e) {
        this.report(e);
      }
    }
  }
}

function errorFrom(payload: unknown): ErrandError | null {
  const p = payload as { code?: unknown; message?: unknown; field?: unknown } | null;
  if (!p || typeof p !== 'object' || typeof p.message !== 'string') return null;
  const code: ErrorCode = typeof p.code === 'string' && (ERROR_CODES as readonly string[]).includes(p.code) ? (p.code as ErrorCode) : 'internal';
  return new ErrandError(code, p.message, typeof p.field === 'string' ? p.field : undefined);
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // closing a link that is already gone
  }
}
