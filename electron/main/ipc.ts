// The renderer's IPC door: text frames in on one channel and out on another (the
// socket's frames, in order), one host connection per window, and a shell channel for
// "open job #12" style commands from the tray. The sender is checked on every message.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { IpcMain, IpcMainEvent, WebContents } from 'electron';
import { IPC, type ShellCommand } from '../contract/bridge';
import { ErrandError } from '../contract/errors';
import { frameIdOf } from '../client/frame-id';
import type { FrameLink, OpenLink } from './window-link';
import type { RendererTarget } from './window';

export const SHELL_CHANNEL = IPC.shell;

/** Commands the shell sends the job window; the contract defines them for both ends. */
export type { ShellCommand };

interface Logger {
  warn(msg: string, ...rest: unknown[]): void;
}

/** The frame that sent an IPC message: its URL and whether it is a top-level frame. */
export interface SenderFrame {
  url: string;
  parent: unknown;
}

/**
 * True only for the top frame of our own renderer: the built index.html over file://
 * (query and hash ignored), or the dev server's origin in development.
 */
export function isTrustedSender(frame: SenderFrame | null | undefined, target: RendererTarget, platform: NodeJS.Platform = process.platform): boolean {
  if (!frame || frame.parent) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  if (target.kind === 'url') {
    return url.origin === new URL(target.url).origin;
  }
  if (url.protocol !== 'file:' || (url.host !== '' && url.host !== 'localhost')) return false;
  url.search = '';
  url.hash = '';
  try {
    const a = path.resolve(fileURLToPath(url));
    const b = path.resolve(target.file);
    // Windows paths are case-insensitive (and drive letters come either way)
    return platform === 'win32' ? a.toLowerCase() === b.toLowerCase() : a === b;
  } catch {
    return false;
  }
}

type Sender = Pick<WebContents, 'id' | 'send' | 'isDestroyed' | 'once'>;
export type FrameEvent = Pick<IpcMainEvent, 'senderFrame' | 'reply'> & { sender: Sender };

/**
 * The IPC side of the frame transport: a link per window (by webContents), opened by the
 * page (a reload opens a fresh one), closed with the page or when it asks. Messages from
 * any other frame are refused; a refused request still gets an error reply with its id.
 */
export function frameIpc(openLink: OpenLink, target: RendererTarget, log?: Logger) {
  const links = new Map<number, FrameLink>();
  const watched = new WeakSet<Sender>();

  const trusted = (e: FrameEvent, what: string): boolean => {
    if (isTrustedSender(e.senderFrame, target)) return true;
    log?.warn(`refused IPC ${what} from ${e.senderFrame?.url ?? 'a closed frame'}`);
    return false;
  };
  const drop = (id: number): void => {
    const link = links.get(id);
    links.delete(id);
    link?.close();
  };
  const open = (e: FrameEvent): FrameLink => {
    const wc = e.sender;
    drop(wc.id);
    const link: FrameLink = openLink((frame) => {
      if (links.get(wc.id) !== link) return;
      if (frame === null) links.delete(wc.id);
      if (!wc.isDestroyed()) wc.send(IPC.frame, frame);
    });
    links.set(wc.id, link);
    if (!watched.has(wc)) {
      watched.add(wc);
      // the window is gone: its subscription and waiters go with it
      wc.once('destroyed', () => drop(wc.id));
    }
    return link;
  };

  return {
    open: (e: FrameEvent): void => {
      if (trusted(e, 'open')) open(e);
    },
    frame: (e: FrameEvent, text: unknown): void => {
      if (typeof text !== 'string') return;
      if (!trusted(e, 'call')) {
        const err = new ErrandError('unauthorized', 'This frame may not call Errand.');
        e.reply(IPC.frame, JSON.stringify({ id: frameIdOf(text.slice(0, 64)), error: err.toJSON() }));
        return;
      }
      (links.get(e.sender.id) ?? open(e)).receive(text);
    },
    close: (e: FrameEvent): void => {
      if (trusted(e, 'close')) drop(e.sender.id);
    },
    /** Closes every window's link (the host is going away). */
    dispose: (): void => {
      for (const id of [...links.keys()]) drop(id);
    },
  };
}

export function registerIpc(ipcMain: Pick<IpcMain, 'on' | 'removeListener'>, openLink: OpenLink, target: RendererTarget, log?: Logger): () => void {
  const ipc = frameIpc(openLink, target, log);
  const on = {
    [IPC.open]: (e: IpcMainEvent) => ipc.open(e),
    [IPC.frame]: (e: IpcMainEvent, text: unknown) => ipc.frame(e, text),
    [IPC.close]: (e: IpcMainEvent) => ipc.close(e),
  };
  for (const [channel, fn] of Object.entries(on)) ipcMain.on(channel, fn as never);
  return () => {
    for (const [channel, fn] of Object.entries(on)) ipcMain.removeListener(channel, fn as never);
    ipc.dispose();
  };
}
