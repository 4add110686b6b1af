import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ErrandError } from '../../../electron/contract/errors';
import type { HostEvent } from '../../../electron/contract/events';
import { type Host, startHost } from '../../../electron/host/host';
import { CALL_CHANNEL, EVENT_CHANNEL, callHandler, envelope, forwardEvents, isTrustedSender, registerIpc, toErrorPayload } from '../../../electron/main/ipc';
import type { RendererTarget } from '../../../electron/main/window';
import { tempHome } from '../../helpers/temp-home';

const INDEX = path.resolve('/app/out/renderer/index.html');
const FILE: RendererTarget = { kind: 'file', file: INDEX };
const DEV: RendererTarget = { kind: 'url', url: 'http://localhost:5173/' };
const top = (url: string) => ({ url, parent: null });
const fileUrl = pathToFileURL(INDEX).href;

describe('isTrustedSender', () => {
  test('our built page over file://, with any hash or query', () => {
    expect(isTrustedSender(top(fileUrl), FILE)).toBe(true);
    expect(isTrustedSender(top(`${fileUrl}#/job/12`), FILE)).toBe(true);
    expect(isTrustedSender(top(`${fileUrl}?x=1`), FILE)).toBe(true);
  });

  test('other files, other schemes and look-alike paths are refused', () => {
    expect(isTrustedSender(top(pathToFileURL('/app/out/renderer/other.html').href), FILE)).toBe(false);
    expect(isTrustedSender(top(pathToFileURL('/tmp/evil/out/renderer/index.html').href), FILE)).toBe(false);
    expect(isTrustedSender(top(`${fileUrl}/../../../../tmp/x.html`), FILE)).toBe(false);
    expect(isTrustedSender(top('https://example.com/index.html'), FILE)).toBe(false);
    expect(isTrustedSender(top('file://evil-host/app/out/renderer/index.html'), FILE)).toBe(false);
    expect(isTrustedSender(top('not a url'), FILE)).toBe(false);
    expect(isTrustedSender(top('about:blank'), FILE)).toBe(false);
  });

  test('case matters on POSIX only', () => {
    const upper = top(fileUrl.replace('/renderer/', '/RENDERER/'));
    expect(isTrustedSender(upper, FILE, 'linux')).toBe(false);
    expect(isTrustedSender(upper, FILE, 'win32')).toBe(true);
  });

  test('subframes and destroyed frames are refused', () => {
    expect(isTrustedSender({ url: fileUrl, parent: {} }, FILE)).toBe(false);
    expect(isTrustedSender(null, FILE)).toBe(false);
    expect(isTrustedSender(undefined, FILE)).toBe(false);
  });

  test('dev server: same origin only', () => {
    expect(isTrustedSender(top('http://localhost:5173/#/x'), DEV)).toBe(true);
    expect(isTrustedSender(top('http://localhost:5174/'), DEV)).toBe(false);
    expect(isTrustedSender(top('http://127.0.0.1:5173/'), DEV)).toBe(false);
    expect(isTrustedSender(top(fileUrl), DEV)).toBe(false);
  });
});

describe('envelope', () => {
  test('a result is wrapped', async () => {
    expect(await envelope(async () => ({ ok: true }))).toEqual({ result: { ok: true } });
  });

  test('an ErrandError keeps code, message and field', async () => {
    const r = await envelope(async () => {
      throw new ErrandError('invalid_input', 'Invalid add input: priority must be at most 1000.', 'priority');
    });
    expect(r).toEqual({ error: { code: 'invalid_input', message: 'Invalid add input: priority must be at most 1000.', field: 'priority' } });
  });

  test('anything else becomes internal and is logged; never rejects', async () => {
    const log = { warn: vi.fn(), error: vi.fn() };
    const r = await envelope(async () => {
      throw new TypeError('boom');
    }, log);
    expect(r).toEqual({ error: { code: 'internal', message: 'Internal error: boom' } });
    expect(log.error).toHaveBeenCalledOnce();
    expect(toErrorPayload('plain string')).toEqual({ code: 'internal', message: 'Internal error: plain string' });
    // an object with an unknown code is not trusted as an ErrorPayload
    expect(toErrorPayload({ code: 'EACCES', message: 'denied' }).code).toBe('internal');
  });
});

