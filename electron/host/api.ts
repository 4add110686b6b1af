import { type Input, type MethodName, type Output, type ParsedInput, methods } from '../contract/api';
import { ErrandError } from '../contract/errors';
import { PROTOCOL_VERSION, PROTOCOL_VERSION as VERSION } from '../contract/protocol';
import { validate } from '../contract/validate';
import type { Engine } from '../core/engine';

export interface CallContext {
  /** Who is calling, recorded in the audit trail: "cli", "ui", "tray", "job". */
  by: string;
  /** Aborted when the calling client disconnects: long waits (awaitDecision) let go. */
  signal?: AbortSignal;
}

type Handler<K extends MethodName> = (input: ParsedInput<K>, ctx: CallContext) => Output<K> | Promise<Output<K>>;
export type Handlers = { [K in MethodName]: Handler<K> };

export const HOST_VERSION = '0.1.0';

/**
 * The one API object: every transport (socket, WebSocket, Electron IPC) calls through it.
 * Input arrives parsed (dispatch validates it once); the engine's methods are the
 * contract's, so most handlers only pass the caller along.
 */
export function createHandlers(engine: Engine, hooks: { shutdown: () => void }): Handlers {
  return {
    hello: (i) => {
      if (i.protocolVersion !== VERSION) {
        const upgrade = i.protocolVersion < VERSION ? `the client (${i.client})` : 'the Errand host (restart it after upgrading: errand shutdown)';
        throw new ErrandError('invalid_input', `Protocol mismatch: client speaks v${i.protocolVersion}, host speaks v${VERSION}. Upgrade ${upgrade}.`, 'protocolVersion');
      }
      return { protocolVersion: VERSION, hostVersion: HOST_VERSION, pid: process.pid, home: engine.home };
    },
    add: (i, c) => engine.add(i, c),
    addMany: (i, c) => engine.addMany(i, c),
    list: (i) => engine.list(i),
    get: (i) => engine.get(i),
    logs: (i) => engine.logs(i),
    cancel: (i, c) => engine.cancel(i, c),
    retry: (i, c) => engine.retry(i, c),
    hold: (i, c) => engine.hold(i, c),
    release: (i, c) => engine.release(i, c),
    prioritise: (i, c) => engine.prioritise(i, c),
    markRead: (i) => engine.markRead(i),
    pause: (i, c) => engine.pause(i, c),
    resume: (i, c) => engine.resume(i, c),
    setConcurrency: (i, c) => engine.setConcurrency(i, c),
    queue: () => engine.queue(),
    approve: (i, c) => engine.approve(i, c),
    deny: (i, c) => engine.deny(i, c),
    approvals: () => engine.approvals(),
    result: (i) => engine.result(i),
    remove: (i, c) => engine.remove(i, c),
    clean: (i, c) => engine.clean(i, c),
    status: () => engine.status(),
    snapshot: (i) => engine.snapshot(i),
    snapshotPage: (i) => engine.snapshotPage(i),
    apply: (i) => engine.apply(i),
    settings: () => engine.settings(),
    setSettings: (i, c) => engine.setSettings(i, c),
    shutdown: () => {
      setImmediate(hooks.shutdown);
      return { ok: true };
    },
    jobProgress: (i) => engine.jobProgress(i),
    jobStep: (i) => engine.jobStep(i),
    jobPlan: (i) => engine.jobPlan(i),
    jobAsk: (i) => engine.jobAsk(i),
    awaitDecision: (i, c) => engine.awaitDecision(i, c),
    jobResult: (i) => engine.jobResult(i),
  };
}

/**
 * Validates a raw call against the contract and runs it: the one place input is checked.
 * Unknown methods and bad input throw ErrandErrors. Synchronous when the handler is, so a
 * transport can answer in order (a reply is never overtaken by an event it caused later).
 */
export function dispatchNow(handlers: Handlers, method: unknown, params: unknown, ctx: CallContext): unknown {
  if (typeof method !== 'string' || !Object.hasOwn(methods, method)) {
    throw new ErrandError('invalid_input', `Unknown method ${JSON.stringify(method)}. This host speaks protocol v${PROTOCOL_VERSION}.`, 'method');
  }
  const name = method as MethodName;
  const input = validate(methods[name].input, params ?? {}, `${name} input`);
  return (handlers[name] as Handler<typeof name>)(input as never, ctx);
}

/** dispatchNow, always as a promise (rejecting instead of throwing). */
export async function dispatch(handlers: Handlers, method: unknown, params: unknown, ctx: CallContext): Promise<unknown> {
  return dispatchNow(handlers, method, params, ctx);
}

export type { Input, Output };
