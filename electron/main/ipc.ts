// The renderer's IPC door: one invoke channel in, one event channel out, one shell
// channel for "open job #12" style commands from the tray. The sender is checked on
// every call, and errors come back as data, never as a thrown IPC error, so the
// renderer keeps their code and field (see electron/contract/bridge.ts).
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { MethodName } from '../contract/api';
import type { BridgeReply, ShellCommand } from '../contract/bridge';
import { ERROR_CODES, type ErrorPayload } from '../contract/errors';
import type { HostEvent } from '../contract/events';
import type { Host } from '../host/host';
import type { RendererTarget } from './window';

export const CALL_CHANNEL = 'errand:call';
export const EVENT_CHANNEL = 'errand:event';
export const SHELL_CHANNEL = 'errand:shell';

/** Commands the shell sends the job window; the contract defines them for both ends. */
export type { ShellCommand };

export type Reply = BridgeReply<unknown>;

interface Logger {
  warn(msg: string, ...rest: unknown[]): void;
  error(msg: string, ...rest: unknown[]): void;
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

/** Any thrown value as the contract's error payload. Unknown errors become "internal". */
export function toErrorPayload(e: unknown): ErrorPayload {
  const x = e as { code?: unknown; message?: unknown; field?: unknown } | null;
  if (x && typeof x.code === 'string' && (ERROR_CODES as readonly string[]).includes(x.code) && typeof x.message === 'string') {
    const payload: ErrorPayload = { code: x.code as ErrorPayload['code'], message: x.message };
    if (typeof x.field === 'string') payload.field = x.field;
    return payload;
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: `Internal error: ${message}` };
}

/** Runs a call and wraps the outcome as { result } or { error }; never rejects. */
export async function envelope(run: () => Promise<unknown>, log?: Logger): Promise<Reply> {
  try {
    return { result: await run() };
  } catch (e) {
    const error = toErrorPayload(e);
    if (error.code === 'internal') log?.error('IPC call failed', e);
    return { error };
  }
}

export type CallHost = Pick<Host, 'call'>;

/** The handler behind errand:call, separated from ipcMain so it can be tested with fakes. */
export function callHandler(host: CallHost, target: RendererTarget, log?: Logger) {
  return (event: Pick<IpcMainInvokeEvent, 'senderFrame'>, method: unknown, input: unknown): Promise<Reply> => {
    if (!isTrustedSender(event.senderFrame, target)) {
      log?.warn(`refused an IPC call from ${event.senderFrame?.url ?? 'a closed frame'}`);
      return Promise.resolve({ error: { code: 'unauthorized', message: 'This frame may not call Errand.' } });
    }
    // host.call validates the method name and the input against the contract
    return envelope(() => host.call(method as MethodName, input as never, { by: 'ui' }), log);
  };
}

export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, host: CallHost, target: RendererTarget, log?: Logger): () => void {
  ipcMain.handle(CALL_CHANNEL, callHandler(host, target, log));
  return () => ipcMain.removeHandler(CALL_CHANNEL);
}

/** Forwards every host event to the window while it exists; returns the unsubscribe. */
export function forwardEvents(host: Pick<Host, 'listen'>, contents: () => Pick<WebContents, 'send' | 'isDestroyed'> | null): () => void {
  return host.listen((event: HostEvent) => {
    const wc = contents();
    if (wc && !wc.isDestroyed()) wc.send(EVENT_CHANNEL, event);
  });
}
