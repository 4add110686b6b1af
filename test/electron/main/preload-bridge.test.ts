// The preload bridge with a fake ipcRenderer: what window.errand does, without Electron.
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { ErrandBridge, ShellCommand } from '../../../electron/contract/bridge';

const exposed = new Map<string, unknown>();
const ipc = Object.assign(new EventEmitter(), { send: vi.fn((..._args: unknown[]) => {}) });

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: ipc,
}));

async function loadBridge(): Promise<ErrandBridge> {
  vi.resetModules();
  exposed.clear();
  ipc.removeAllListeners();
  await import('../../../electron/preload/index');
  return exposed.get('errand') as ErrandBridge;
}

describe('preload bridge', () => {
  beforeEach(() => ipc.send.mockClear());

  test('exposes exactly open, send, onFrame, close and onShell as window.errand', async () => {
    const bridge = await loadBridge();
    expect([...exposed.keys()]).toEqual(['errand']);
    expect(Object.keys(bridge).sort()).toEqual(['close', 'onFrame', 'onShell', 'open', 'send']);
  });

  test('open, send and close go to main as messages on their channels; frames are text', async () => {
    const bridge = await loadBridge();
    bridge.open();
    bridge.send('{"id":1,"method":"status"}');
    bridge.close();
    expect(ipc.send.mock.calls).toEqual([['errand:open'], ['errand:frame', '{"id":1,"method":"status"}'], ['errand:close']]);
  });

  test('onFrame delivers the host frames in order until unsubscribed; anything but text means closed', async () => {
    const bridge = await loadBridge();
    const seen: unknown[] = [];
    const off = bridge.onFrame((f) => seen.push(f));
    ipc.emit('errand:frame', {}, '{"event":{"type":"removed","ids":[1]}}');
    ipc.emit('errand:frame', {}, '{"id":1,"result":null}');
    ipc.emit('errand:frame', {}, null);
    off();
    ipc.emit('errand:frame', {}, '{"id":2,"result":null}');
    expect(seen).toEqual(['{"event":{"type":"removed","ids":[1]}}', '{"id":1,"result":null}', null]);
  });

  test('shell commands sent before anyone listens are delivered on subscribe, once', async () => {
    const bridge = await loadBridge();
    ipc.emit('errand:shell', {}, { type: 'open-job', id: 12 });
    const first: ShellCommand[] = [];
    const off = bridge.onShell!((c) => first.push(c));
    expect(first).toEqual([{ type: 'open-job', id: 12 }]);
    ipc.emit('errand:shell', {}, { type: 'new-job' });
    expect(first).toEqual([{ type: 'open-job', id: 12 }, { type: 'new-job' }]);
    off();
    const second: ShellCommand[] = [];
    bridge.onShell!((c) => second.push(c));
    expect(second).toEqual([]);
  });
});
