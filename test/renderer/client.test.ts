import { PROTOCOL_VERSION } from '../../electron/contract/protocol';
import { describe, expect, test } from 'vitest';
import type { ErrorPayload } from '../../electron/contract/errors';
import { ErrandError } from '../../electron/contract/errors';
import type { HostEvent } from '../../electron/contract/events';
import { bridgeClient } from '../../renderer/src/client/bridge';
import { createClient } from '../../renderer/src/client/index';
import type { ConnectionState, Snapshot } from '../../renderer/src/client/types';
import { diagnoseHttp as diagnoseHttpStatus, type SocketLike, wsClient, wsUrlFor } from '../../renderer/src/client/ws';
import { job, snapshot, tick } from './fixtures';

/** A scripted WebSocket: records what the client sends; the test answers. */
class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  sent: { id: number; method: string; params: unknown }[] = [];
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.drop(1000);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code = 1006): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
  push(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  last(method: string) {
    const f = [...this.sent].reverse().find((x) => x.method === method);
    if (!f) throw new Error(`no ${method} sent (sent: ${this.sent.map((x) => x.method).join(', ')})`);
    return f;
  }
  reply(method: string, result: unknown): void {
    this.push({ id: this.last(method).id, result });
  }
  fail(method: string, error: ErrorPayload): void {
    this.push({ id: this.last(method).id, error });
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const client = wsClient({
    url: 'ws://127.0.0.1:7345/ws',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    backoff: (n) => n * 100,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
  });
  const states: ConnectionState[] = [];
  const syncs: Snapshot[] = [];
  const events: HostEvent[] = [];
  const stop = client.start({ onSync: (s) => syncs.push(s), onEvent: (e) => events.push(e), onState: (s) => states.push(s) });
  return { client, sockets, timers, states, syncs, events, stop };
}

/** Walks a socket through hello → subscribe → snapshot. */
async function handshake(s: FakeSocket, snap: Snapshot): Promise<void> {
  s.open();
  await tick();
  expect(s.sent.map((x) => x.method)).toEqual(['hello']);
  expect(s.sent[0]!.params).toEqual({ protocolVersion: PROTOCOL_VERSION, client: 'ui' });
  s.reply('hello', { protocolVersion: 1, hostVersion: '0.1.0', pid: 1, home: '/h' });
  await tick();
  s.reply('subscribe', { ok: true });
  await tick();
  s.reply('snapshot', snap);
  await tick();
}

describe('WebSocket client', () => {
  test('the page URL gives the WebSocket address', () => {
    expect(wsUrlFor({ protocol: 'http:', host: '127.0.0.1:7345' })).toBe('ws://127.0.0.1:7345/ws');
  });

  test('hello, subscribe, snapshot; then events; events before the snapshot are dropped', async () => {
    const t = setup();
    const s = t.sockets[0]!;
    expect(t.states).toEqual([{ kind: 'connecting' }]);
    s.open();
    await tick();
    s.reply('hello', { protocolVersion: 1, hostVersion: '0.1.0', pid: 1, home: '/h' });
    await tick();
    expect(s.sent.map((x) => x.method)).toEqual(['hello', 'subscribe']);
    s.reply('subscribe', { ok: true });
    await tick();
    // already part of the snapshot that is being computed
    s.push({ event: { type: 'removed', ids: [99] } });
    s.reply('snapshot', snapshot([job({ id: 1 })]));
    await tick();
    s.push({ event: { type: 'removed', ids: [1] } });
    expect(t.syncs).toHaveLength(1);
    expect(t.events).toEqual([{ type: 'removed', ids: [1] }]);
    expect(t.states.at(-1)).toEqual({ kind: 'open' });
  });

  test('calls are matched by id; host errors keep code, message and field', async () => {
    const t = setup();
    const s = t.sockets[0]!;
    await handshake(s, snapshot([]));
    const a = t.client.call('prioritise', { id: 1, priority: 5000 });
    const b = t.client.call('queue', {});
    s.reply('queue', { paused: false, concurrency: 2, running: 0 });
    s.fail('prioritise', { code: 'invalid_input', message: 'Invalid prioritise input: priority must be at most 1000.', field: 'priority' });
    await expect(b).resolves.toEqual({ paused: false, concurrency: 2, running: 0 });
    const err = await a.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ErrandError);
    expect(err).toMatchObject({ code: 'invalid_input', field: 'priority', message: 'Invalid prioritise input: priority must be at most 1000.' });
  });

  test('a drop rejects pending calls, reconnects with backoff and resyncs from a fresh snapshot', async () => {
    const t = setup();
    const s1 = t.sockets[0]!;
    await handshake(s1, snapshot([job({ id: 1 })]));
    const pending = t.client.call('status', {});
    s1.drop();
    await expect(pending).rejects.toMatchObject({ code: 'busy' });
    expect(t.states.at(-1)).toMatchObject({ kind: 'reconnecting', attempt: 1, retryInMs: 100 });
    await expect(t.client.call('status', {})).rejects.toMatchObject({ code: 'busy', message: 'Not connected to the Errand host; reconnecting.' });
    // the first retry fails too: the delay grows
    t.timers.shift()!.fn();
    t.sockets[1]!.drop();
    expect(t.states.at(-1)).toMatchObject({ kind: 'reconnecting', attempt: 2, retryInMs: 200 });
    t.timers.shift()!.fn();
    const s3 = t.sockets[2]!;
    // events sent by the old connection are ignored
    s1.push({ event: { type: 'removed', ids: [5] } });
    await handshake(s3, snapshot([job({ id: 2 })]));
    expect(t.syncs.map((x) => x.jobs.map((j) => j.id))).toEqual([[1], [2]]);
    expect(t.states.at(-1)).toEqual({ kind: 'open' });
    expect(t.events).toEqual([]);
    // backoff starts over after a success
    s3.drop();
    expect(t.states.at(-1)).toMatchObject({ attempt: 1 });
  });

  test('a protocol mismatch stops retrying and says so', async () => {
    const t = setup();
    const s = t.sockets[0]!;
    s.open();
    await tick();
    s.fail('hello', { code: 'invalid_input', message: 'Protocol mismatch: client speaks v1, host speaks v2. Upgrade the client (ui).', field: 'protocolVersion' });
    await tick();
    expect(t.states.at(-1)).toEqual({ kind: 'failed', message: 'Protocol mismatch: client speaks v1, host speaks v2. Upgrade the client (ui). Reload the page.' });
    expect(t.timers).toHaveLength(0);
  });

  test('after three failed reconnects it asks the server; a refused token stops the retries and says so', async () => {
    const sockets: FakeSocket[] = [];
    const timers: (() => void)[] = [];
    let answer: string | null = null;
    const client = wsClient({
      url: 'ws://127.0.0.1:1/ws',
      createSocket: (u) => {
        const s = new FakeSocket(u);
        sockets.push(s);
        return s;
      },
      backoff: () => 10,
      setTimer: (fn) => timers.push(fn),
      clearTimer: () => {},
      diagnose: async () => answer,
    });
    const states: ConnectionState[] = [];
    client.start({ onSync: () => {}, onEvent: () => {}, onState: (s) => states.push(s) });
    sockets[0]!.drop();
    timers.shift()!();
    sockets[1]!.drop();
    timers.shift()!();
    answer = 'This window’s access link is no longer valid. Open the link errand serve --ui prints.';
    sockets[2]!.drop();
    await tick();
    expect(states.at(-1)).toEqual({ kind: 'failed', message: answer });
  });

  test('diagnoseHttp: 401 means the link is stale; anything else or no answer keeps trying', async () => {
    const f = (status: number) => (async () => ({ status })) as unknown as typeof fetch;
    expect(await diagnoseHttpStatus(f(401))).toMatch(/no longer valid/);
    expect(await diagnoseHttpStatus(f(200))).toBeNull();
    expect(await diagnoseHttpStatus((async () => Promise.reject(new Error('down'))) as unknown as typeof fetch)).toBeNull();
  });

  test('stop closes the socket and cancels retries', async () => {
    const t = setup();
    await handshake(t.sockets[0]!, snapshot([]));
    t.stop();
    expect(t.sockets[0]!.readyState).toBe(3);
    expect(t.timers).toHaveLength(0);
  });
});

