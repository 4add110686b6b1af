import { ErrandError, isErrandError } from '../contract/errors';
import { PROTOCOL_VERSION } from '../contract/protocol';
import type { RequestFrame, ServerFrame } from '../contract/wire';
import { SUBSCRIBE, UNSUBSCRIBE } from '../contract/wire';
import type { Dispose, Listener } from '../core/event-hub';
import type { Logger } from '../core/logger';
import { methods } from '../contract/api';
import { validate } from '../contract/validate';
import { type Handlers, dispatch } from './api';

export interface ConnectionDeps {
  handlers: Handlers;
  listen: (fn: Listener) => Dispose;
  log: Logger;
  /** Default caller name before hello says otherwise. */
  by: string;
}

/**
 * One client's session, independent of the transport: parses frames, enforces the
 * hello handshake, dispatches, and forwards events while subscribed.
 */
export class Connection {
  private greeted = false;
  private by: string;
  private unsubscribe: Dispose | null = null;
  private closed = false;

  constructor(
    private readonly deps: ConnectionDeps,
    private readonly send: (frame: ServerFrame) => void,
  ) {
    this.by = deps.by;
  }

  /** Handles one raw frame; never throws. */
  async receive(raw: string): Promise<void> {
    let frame: RequestFrame;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (!parsed || typeof parsed !== 'object' || typeof (parsed as RequestFrame).id !== 'number' || typeof (parsed as RequestFrame).method !== 'string') {
        throw new ErrandError('invalid_input', 'A request needs a numeric id and a method name.', 'id');
      }
      frame = parsed as RequestFrame;
    } catch (e) {
      this.reply(null, isErrandError(e) ? e : new ErrandError('invalid_input', 'Malformed frame: not JSON.'));
      return;
    }
    try {
      this.reply(frame.id, undefined, await this.handle(frame));
    } catch (e) {
      this.reply(frame.id, e);
    }
  }

  oversize(limit: number): void {
    this.reply(null, new ErrandError('invalid_input', `Frame larger than ${limit} bytes was dropped.`));
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private async handle(f: RequestFrame): Promise<unknown> {
    if (f.method === 'hello') {
      // Synchronous on purpose: a client may pipeline requests right behind hello, and
      // they must see the handshake done.
      const r = this.deps.handlers.hello(validate(methods.hello.input, f.params ?? {}, 'hello input'), { by: this.by });
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
    return dispatch(this.deps.handlers, f.method, f.params, { by: this.by });
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