describe('callHandler', () => {
  test('refuses untrusted senders without calling the host', async () => {
    const host = { call: vi.fn() };
    const reply = await callHandler(host, FILE)({ senderFrame: top('https://evil.example/') as never }, 'status', {});
    expect(reply).toEqual({ error: { code: 'unauthorized', message: 'This frame may not call Errand.' } });
    expect(host.call).not.toHaveBeenCalled();
  });

  test('forwards trusted calls as the ui', async () => {
    const host = { call: vi.fn(async () => ({ line: 'idle' })) };
    const reply = await callHandler(host as never, FILE)({ senderFrame: top(fileUrl) as never }, 'status', {});
    expect(reply).toEqual({ result: { line: 'idle' } });
    expect(host.call).toHaveBeenCalledWith('status', {}, { by: 'ui' });
  });

  test('registerIpc registers and removes the one channel', () => {
    const ipc = { handle: vi.fn(), removeHandler: vi.fn() };
    const dispose = registerIpc(ipc, { call: vi.fn() } as never, FILE);
    expect(ipc.handle).toHaveBeenCalledWith(CALL_CHANNEL, expect.any(Function));
    dispose();
    expect(ipc.removeHandler).toHaveBeenCalledWith(CALL_CHANNEL);
  });
});

describe('forwardEvents', () => {
  test('sends events while the window lives, skips when it is gone', () => {
    let listener: ((e: HostEvent) => void) | null = null;
    const host = { listen: (fn: (e: HostEvent) => void) => ((listener = fn), () => (listener = null)) };
    const wc = { send: vi.fn(), isDestroyed: vi.fn(() => false) };
    let current: typeof wc | null = wc;
    const off = forwardEvents(host, () => current);
    const ev: HostEvent = { type: 'removed', ids: [1] };
    listener!(ev);
    expect(wc.send).toHaveBeenCalledWith(EVENT_CHANNEL, ev);
    wc.isDestroyed.mockReturnValue(true);
    listener!(ev);
    current = null;
    listener!(ev);
    expect(wc.send).toHaveBeenCalledTimes(1);
    off();
    expect(listener).toBeNull();
  });
});

describe('errand:call against a real host', () => {
  let host: Host;
  let cleanup: () => void;
  let home: string;
  beforeAll(async () => {
    ({ home, cleanup } = tempHome('errand-ipc-'));
    host = await startHost({ home, socket: false });
  });
  afterAll(async () => {
    await host.close();
    cleanup();
  });
  const call = (method: unknown, input: unknown) => callHandler(host, FILE)({ senderFrame: top(fileUrl) as never }, method, input);

  test('status works', async () => {
    const reply = await call('status', {});
    expect(reply).toMatchObject({ result: { line: 'idle', attention: { needsYou: 0, unreadResults: 0 } } });
  });

  test('invalid input comes back as data with the field at fault', async () => {
    const reply = await call('add', { command: { argv: ['true'] }, cwd: home, priority: 5000 });
    expect(reply).toMatchObject({ error: { code: 'invalid_input', field: 'priority' } });
  });

  test('an unknown method is refused, not thrown', async () => {
    const reply = await call('dropTables', {});
    expect(reply).toMatchObject({ error: { code: 'invalid_input', field: 'method' } });
  });

  test('a missing job is not_found', async () => {
    expect(await call('get', { id: 999 })).toMatchObject({ error: { code: 'not_found' } });
  });

  test('the audit trail records the ui as the caller', async () => {
    const added = await call('add', { command: { argv: ['true'] }, cwd: home, title: 'cancelled by ui', delayMs: 60_000 });
    const id = (added as { result: { id: number } }).result.id;
    expect(await call('cancel', { ids: [id] })).toMatchObject({ result: { jobs: [{ id, status: 'cancelled' }] } });
    const detail = (await call('get', { id })) as { result: { events: { by: string }[] } };
    expect(detail.result.events.map((e) => e.by)).toContain('ui');
  });
});
