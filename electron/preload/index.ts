import { contextBridge, ipcRenderer } from 'electron';
import type { ErrandBridge, ShellCommand } from './api-types';

// The renderer's only door to the host: one invoke channel, one event channel, and one
// channel for shell commands (open job #12, new job). Every input is validated again
// by the host; the sender is checked in main. Nothing else from Node or Electron
// reaches the page.
const pendingShell: ShellCommand[] = [];
const shellListeners = new Set<(command: ShellCommand) => void>();

ipcRenderer.on('errand:shell', (_e: unknown, command: ShellCommand) => {
  if (!shellListeners.size) pendingShell.push(command);
  for (const fn of shellListeners) fn(command);
});

const bridge: ErrandBridge = {
  call: (method, input) => ipcRenderer.invoke('errand:call', method, input),
  onEvent: (fn) => {
    const handler = (_e: unknown, event: Parameters<typeof fn>[0]): void => fn(event);
    ipcRenderer.on('errand:event', handler);
    return () => ipcRenderer.off('errand:event', handler);
  },
  onShell: (fn) => {
    shellListeners.add(fn);
    for (const command of pendingShell.splice(0)) fn(command);
    return () => shellListeners.delete(fn);
  },
};

contextBridge.exposeInMainWorld('errand', bridge);
