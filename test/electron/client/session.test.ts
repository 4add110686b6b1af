import { describe, expect, test } from 'vitest';
import { type SessionOptions, Session, type SessionState } from '../../../electron/client/session';
import { ErrandError } from '../../../electron/contract/errors';
import type { HostEvent } from '../../../electron/contract/events';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../../electron/contract/protocol';
import { fakeConnector } from './fake-link';

function setup(opts: Partial<SessionOptions> = {}) {
  const { connect, links } = fakeConnector();
  const session = new Session({ client: 'test', connect, ...opts });
  const states: SessionState[] = [];
  const errors: Error[] = [];
  session.onState((s) => states.push(s));
  session.onError((e) => errors.push(e));
  session.start();
  return { session, links, states, errors, link: links[0]! };
}

const settled = async (p: Promise<unknown>): Promise<{ value?: unknown; error?: unknown }> => p.then((value) => ({ value }), (error: unknown) => ({ error }));

describe('handshake and calls', () => {
  test('hello first, with the protocol version and client name; open once answered; calls are matched by id', async () => {
    const t = setup();
    t.link.open();
    expect(t.link.sent).toEqual([{ id: 1, method: 'hello', params: { protocolVersion: PROTOCOL_VERSION, client: 'test' } }]);
    // not ready yet: a call fails at once instead of racing the handshake
    await expect(t.session.call('status', {})).rejects.toMatchObject({ code: 'busy' });
    t.link.reply('hello', { protocolVersion: PROTOCOL_VERSION, hostVersion: '1', pid: 9, home: '/h' });
    expect(t.states.at(-1)).toMatchObject({ kind: 'open', hello: { pid: 9 } });
    const a = t.session.call('queue', {});
    const b = t.session.call('get', { id: 3 });
    t.link.fail('get', { code: 'not_found', message: 'No job #3.', field: 'id' });
    t.link.reply('queue', { paused: false, concurrency: 2, running: 0 });
    await expect(a).resolves.toEqual({ paused: false, concurrency: 2, running: 0 });
    const err = (await settled(b)).error;
    expect(err).toBeInstanceOf(ErrandError);
    expect(err).toMatchObject({ code: 'not_found', message: 'No job #3.', field: 'id' });
    expect(new Set(t.link.sent.map((f) => f.id)).size).toBe(t.link.sent.length);
  });

  test('a refused hello (protocol mismatch) closes the session with the host’s words', async () => {
    const t = setup({ reconnect: { setTimer: () => 0 } });
    t.link.open();
    t.link.fail('hello', { code: 'invalid_input', message: 'Protocol mismatch: client speaks v1, host speaks v2.', field: 'protocolVersion' });
    expect(t.states.at(-1)).toMatchObject({ kind: 'closed', reason: 'Protocol mismatch: client speaks v1, host speaks v2.' });
    expect(t.link.closed).toBe(true);
    await t.session.closed;
  });

  test('replies and events are handed out in frame order, in the same turn (request callbacks)', () => {
    const t = setup();
    const seen: string[] = [];
    t.session.subscribe((e) => seen.push(`event ${(e as { ids: number[] }).ids[0]}`));
    t.link.greet();
    t.session.request('queue', {}, (_e, r) => seen.push(`reply ${r?.concurrency}`));
    t.link.push({ event: { type: 'removed', ids: [1] } });
    t.link.reply('queue', { paused: false, concurrency: 5, running: 0 });
    t.link.push({ event: { type: 'removed', ids: [2] } });
    expect(seen).toEqual(['event 1', 'reply 5', 'event 2']);
  });

  test('subscribe asks the host once; the last dispose unsubscribes', () => {
    const t = setup();
    t.link.greet();
    const events: HostEvent[] = [];
    const off1 = t.session.subscribe((e) => events.push(e));
    const off2 = t.session.subscribe(() => {});
    expect(t.link.sent.filter((f) => f.method === 'subscribe')).toHaveLength(1);
    t.link.push({ event: { type: 'removed', ids: [4] } });
    off1();
    off2();
    off2();
    expect(t.link.sent.filter((f) => f.method === 'unsubscribe')).toHaveLength(1);
    expect(events).toEqual([{ type: 'removed', ids: [4] }]);
  });
});

