import { PROTOCOL_VERSION } from '../../electron/contract/protocol';
import { describe, expect, test } from 'vitest';
import type { ErrorPayload } from '../../electron/contract/errors';
import { ErrandError } from '../../electron/contract/errors';
import type { HostEvent } from '../../electron/contract/events';
import type { ErrandBridge, ShellCommand } from '../../electron/contract/bridge';
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
  const stop = client.start({ onSync: (s) => syncs.push(s), onPage: () => {}, onEvent: (e) => events.push(e), onState: (s) => states.push(s) });
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
    client.start({ onSync: () => {}, onPage: () => {}, onEvent: () => {}, onState: (s) => states.push(s) });
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

/** A scripted preload bridge: the frames the client sends, and the host's frames pushed by the test. */
class FakeBridge implements ErrandBridge {
  sent: { id: number; method: string; params: unknown }[] = [];
  opened = 0;
  closed = 0;
  private listeners = new Set<(f: string | null) => void>();
  open(): void {
    this.opened++;
  }
  close(): void {
    this.closed++;
  }
  send(frame: string): void {
    this.sent.push(JSON.parse(frame));
  }
  onFrame(fn: (f: string | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  push(frame: unknown): void {
    this.raw(frame === null ? null : JSON.stringify(frame));
  }
  raw(text: string | null): void {
    for (const fn of [...this.listeners]) fn(text);
  }
  reply(method: string, result: unknown): void {
    const f = [...this.sent].reverse().find((x) => x.method === method);
    if (!f) throw new Error(`no ${method} sent (sent: ${this.sent.map((x) => x.method).join(', ')})`);
    this.push({ id: f.id, result });
  }
}

describe('choosing a client', () => {
  test('Electron bridge first, then the page’s WebSocket; a file:// page without a bridge says it has no host', async () => {
    expect(createClient({ errand: new FakeBridge(), location: { protocol: 'file:', host: '' } }).transport).toBe('bridge');
    expect(createClient({ location: { protocol: 'http:', host: '127.0.0.1:7345' } }).transport).toBe('websocket');
    const off = createClient({ location: { protocol: 'file:', host: '' } });
    const states: ConnectionState[] = [];
    off.start({ onSync: () => {}, onPage: () => {}, onEvent: () => {}, onState: (s) => states.push(s) });
    expect(states[0]).toMatchObject({ kind: 'failed', message: expect.stringContaining('errand serve --ui') });
    await expect(off.call('status', {})).rejects.toMatchObject({ code: 'unauthorized' });
  });
});

describe('Electron bridge client (frames over IPC)', () => {
  function start(bridge: FakeBridge) {
    const timers: (() => void)[] = [];
    const client = bridgeClient(bridge, { setTimer: (fn) => timers.push(fn), backoff: () => 10 });
    const got = { syncs: [] as Snapshot[], pages: [] as number[][], events: [] as HostEvent[], states: [] as string[] };
    const stop = client.start({
      onSync: (s) => got.syncs.push(s),
      onPage: (jobs) => got.pages.push(jobs.map((j) => j.id)),
      onEvent: (e) => got.events.push(e),
      onState: (s) => got.states.push(s.kind),
    });
    return { client, got, stop, timers };
  }
  async function handshake(b: FakeBridge): Promise<void> {
    await tick();
    expect(b.opened).toBe(1);
    b.reply('hello', { protocolVersion: PROTOCOL_VERSION, hostVersion: '0.1.0', pid: 1, home: '/h' });
    b.reply('subscribe', { ok: true });
  }

  test('opens a fresh connection, then hello and subscribe as frames; replies become values and ErrandErrors', async () => {
    const b = new FakeBridge();
    const { client } = start(b);
    await handshake(b);
    expect(b.sent.slice(0, 3).map((x) => x.method)).toEqual(['hello', 'subscribe', 'snapshot']);
    expect(b.sent[0]!.params).toEqual({ protocolVersion: PROTOCOL_VERSION, client: 'ui' });
    const q = client.call('queue', {});
    const g = client.call('get', { id: 9 });
    b.reply('queue', { paused: true, concurrency: 1, running: 0 });
    b.push({ id: b.sent.find((x) => x.method === 'get')!.id, error: { code: 'not_found', message: 'No job #9.', field: 'id' } });
    await expect(q).resolves.toEqual({ paused: true, concurrency: 1, running: 0 });
    await expect(g).rejects.toMatchObject({ code: 'not_found', message: 'No job #9.', field: 'id' });
  });

  test('syncs from the snapshot, pages in the rest, and forwards only later events, all in frame order', async () => {
    const b = new FakeBridge();
    const { got } = start(b);
    await handshake(b);
    b.push({ event: { type: 'removed', ids: [1] } }); // part of the snapshot being built
    const cursor = { part: 2, afterId: 3, taken: 0, finishedLimit: 5000 };
    b.reply('snapshot', { ...snapshot([job({ id: 3 })]), cursor });
    expect(got.syncs).toHaveLength(1);
    expect(got.states).toEqual(['connecting', 'open']);
    expect(b.sent.at(-1)).toMatchObject({ method: 'snapshotPage', params: { cursor } });
    // an event read before the page's reply is delivered before the page
    b.push({ event: { type: 'removed', ids: [2] } });
    b.reply('snapshotPage', { jobs: [job({ id: 4 }), job({ id: 5 })], cursor: null });
    expect(got.events).toEqual([{ type: 'removed', ids: [2] }]);
    expect(got.pages).toEqual([[4, 5]]);
    expect(b.sent.filter((x) => x.method === 'snapshotPage')).toHaveLength(1);
  });

  test('the host closing the connection (null frame) rejects pending calls; a new connection resyncs', async () => {
    const b = new FakeBridge();
    const { client, got, timers } = start(b);
    await handshake(b);
    b.reply('snapshot', snapshot([job({ id: 1 })]));
    const pending = client.call('status', {});
    b.push(null);
    await expect(pending).rejects.toMatchObject({ code: 'busy' });
    expect(got.states.at(-1)).toBe('reconnecting');
    timers.shift()!();
    await tick();
    expect(b.opened).toBe(2);
    const hellos = b.sent.filter((x) => x.method === 'hello');
    b.push({ id: hellos.at(-1)!.id, result: { protocolVersion: PROTOCOL_VERSION, hostVersion: '0.1.0', pid: 1, home: '/h' } });
    b.reply('subscribe', { ok: true });
    b.reply('snapshot', snapshot([job({ id: 2 })]));
    expect(got.syncs.map((x) => x.jobs.map((j) => j.id))).toEqual([[1], [2]]);
    expect(got.states.at(-1)).toBe('open');
  });

  test('a malformed frame fails the calls in flight and resyncs, never throws', async () => {
    const b = new FakeBridge();
    const { client, got } = start(b);
    await handshake(b);
    b.reply('snapshot', snapshot([]));
    const pending = client.call('status', {});
    expect(() => b.raw('{"id": 7, "result": ')).not.toThrow();
    await expect(pending).rejects.toMatchObject({ code: 'internal', message: expect.stringMatching(/malformed frame/) });
    expect(got.states.at(-1)).toBe('reconnecting');
  });

  test('stop closes the connection; shell commands pass through', async () => {
    let fire: ((c: ShellCommand) => void) | null = null;
    const b = Object.assign(new FakeBridge(), { onShell: (fn: (c: ShellCommand) => void) => ((fire = fn), () => {}) });
    const { client, stop } = start(b);
    await handshake(b);
    const got: unknown[] = [];
    client.onShell!((c) => got.push(c));
    fire!({ type: 'new-job' });
    expect(got).toEqual([{ type: 'new-job' }]);
    stop();
    expect(b.closed).toBe(1);
    await expect(client.call('status', {})).rejects.toMatchObject({ code: 'busy' });
  });
});
