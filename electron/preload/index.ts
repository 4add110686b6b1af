import { contextBridge, ipcRenderer } from 'electron';
import type { ErrandBridge } from './api-types';

// The renderer's only door to the host: one invoke channel and one event channel.
// Every input is validated again by the host; the sender is checked in main.
const bridge: ErrandBridge = {
  call: (method, input) => ipcRenderer.invoke('errand:call', method, input),
  onEvent: (fn) => {
    const handler = (_e: unknown, event: Parameters<typeof fn>[0]): void => fn(event);
    ipcRenderer.on('errand:event', handler);
    return () => ipcRenderer.off('errand:event', handler);
  },
};

contextBridge.exposeInMainWorld('errand', bridge);