describe('bad frames never throw', () => {
  test('a malformed frame fails the calls in flight, is reported, and closes the session cleanly (no reconnect)', async () => {
    const t = setup();
    t.link.greet();
    const pending = t.session.call('status', {});
    expect(() => t.link.raw('{"id": 2, "result": {"line": ')).not.toThrow();
    expect((await settled(pending)).error).toMatchObject({ code: 'internal', message: expect.stringMatching(/malformed frame \(not JSON\)/) });
    expect(t.errors.map((e) => e.message)).toEqual([expect.stringMatching(/malformed frame/)]);
    expect(t.states.at(-1)).toMatchObject({ kind: 'closed' });
    expect(t.link.closed).toBe(true);
    await expect(t.session.call('status', {})).rejects.toMatchObject({ code: 'busy' });
  });

  test('with a reconnect policy a malformed frame means a fresh link, and the session works again', async () => {
    const timers: (() => void)[] = [];
    const t = setup({ reconnect: { setTimer: (fn) => timers.push(fn), backoff: () => 1 } });
    t.link.greet();
    for (const bad of ['[1,2]', 'null', '"text"', '{"neither":1}', '{"id":"x","result":1}', '{"event":null}']) {
      const live = t.links.at(-1)!;
      expect(() => live.raw(bad)).not.toThrow();
      expect(t.states.at(-1)).toMatchObject({ kind: 'reconnecting' });
      timers.shift()!();
      t.links.at(-1)!.greet();
    }
    expect(t.errors).toHaveLength(6);
    const ok = t.session.call('status', {});
    t.links.at(-1)!.reply('status', { line: 'idle' });
    await expect(ok).resolves.toEqual({ line: 'idle' });
  });

  test('a listener that throws is reported; the frames after it are still read', () => {
    const t = setup();
    const seen: number[] = [];
    t.session.subscribe(() => {
      throw new Error('listener bug');
    });
    t.session.subscribe((e) => seen.push((e as { ids: number[] }).ids[0]!));
    t.link.greet();
    t.link.push({ event: { type: 'removed', ids: [1] } });
    t.link.push({ event: { type: 'removed', ids: [2] } });
    expect(seen).toEqual([1, 2]);
    expect(t.errors.map((e) => e.message)).toEqual(['listener bug', 'listener bug']);
  });

  test('a reply too big for the transport fails the call its first bytes name; others go on', async () => {
    const t = setup();
    t.link.greet();
    const big = t.session.call('list', {});
    const small = t.session.call('status', {});
    t.link.sink.onOversize!(`{"id":${t.link.last('list').id},"result":{"jobs":[{"id":1,`, 256 * 1024 * 1024);
    t.link.reply('status', { line: 'idle' });
    expect((await settled(big)).error).toMatchObject({ message: expect.stringMatching(/reply to list is over 256 MB.*limit and afterId/) });
    await expect(small).resolves.toEqual({ line: 'idle' });
    // no id readable: reported, nothing else fails
    t.link.sink.onOversize!('{"event":{"type":"job"', 1024);
    expect(t.errors.at(-1)?.message).toMatch(/A frame from the host is over/);
  });

  test('an error reply with no id (the host could not read ours) is reported', () => {
    const t = setup();
    t.link.greet();
    t.link.push({ id: null, error: { code: 'invalid_input', message: 'Malformed frame: not JSON.' } });
    expect(t.errors.map((e) => e.message)).toEqual(['Malformed frame: not JSON.']);
    expect(t.states.at(-1)).toMatchObject({ kind: 'open' });
  });
});

