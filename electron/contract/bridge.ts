// The Electron IPC transport's shape, shared by the preload (electron/preload/index.ts),
// main (electron/main/ipc.ts) and the renderer's client (electron/client/ipc.ts). It
// carries the socket's text frames on one ordered channel each way, so a reply and the
// events around it arrive in the order the host sent them.

/** IPC channel names. */
export const IPC = {
  /** renderer → main: start a fresh connection for this page (drops its previous one). */
  open: 'errand:open',
  /** renderer → main: a request frame; main → renderer: a reply or event frame, or null once closed. */
  frame: 'errand:frame',
  /** renderer → main: close this page's connection. */
  close: 'errand:close',
  /** main → renderer: a ShellCommand. */
  shell: 'errand:shell',
} as const;

/**
 * What the tray shell asks of the job window: open a job (a notification or tray row
 * was clicked) or start a new one (Ctrl/Cmd+Shift+N).
 */
export type ShellCommand = { type: 'open-job'; id: number } | { type: 'new-job' };

/** Frames over the preload, as the client's IPC transport uses them. */
export interface FrameBridge {
  open(): void;
  send(frame: string): void;
  /** Frames from the host in order; null when the host closed this page's connection. */
  onFrame(fn: (frame: string | null) => void): () => void;
  close(): void;
}

/** What the preload exposes as window.errand. */
export interface ErrandBridge extends FrameBridge {
  /**
   * Commands from the shell. Ones sent before the first subscriber are kept and
   * delivered on subscribe, so a click that opened the window is not lost while the
   * renderer starts. Optional so test doubles need not implement it; the preload always does.
   */
  onShell?(fn: (command: ShellCommand) => void): () => void;
}