describe('choosing a client', () => {
  test('Electron bridge first, then the page’s WebSocket; a file:// page without a bridge says it has no host', async () => {
    const bridge = { call: async () => ({ result: null }) as never, onEvent: () => () => {} };
    expect(createClient({ errand: bridge, location: { protocol: 'file:', host: '' } }).transport).toBe('bridge');
    expect(createClient({ location: { protocol: 'http:', host: '127.0.0.1:7345' } }).transport).toBe('websocket');
    const off = createClient({ location: { protocol: 'file:', host: '' } });
    const states: ConnectionState[] = [];
    off.start({ onSync: () => {}, onEvent: () => {}, onState: (s) => states.push(s) });
    expect(states[0]).toMatchObject({ kind: 'failed', message: expect.stringContaining('errand serve --ui') });
    await expect(off.call('status', {})).rejects.toMatchObject({ code: 'unauthorized' });
  });
});

describe('Electron bridge client', () => {
  test('unwraps {result}|{error} envelopes into values and ErrandErrors', async () => {
    const client = bridgeClient({
      call: async (method) => (method === 'queue' ? { result: { paused: true, concurrency: 1, running: 0 } } : { error: { code: 'not_found', message: 'No job #9.', field: 'id' } }) as never,
      onEvent: () => () => {},
    });
    await expect(client.call('queue', {})).resolves.toEqual({ paused: true, concurrency: 1, running: 0 });
    await expect(client.call('get', { id: 9 })).rejects.toMatchObject({ code: 'not_found', message: 'No job #9.', field: 'id' });
  });

  test('syncs from a snapshot and forwards only later events', async () => {
    let push: (e: HostEvent) => void = () => {};
    let resolveSnap!: (v: unknown) => void;
    const client = bridgeClient({
      call: () => new Promise((r) => (resolveSnap = r)) as never,
      onEvent: (fn) => {
        push = fn;
        return () => (push = () => {});
      },
    });
    const events: HostEvent[] = [];
    const syncs: Snapshot[] = [];
    const states: string[] = [];
    client.start({ onSync: (s) => syncs.push(s), onEvent: (e) => events.push(e), onState: (s) => states.push(s.kind) });
    push({ type: 'removed', ids: [1] });
    resolveSnap({ result: snapshot([]) });
    await tick();
    push({ type: 'removed', ids: [2] });
    expect(syncs).toHaveLength(1);
    expect(events).toEqual([{ type: 'removed', ids: [2] }]);
    expect(states).toEqual(['connecting', 'open']);
  });

  test('passes shell commands through', () => {
    let fire: ((c: { type: 'new-job' }) => void) | null = null;
    const client = bridgeClient({ call: async () => ({ result: null }) as never, onEvent: () => () => {}, onShell: (fn) => ((fire = fn), () => {}) });
    const got: unknown[] = [];
    client.onShell!((c) => got.push(c));
    fire!({ type: 'new-job' });
    expect(got).toEqual([{ type: 'new-job' }]);
  });
});