describe('frames that cannot be sent fail at once', () => {
  test('a request over MAX_FRAME_BYTES is refused before it is sent, naming the limit', async () => {
    const t = setup();
    t.link.greet();
    const before = t.link.sent.length;
    const jobs = Array.from({ length: 2 }, () => ({ command: { shell: 'x'.repeat(MAX_FRAME_BYTES / 2) }, cwd: '/' }));
    await expect(t.session.call('addMany', { jobs })).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/over the host's limit of 4 MB per frame/) });
    // multi-byte text counts in bytes: 1.5 M three-byte characters are 4.5 MB
    await expect(t.session.call('add', { command: { shell: '€'.repeat(1_500_000) }, cwd: '/' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(t.link.sent.length).toBe(before);
  });

  test('a link that cannot take a frame fails that call; input that is not JSON too', async () => {
    const t = setup();
    t.link.greet();
    t.link.failSend = new Error('write after end');
    await expect(t.session.call('status', {})).rejects.toMatchObject({ code: 'busy', message: 'Could not send status to the Errand host: write after end.' });
    t.link.failSend = null;
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(t.session.call('status', cyclic as never)).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('closing', () => {
  test('pending calls reject when the transport closes; the closed promise resolves', async () => {
    const t = setup({ lostMessage: 'Lost the connection to the Errand host. Run the command again.' });
    t.link.greet();
    const a = t.session.call('status', {});
    const b = t.session.call('queue', {});
    t.link.drop('the host closed the connection');
    for (const p of [a, b]) expect((await settled(p)).error).toMatchObject({ code: 'internal', message: 'Lost the connection to the Errand host. Run the command again.' });
    await t.session.closed;
    expect(t.states.at(-1)).toMatchObject({ kind: 'closed', reason: 'the host closed the connection' });
  });

  test('a refused connection ends the session with the socket’s error (its code kept)', async () => {
    const t = setup();
    const refused = Object.assign(new Error('connect ECONNREFUSED /x.sock'), { code: 'ECONNREFUSED' });
    t.link.drop(refused.message, refused);
    expect(t.states.at(-1)).toEqual({ kind: 'closed', reason: refused.message, error: refused });
  });

  test('close() rejects what is pending and closes the link; frames of the old link are ignored', async () => {
    const t = setup();
    t.link.greet();
    const p = t.session.call('status', {});
    t.session.close();
    expect((await settled(p)).error).toMatchObject({ code: 'busy' });
    expect(t.link.closed).toBe(true);
    expect(() => t.link.push({ id: 2, result: {} })).not.toThrow();
    expect(t.states.at(-1)).toMatchObject({ kind: 'closed', reason: 'closed by the client' });
  });
});

describe('reconnect policy', () => {
  test('backoff grows while links fail, resets after a success; every new link greets and re-subscribes', () => {
    const timers: { fn: () => void; ms: number }[] = [];
    const t = setup({ reconnect: { setTimer: (fn, ms) => timers.push({ fn, ms }), backoff: (n) => n * 100 } });
    const events: HostEvent[] = [];
    t.session.subscribe((e) => events.push(e));
    t.link.greet();
    expect(t.link.sent.map((f) => f.method)).toEqual(['hello', 'subscribe']);
    t.link.drop('connection lost');
    expect(t.states.at(-1)).toEqual({ kind: 'reconnecting', attempt: 1, retryInMs: 100, reason: 'connection lost' });
    timers.shift()!.fn();
    t.links[1]!.drop('refused');
    expect(t.states.at(-1)).toMatchObject({ attempt: 2, retryInMs: 200 });
    timers.shift()!.fn();
    const third = t.links[2]!;
    third.open();
    third.reply('hello', { protocolVersion: PROTOCOL_VERSION, hostVersion: '1', pid: 1, home: '/h' });
    expect(third.sent.map((f) => f.method)).toEqual(['hello', 'subscribe']);
    third.reply('subscribe', { ok: true });
    expect(t.states.at(-1)).toMatchObject({ kind: 'open' });
    // the first link's late frames are not this session's any more
    t.link.push({ event: { type: 'removed', ids: [1] } });
    third.push({ event: { type: 'removed', ids: [2] } });
    expect(events).toEqual([{ type: 'removed', ids: [2] }]);
    third.drop();
    expect(t.states.at(-1)).toMatchObject({ kind: 'reconnecting', attempt: 1 });
  });

  test('after the diagnose count it asks whether retrying can help; a message ends the session', async () => {
    const timers: (() => void)[] = [];
    const t = setup({ reconnect: { setTimer: (fn) => timers.push(fn), backoff: () => 5, diagnose: async () => 'The access link is no longer valid.', diagnoseAfter: 2 } });
    t.link.drop();
    timers.shift()!();
    t.links[1]!.drop();
    await new Promise((r) => setTimeout(r, 0));
    expect(t.states.at(-1)).toMatchObject({ kind: 'closed', reason: 'The access link is no longer valid.' });
  });

  test('calls while reconnecting fail at once, saying so', async () => {
    const t = setup({ reconnect: { setTimer: () => 0 } });
    t.link.greet();
    t.link.drop();
    await expect(t.session.call('status', {})).rejects.toMatchObject({ code: 'busy', message: 'Not connected to the Errand host; reconnecting.' });
  });
});
