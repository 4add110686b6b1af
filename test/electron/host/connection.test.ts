import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ServerFrame } from '../../../electron/contract/wire';
import { PROTOCOL_VERSION } from '../../../electron/contract/protocol';
import type { Listener } from '../../../electron/core/event-hub';
import { silentLogger } from '../../../electron/core/logger';
import type { CallContext, Handlers } from '../../../electron/host/api';
import { Connection } from '../../../electron/host/connection';
import { type Host, startHost } from '../../../electron/host/host';
import { tempHome, until } from '../../helpers/temp-home';

const hello = (id = 1) => JSON.stringify({ id, method: 'hello', params: { protocolVersion: PROTOCOL_VERSION, client: 'test' } });

/** A Connection over handlers the test writes; `sent` is every frame it sent, in order. */
function conn(over: Partial<Record<keyof Handlers, (input: never, ctx: CallContext) => unknown>>) {
  const listeners = new Set<Listener>();
  const handlers = { hello: () => ({ protocolVersion: PROTOCOL_VERSION, hostVersion: 't', pid: 1, home: '/' }), ...over } as unknown as Handlers;
  const sent: ServerFrame[] = [];
  const c = new Connection({ handlers, listen: (fn) => (listeners.add(fn), () => listeners.delete(fn)), log: silentLogger, by: 'cli' }, (f) => sent.push(f));
  c.receive(hello());
  sent.length = 0;
  return { c, sent, emit: (e: Parameters<Listener>[0]) => listeners.forEach((fn) => fn(e)) };
}

describe('Connection', () => {
  test('a handler that returns a value is answered in the same turn; only a promise waits', async () => {
    let resolveSlow!: (v: unknown) => void;
    const t = conn({ status: () => ({ line: 'idle' }), queue: () => new Promise((r) => (resolveSlow = r)) });
    t.c.receive(JSON.stringify({ id: 2, method: 'queue', params: {} }));
    t.c.receive(JSON.stringify({ id: 3, method: 'status', params: {} }));
    // no await in between: the plain value is already answered, the promise is not
    expect(t.sent).toEqual([{ id: 3, result: { line: 'idle' } }]);
    resolveSlow({ paused: false, concurrency: 1, running: 0 });
    await until(() => t.sent.length === 2);
    expect(t.sent[1]).toEqual({ id: 2, result: { paused: false, concurrency: 1, running: 0 } });
  });

  test('an event a handler causes goes out before its reply, and both before the next request’s', () => {
    let prio = 0;
    const t = conn({
      prioritise: ((i: { id: number; priority: number }) => {
        prio = i.priority;
        t.emit({ type: 'removed', ids: [prio] });
        return { id: i.id, priority: prio };
      }) as never,
    });
    t.c.receive(JSON.stringify({ id: 2, method: 'subscribe', params: {} }));
    t.sent.length = 0;
    t.c.receive(JSON.stringify({ id: 3, method: 'prioritise', params: { id: 1, priority: 5 } }));
    t.c.receive(JSON.stringify({ id: 4, method: 'prioritise', params: { id: 1, priority: 7 } }));
    expect(t.sent.map((f) => ('event' in f ? `event ${(f.event as { ids: number[] }).ids[0]}` : `reply ${f.id}`))).toEqual(['event 5', 'reply 3', 'event 7', 'reply 4']);
  });

  test('every call gets the connection’s signal; closing aborts it and drops late replies', async () => {
    let ctx: CallContext | null = null;
    let finish!: (v: unknown) => void;
    const t = conn({
      awaitDecision: ((_i: unknown, c: CallContext) => {
        ctx = c;
        return new Promise((r) => (finish = r));
      }) as never,
    });
    t.c.receive(JSON.stringify({ id: 2, method: 'awaitDecision', params: { approvalId: 1 } }));
    expect(ctx!.by).toBe('test');
    expect(ctx!.signal?.aborted).toBe(false);
    t.c.close();
    expect(ctx!.signal?.aborted).toBe(true);
    finish({ decision: 'approved', note: null });
    await new Promise((r) => setTimeout(r, 0));
    expect(t.sent).toEqual([]);
  });

  test('oversize and broken frames are answered with their id when their first bytes name one', () => {
    const t = conn({});
    t.c.oversize(4 * 1024 * 1024, '{"id":17,"method":"addMany","params":{"jobs":[');
    t.c.oversize(4 * 1024 * 1024, '{"method":"addMany","id":18');
    t.c.receive('{"id":19,"method":"status","params":{');
    t.c.receive('not json at all');
    expect(t.sent).toEqual([
      { id: 17, error: { code: 'invalid_input', message: expect.stringMatching(/Frame larger than 4 MB was dropped; send less per call/) } },
      { id: null, error: expect.objectContaining({ code: 'invalid_input' }) },
      { id: 19, error: { code: 'invalid_input', message: 'Malformed frame: not JSON.' } },
      { id: null, error: { code: 'invalid_input', message: 'Malformed frame: not JSON.' } },
    ]);
  });
});

