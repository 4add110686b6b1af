import { methods } from '../contract/api';
import { ErrandError, isErrandError } from '../contract/errors';
import { PROTOCOL_VERSION } from '../contract/protocol';
import { validate } from '../contract/validate';
import type { RequestFrame, ServerFrame } from '../contract/wire';
import { SUBSCRIBE, UNSUBSCRIBE } from '../contract/wire';
import { frameIdOf } from '../client/frame-id';
import type { Dispose, Listener } from '../core/event-hub';
import type { Logger } from '../core/logger';
import { type CallContext, type Handlers, dispatchNow } from './api';

export interface ConnectionDeps {
  handlers: Handlers;
  listen: (fn: Listener) => Dispose;
  log: Logger;
  /** Default caller name before hello says otherwise. */
  by: string;
}

const MiB = 1024 * 1024;

/**
 * One client's session, independent of the transport: parses frames, enforces the
 * hello handshake, dispatches, and forwards events while subscribed. A handler that
 * returns a value is answered in the same turn, so on one connection whatever the
 * client reads later (a reply or an event) is newer; only real promises wait. When the
 * connection closes, its signal aborts whatever its requests still wait for.
 */
export class Connection {
  private greeted = false;
  private by: string;
  private unsubscribe: Dispose | null = null;
  private closed = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly deps: ConnectionDeps,
    private readonly send: (frame: ServerFrame) => void,
  ) {
    this.by = deps.by;
  }

  /** Handles one raw frame; never throws. */
  receive(raw: string): void {
    let frame: RequestFrame;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!parsed || typeof parsed !== 'object' || typeof (parsed as RequestFrame).id !== 'number' || typeof (parsed as RequestFrame).method !== 'string') {
        throw new ErrandError('invalid_input', 'A request needs a numeric id and a method name.', 'id');
      }
      frame = parsed as RequestFrame;
    } catch (e) {
      // answer the id when the frame's first bytes name one, so its caller does not wait forever
      this.reply(frameIdOf(raw.slice(0, 64)), isErrandError(e) ? e : new ErrandError('invalid_input', 'Malformed frame: not JSON.'));
      return;
    }
    let out: unknown;
    try {
      out = this.handle(frame);
    } catch (e) {
      this.reply(frame.id, e);
      return;
    }
    if (isThenable(out)) {
      out.then(
        (r) => this.reply(frame.id, undefined, r),
        (e: unknown) => this.reply(frame.id, e),
      );
    } else this.reply(frame.id, undefined, out);
  }

  /** A frame over the transport's limit was dropped; `head` is its first bytes, which usually name its id. */
  oversize(limit: number, head = ''): void {
    this.reply(
      frameIdOf(head),
      new ErrandError('invalid_input', `Frame larger than ${Math.round(limit / MiB)} MB was dropped; send less per call (fewer jobs or ids per request).`),
    );
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    // approval waiters and other long calls of this client let go
    this.abort.abort(new ErrandError('busy', 'The client closed its connection.'));
  }

  private handle(f: RequestFrame): unknown {
    if (f.method === 'hello') {
      // Synchronous on purpose: a client may pipeline requests right behind hello, and
      // they must see the handshake done.
      const r = this.deps.handlers.hello(validate(methods.hello.input, f.params ?? {}, 'hello input'), this.context());
      this.greeted = true;
      const client = (f.params as { client?: unknown }).client;
      if (typeof client === 'string' && client) this.by = client.slice(0, 60);
      return r;
    }
    if (!this.greeted) throw new ErrandError('invalid_input', `Send hello {protocolVersion: ${PROTOCOL_VERSION}} first.`, 'method');
    if (f.method === SUBSCRIBE) {
      this.unsubscribe ??= this.deps.listen((event) => {
        if (!this.closed) this.send({ event });
      });
      return { ok: true };
    }
    if (f.method === UNSUBSCRIBE) {
      this.unsubscribe?.();
      this.unsubscribe = null;
      return { ok: true };
    }
    return dispatchNow(this.deps.handlers, f.method, f.params, this.context());
  }

  private context(): CallContext {
    return { by: this.by, signal: this.abort.signal };
  }

  private reply(id: number | null, err: unknown, result?: unknown): void {
    if (this.closed) return;
    if (err === undefined) {
      this.send({ id, result: result ?? null });
      return;
    }
    if (!isErrandError(err)) this.deps.log.error('request failed', err);
    const e = isErrandError(err) ? err : new ErrandError('internal', `Internal error: ${(err as Error)?.message ?? String(err)}. See the host log in the data dir.`);
    this.send({ id, error: e.toJSON() });
  }
}

const isThenable = (v: unknown): v is PromiseLike<unknown> => typeof (v as PromiseLike<unknown> | null)?.then === 'function';
