import { contextBridge, ipcRenderer } from 'electron';
import { IPC } from '../contract/bridge';
import type { ErrandBridge, ShellCommand } from './api-types';

// The renderer's only door to the host: text frames both ways on one ordered channel
// (the socket's frames; main checks the sender of each one), and a channel for shell
// commands (open job #12, new job). Nothing else from Node or Electron reaches the page.
const pendingShell: ShellCommand[] = [];
const shellListeners = new Set<(command: ShellCommand) => void>();
const frameListeners = new Set<(frame: string | null) => void>();

ipcRenderer.on(IPC.shell, (_e: unknown, command: ShellCommand) => {
  if (!shellListeners.size) pendingShell.push(command);
  for (const fn of shellListeners) fn(command);
});
ipcRenderer.on(IPC.frame, (_e: unknown, frame: unknown) => {
  const f = typeof frame === 'string' ? frame : null;
  for (const fn of frameListeners) fn(f);
});

const bridge: ErrandBridge = {
  open: () => ipcRenderer.send(IPC.open),
  send: (frame) => ipcRenderer.send(IPC.frame, String(frame)),
  close: () => ipcRenderer.send(IPC.close),
  onFrame: (fn) => {
    frameListeners.add(fn);
    return () => frameListeners.delete(fn);
  },
  onShell: (fn) => {
    shellListeners.add(fn);
    for (const command of pendingShell.splice(0)) fn(command);
    return () => shellListeners.delete(fn);
  },
};

contextBridge.exposeInMainWorld('errand', bridge);