describe('over a real host’s socket', () => {
  let host: Host;
  let home: string;
  let cleanup: () => void;
  beforeAll(async () => {
    ({ home, cleanup } = tempHome('errand-conn-'));
    host = await startHost({ home });
    await host.call('pause', {});
  });
  afterAll(async () => {
    await host.close();
    cleanup();
  });

  /** A raw socket: write frames, read every frame in arrival order. */
  async function raw() {
    const s = net.createConnection(host.socketPath!);
    const frames: ServerFrame[] = [];
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        frames.push(JSON.parse(buf.slice(0, nl)) as ServerFrame);
        buf = buf.slice(nl + 1);
      }
    });
    await new Promise((r) => s.once('connect', r));
    s.write(`${hello()}\n`);
    await until(() => frames.length === 1);
    frames.length = 0;
    return { s, frames };
  }

  test('pipelined requests: each reply follows its own events and comes before the next request’s events', async () => {
    const { s, frames } = await raw();
    const job = await host.call('add', { command: { argv: ['true'] }, cwd: home, title: 'order' });
    s.write(`${JSON.stringify({ id: 2, method: 'subscribe', params: {} })}\n`);
    await until(() => frames.some((f) => 'id' in f && f.id === 2));
    await new Promise((r) => setTimeout(r, 200)); // the add's own (coalesced) events
    frames.length = 0;
    // one write, two requests: the host reads both in one go
    s.write(`${JSON.stringify({ id: 3, method: 'prioritise', params: { id: job.id, priority: 5 } })}\n${JSON.stringify({ id: 4, method: 'prioritise', params: { id: job.id, priority: 7 } })}\n`);
    await until(() => frames.some((f) => 'id' in f && f.id === 4));
    const seq = frames
      .filter((f) => !('event' in f) || f.event.type === 'job')
      .map((f) => ('event' in f ? `event ${(f.event as { job: { priority: number } }).job.priority}` : `reply ${(f as { result: { priority: number } }).result.priority}`));
    expect(seq).toEqual(['event 5', 'reply 5', 'event 7', 'reply 7']);
    s.destroy();
  });

  test('an oversize frame gets an error with its id, and the connection goes on', async () => {
    const { s, frames } = await raw();
    s.write(`{"id":9,"method":"addMany","params":{"jobs":"${'x'.repeat(5 * 1024 * 1024)}"}}\n`);
    s.write(`${JSON.stringify({ id: 10, method: 'queue', params: {} })}\n`);
    await until(() => frames.length === 2, 10_000, 'two replies');
    expect(frames[0]).toMatchObject({ id: 9, error: { code: 'invalid_input', message: expect.stringMatching(/larger than 4 MB/) } });
    expect(frames[1]).toMatchObject({ id: 10, result: { paused: true } });
    s.destroy();
  });

  test('the approval waiter is released when the asking socket closes; the job can still be decided', async () => {
    await host.call('resume', {});
    const job = await host.call('add', { command: { argv: ['sleep', '30'] }, cwd: home, title: 'asks' });
    await until(async () => (await host.call('get', { id: job.id })).job.status === 'running', 10_000, 'running');
    // see what the engine's waiter does, through the same handlers the socket uses
    const original = host.handlers.awaitDecision;
    const waits: Promise<unknown>[] = [];
    host.handlers.awaitDecision = (i, c) => {
      const p = Promise.resolve(original(i, c));
      waits.push(p);
      return p;
    };
    try {
      const { s, frames } = await raw();
      s.write(`${JSON.stringify({ id: 2, method: 'jobAsk', params: { jobId: job.id, attempt: 1, question: 'Deploy?' } })}\n`);
      await until(() => frames.length === 1);
      const approvalId = (frames[0] as { result: { approvalId: number } }).result.approvalId;
      s.write(`${JSON.stringify({ id: 3, method: 'awaitDecision', params: { approvalId } })}\n`);
      await until(() => waits.length === 1);
      const outcome = waits[0]!.then(
        () => 'resolved',
        (e: Error) => e.message,
      );
      s.destroy();
      // released (rejected), not left waiting forever
      expect(await Promise.race([outcome, new Promise((r) => setTimeout(() => r('still waiting'), 5000))])).toMatch(/went away/);
      // nothing hangs: the question is still open and a person can answer it
      expect((await host.call('get', { id: job.id })).job.status).toBe('waiting');
      expect(await host.call('approve', { id: job.id })).toMatchObject({ decision: 'approved' });
      expect((await host.call('get', { id: job.id })).job.status).toBe('running');
    } finally {
      host.handlers.awaitDecision = original;
      await host.call('cancel', { ids: [job.id] });
      await host.call('pause', {});
    }
  });
});
