import { EventEmitter } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { IPC } from '../../../electron/contract/bridge';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from '../../../electron/contract/protocol';
import { silentLogger } from '../../../electron/core/logger';
import { type Host, startHost } from '../../../electron/host/host';
import { frameIpc, isTrustedSender, registerIpc } from '../../../electron/main/ipc';
import { hostLink, type OpenLink } from '../../../electron/main/window-link';
import type { RendererTarget } from '../../../electron/main/window';
import { tempHome, until } from '../../helpers/temp-home';

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

/** A page as main sees it: IPC events from one webContents, and the frames main sends back. */
function page(url: string) {
  const frames: (string | null)[] = [];
  const sender = Object.assign(new EventEmitter(), {
    id: Math.floor(Math.random() * 1e9),
    isDestroyed: () => false,
    send: (channel: string, frame: string | null) => {
      if (channel === IPC.frame) frames.push(frame);
    },
  });
  const event = { sender, senderFrame: top(url), reply: (channel: string, frame: string | null) => sender.send(channel, frame) };
  return { event: event as never, frames, sender, parsed: () => frames.map((f) => (f === null ? null : JSON.parse(f))) };
}

/** An OpenLink that records what reaches it. */
function recordingLink() {
  const opened: { received: string[]; closed: boolean; send: (f: string | null) => void }[] = [];
  const open: OpenLink = (send) => {
    const l = { received: [] as string[], closed: false, send };
    opened.push(l);
    return { receive: (t) => l.received.push(t), close: () => (l.closed = true) };
  };
  return { open, opened };
}

describe('frameIpc', () => {
  test('refuses other frames: nothing reaches the host, a request still gets an error with its id', () => {
    const { open, opened } = recordingLink();
    const log = { warn: vi.fn() };
    const ipc = frameIpc(open, FILE, log);
    const evil = page('https://evil.example/');
    ipc.open(evil.event);
    ipc.frame(evil.event, '{"id":7,"method":"status","params":{}}');
    expect(opened).toEqual([]);
    expect(evil.parsed()).toEqual([{ id: 7, error: { code: 'unauthorized', message: 'This frame may not call Errand.' } }]);
    expect(log.warn).toHaveBeenCalledTimes(2);
  });

  test('one link per page: frames go to it, its frames come back; a reload opens a fresh one; the page going away closes it', () => {
    const { open, opened } = recordingLink();
    const ipc = frameIpc(open, FILE);
    const p = page(fileUrl);
    ipc.open(p.event);
    ipc.frame(p.event, 'a');
    opened[0]!.send('reply a');
    ipc.open(p.event); // the page reloaded
    expect(opened[0]!.closed).toBe(true);
    opened[0]!.send('late reply of the old page'); // dropped
    ipc.frame(p.event, 'b');
    expect(opened.map((l) => l.received)).toEqual([['a'], ['b']]);
    expect(p.frames).toEqual(['reply a']);
    p.sender.emit('destroyed');
    expect(opened[1]!.closed).toBe(true);
  });

  test('a frame before open opens the link; close closes it; a link that ends tells the page (null)', () => {
    const { open, opened } = recordingLink();
    const ipc = frameIpc(open, FILE);
    const p = page(fileUrl);
    ipc.frame(p.event, 'x');
    expect(opened).toHaveLength(1);
    opened[0]!.send(null);
    expect(p.frames).toEqual([null]);
    ipc.frame(p.event, 'y');
    expect(opened).toHaveLength(2);
    ipc.close(p.event);
    expect(opened[1]!.closed).toBe(true);
  });

  test('registerIpc registers the three channels and removes them, closing every link', () => {
    const ipcMain = { on: vi.fn(), removeListener: vi.fn() };
    const { open, opened } = recordingLink();
    const dispose = registerIpc(ipcMain as never, open, FILE);
    expect(ipcMain.on.mock.calls.map((c) => c[0]).sort()).toEqual([IPC.close, IPC.frame, IPC.open]);
    const onFrame = ipcMain.on.mock.calls.find((c) => c[0] === IPC.frame)![1] as (e: unknown, t: string) => void;
    onFrame(page(fileUrl).event, 'x');
    dispose();
    expect(ipcMain.removeListener).toHaveBeenCalledTimes(3);
    expect(opened[0]!.closed).toBe(true);
  });
});

describe('IPC frames against a real host', () => {
  let host: Host;
  let cleanup: () => void;
  let home: string;
  let ipc: ReturnType<typeof frameIpc>;
  beforeAll(async () => {
    ({ home, cleanup } = tempHome('errand-ipc-'));
    host = await startHost({ home, socket: false });
    ipc = frameIpc(hostLink(host, silentLogger), FILE);
  });
  afterAll(async () => {
    ipc.dispose();
    await host.close();
    cleanup();
  });

  let nextId = 1;
  /** Sends request frames on a page's connection; the host answers synchronously, so replies are there at once. */
  function exchange(p: ReturnType<typeof page>, method: string, params: unknown): Promise<{ id: number; result?: unknown; error?: { code: string; field?: string } }> {
    const id = nextId++;
    ipc.frame(p.event, JSON.stringify({ id, method, params }));
    return until(() => p.parsed().find((f) => f?.id === id), 10_000, `reply ${id}`);
  }
  async function greeted() {
    const p = page(fileUrl);
    ipc.open(p.event);
    expect((await exchange(p, 'hello', { protocolVersion: PROTOCOL_VERSION, client: 'ui' })).result).toMatchObject({ protocolVersion: PROTOCOL_VERSION });
    return p;
  }

  test('status works; bad input, unknown methods and missing jobs come back as errors', async () => {
    const p = await greeted();
    expect(await exchange(p, 'status', {})).toMatchObject({ result: { line: 'idle', attention: { needsYou: 0, unreadResults: 0 } } });
    expect(await exchange(p, 'add', { command: { argv: ['true'] }, cwd: home, priority: 5000 })).toMatchObject({ error: { code: 'invalid_input', field: 'priority' } });
    expect(await exchange(p, 'dropTables', {})).toMatchObject({ error: { code: 'invalid_input', field: 'method' } });
    expect(await exchange(p, 'get', { id: 999 })).toMatchObject({ error: { code: 'not_found' } });
  });

  test('a frame over MAX_FRAME_BYTES is answered with its id', async () => {
    const p = await greeted();
    const big = `{"id":4242,"method":"list","params":{"x":"${'x'.repeat(MAX_FRAME_BYTES)}"}}`;
    ipc.frame(p.event, big);
    expect(p.parsed().find((f) => f?.id === 4242)).toMatchObject({ error: { code: 'invalid_input', message: expect.stringMatching(/larger than 4 MB/) } });
  });

  test('the audit trail records the ui as the caller', async () => {
    const p = await greeted();
    const added = await exchange(p, 'add', { command: { argv: ['true'] }, cwd: home, title: 'cancelled by ui', delayMs: 60_000 });
    const id = (added.result as { id: number }).id;
    expect(await exchange(p, 'cancel', { ids: [id] })).toMatchObject({ result: { jobs: [{ id, status: 'cancelled' }] } });
    const detail = await exchange(p, 'get', { id });
    expect((detail.result as { events: { by: string }[] }).events.map((e) => e.by)).toContain('ui');
  });
});
