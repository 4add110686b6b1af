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

/** The one API object: every transport (socket, WebSocket, Electron IPC) calls through it. */
export function createHandlers(engine: Engine, hooks: { shutdown: () => void }): Handlers {
  return {
    hello: (i) => {
      if (i.protocolVersion !== VERSION) {
        const upgrade = i.protocolVersion < VERSION ? `the client (${i.client})` : 'the Errand host (restart it after upgrading: errand shutdown)';
        throw new ErrandError('invalid_input', `Protocol mismatch: client speaks v${i.protocolVersion}, host speaks v${VERSION}. Upgrade ${upgrade}.`, 'protocolVersion');
      }
      return { protocolVersion: VERSION, hostVersion: HOST_VERSION, pid: process.pid, home: engine.home };
    },
    add: (i, c) => engine.add(i, c.by),
    addMany: (i, c) => ({ ids: engine.addMany(i.jobs, c.by) }),
    list: (i) => ({ jobs: engine.list(i) }),
    get: (i) => engine.get(i.id),
    logs: (i) => {
      const r = engine.readLog(i);
      return { ...r, data: r.data.toString('base64') };
    },
    cancel: async (i, c) => ({ jobs: await engine.cancel(i.ids, c.by) }),
    retry: (i, c) => ({ jobs: engine.retry(i.ids, c.by) }),
    hold: (i, c) => ({ jobs: engine.hold(i.ids, c.by) }),
    release: (i, c) => ({ jobs: engine.release(i.ids, c.by) }),
    prioritise: (i, c) => engine.prioritise(i.id, i.priority, c.by),
    markRead: (i) => {
      engine.markRead(i.ids);
      return { ok: true };
    },
    pause: (_i, c) => engine.pause(c.by),
    resume: (_i, c) => engine.resume(c.by),
    setConcurrency: (i, c) => engine.setConcurrency(i.concurrency, c.by),
    queue: () => engine.queueState(),
    approve: (i, c) => engine.approve(i.id, i.note, c.by),
    deny: (i, c) => engine.deny(i.id, i.note, c.by),
    approvals: () => ({ approvals: engine.approvals() }),
    result: (i) => engine.result(i),
    remove: (i, c) => ({ removed: engine.remove(i.ids, c.by) }),
    clean: (i, c) => ({ removed: engine.clean(i.olderThanMs, c.by) }),
    status: () => engine.status(),
    snapshot: (i) => engine.snapshot(i),
    snapshotPage: (i) => engine.snapshotPage(i),
    shutdown: () => {
      setImmediate(hooks.shutdown);
      return { ok: true };
    },
    jobProgress: (i) => (engine.jobProgress(i), { ok: true }),
    jobStep: (i) => (engine.jobStep(i), { ok: true }),
    jobPlan: (i) => (engine.jobPlan(i), { ok: true }),
    jobAsk: (i) => ({ approvalId: engine.jobAsk(i) }),
    awaitDecision: (i) => engine.awaitDecision(i.approvalId),
    jobResult: (i) => (engine.jobResult(i), { ok: true }),
  };
}

/** Validates a raw call against the contract and runs it. Unknown methods and bad input become ErrandErrors. */
export async function dispatch(handlers: Handlers, method: unknown, params: unknown, ctx: CallContext): Promise<unknown> {
  if (typeof method !== 'string' || !Object.hasOwn(methods, method)) {
    throw new ErrandError('invalid_input', `Unknown method ${JSON.stringify(method)}. This host speaks protocol v${PROTOCOL_VERSION}.`, 'method');
  }
  const name = method as MethodName;
  const input = validate(methods[name].input, params ?? {}, `${name} input`);
  return (handlers[name] as Handler<typeof name>)(input as never, ctx);
}

export type { Input, Output };
