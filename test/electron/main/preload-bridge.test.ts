// The preload bridge with a fake ipcRenderer: what window.errand does, without Electron.
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import type { ErrandBridge, ShellCommand } from '../../../electron/contract/bridge';

const exposed = new Map<string, unknown>();
const ipc = Object.assign(new EventEmitter(), { invoke: vi.fn(async (..._args: unknown[]) => ({ result: 'ok' })) });

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
  beforeEach(() => ipc.invoke.mockClear());

  test('exposes exactly call, onEvent and onShell as window.errand', async () => {
    const bridge = await loadBridge();
    expect([...exposed.keys()]).toEqual(['errand']);
    expect(Object.keys(bridge).sort()).toEqual(['call', 'onEvent', 'onShell']);
  });

  test('call goes through the one invoke channel', async () => {
    const bridge = await loadBridge();
    await expect(bridge.call('status', {})).resolves.toEqual({ result: 'ok' });
    expect(ipc.invoke).toHaveBeenCalledWith('errand:call', 'status', {});
  });

  test('onEvent delivers events until unsubscribed', async () => {
    const bridge = await loadBridge();
    const seen: unknown[] = [];
    const off = bridge.onEvent((e) => seen.push(e));
    ipc.emit('errand:event', {}, { type: 'removed', ids: [1] });
    off();
    ipc.emit('errand:event', {}, { type: 'removed', ids: [2] });
    expect(seen).toEqual([{ type: 'removed', ids: [1] }]);
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
