// The Electron IPC transport end to end without Electron: a client session over the
// preload's frame bridge, main's IPC handlers (sender checked), and a real host, either
// in-process (a Connection per window) or another process's (frames relayed to its socket).
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ipcConnector } from '../../../electron/client/ipc';
import { Session } from '../../../electron/client/session';
import { type ErrandBridge, IPC } from '../../../electron/contract/bridge';
import { silentLogger } from '../../../electron/core/logger';
import { type Host, startHost } from '../../../electron/host/host';
import { frameIpc } from '../../../electron/main/ipc';
import { hostLink, type OpenLink, socketRelay } from '../../../electron/main/window-link';
import { tempHome, until } from '../../helpers/temp-home';

const INDEX = path.resolve('/app/out/renderer/index.html');
const target = { kind: 'file' as const, file: INDEX };

/** A page: main's handlers on one side, the bridge the preload would expose on the other. */
function page(ipc: ReturnType<typeof frameIpc>): { bridge: ErrandBridge; destroy: () => void } {
  const listeners = new Set<(f: string | null) => void>();
  const sender = Object.assign(new EventEmitter(), {
    id: Math.floor(Math.random() * 1e9),
    isDestroyed: () => false,
    send: (channel: string, frame: string | null) => {
      if (channel === IPC.frame) for (const fn of [...listeners]) fn(frame);
    },
  });
  const event = { sender, senderFrame: { url: pathToFileURL(INDEX).href, parent: null }, reply: sender.send } as never;
  return {
    bridge: {
      open: () => ipc.open(event),
      send: (text) => ipc.frame(event, text),
      close: () => ipc.close(event),
      onFrame: (fn) => (listeners.add(fn), () => listeners.delete(fn)),
    },
    destroy: () => sender.emit('destroyed'),
  };
}

async function open(bridge: ErrandBridge): Promise<Session> {
  const s = new Session({ client: 'ui', connect: ipcConnector(bridge) });
  await new Promise<void>((resolve, reject) => {
    s.onState((st) => (st.kind === 'open' ? resolve() : st.kind === 'closed' ? reject(new Error(st.reason)) : undefined));
    s.start();
  });
  return s;
}

let host: Host;
let home: string;
let cleanup: () => void;
beforeAll(async () => {
  ({ home, cleanup } = tempHome('errand-ipc-client-'));
  host = await startHost({ home });
  await host.call('pause', {});
});
afterAll(async () => {
  await host.close();
  cleanup();
});

describe.each([
  ['in-process host (a Connection per window)', (): OpenLink => hostLink(host, silentLogger)],
  ['attached host (frames relayed to its socket)', (): OpenLink => socketRelay(host.socketPath!)],
])('IPC frames, %s', (_name, link) => {
  test('a reply and the events around it keep their order on the one channel', async () => {
    const ipc = frameIpc(link(), target);
    const s = await open(page(ipc).bridge);
    const job = await host.call('add', { command: { argv: ['true'] }, cwd: home, title: 'ipc order' });
    const seen: string[] = [];
    s.subscribe((e) => {
      if (e.type === 'job' && e.job.id === job.id) seen.push(`event ${e.job.priority}`);
    });
    await s.call('queue', {}); // subscribed once this answers (same channel, in order)
    // pipelined: both requests leave before either is answered
    s.request('prioritise', { id: job.id, priority: 5 }, (_e, r) => seen.push(`reply ${r?.priority}`));
    s.request('prioritise', { id: job.id, priority: 7 }, (_e, r) => seen.push(`reply ${r?.priority}`));
    await until(() => seen.length >= 4, 10_000, 'two replies and their events');
    expect(seen).toEqual(['event 5', 'reply 5', 'event 7', 'reply 7']);
    s.close();
    ipc.dispose();
  });

  test('calls, errors with their field, and the audit name of the window', async () => {
    const ipc = frameIpc(link(), target);
    const s = await open(page(ipc).bridge);
    await expect(s.call('prioritise', { id: 1, priority: 5000 })).rejects.toMatchObject({ code: 'invalid_input', field: 'priority' });
    const job = await s.call('add', { command: { argv: ['true'] }, cwd: home, title: 'by the window' });
    expect((await host.call('get', { id: job.id })).events[0]).toMatchObject({ by: 'ui' });
    s.close();
    ipc.dispose();
  });

  test('a page that goes away lets go of its approval waiter', async () => {
    const ipc = frameIpc(link(), target);
    const p = page(ipc);
    const s = await open(p.bridge);
    await host.call('resume', {});
    const job = await host.call('add', { command: { argv: ['sleep', '30'] }, cwd: home, title: 'asks' });
    await until(async () => (await host.call('get', { id: job.id })).job.status === 'running', 10_000, 'running');
    const original = host.handlers.awaitDecision;
    const waits: Promise<unknown>[] = [];
    host.handlers.awaitDecision = (i, c) => {
      const w = Promise.resolve(original(i, c));
      waits.push(w);
      return w;
    };
    try {
      const { approvalId } = await s.call('jobAsk', { jobId: job.id, attempt: 1, question: 'Go?' });
      void s.call('awaitDecision', { approvalId }).catch(() => {});
      await until(() => waits.length === 1, 5000, 'the host to wait');
      const outcome = waits[0]!.then(
        () => 'answered',
        (e: Error) => e.message,
      );
      p.destroy(); // the window closed: main closes its link, the host aborts the waiter
      expect(await Promise.race([outcome, new Promise((r) => setTimeout(() => r('still waiting'), 5000))])).toMatch(/went away/);
    } finally {
      host.handlers.awaitDecision = original;
    }
    expect(await host.call('approve', { id: job.id })).toMatchObject({ decision: 'approved' });
    await host.call('cancel', { ids: [job.id] });
    await host.call('pause', {});
    ipc.dispose();
  });
});
