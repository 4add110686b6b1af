import fs from 'node:fs';
import path from 'node:path';
import type { Input, MethodName, Output } from '../contract/api';
import { Engine } from '../core/engine';
import type { Dispose, Listener } from '../core/event-hub';
import { type Logger, silentLogger } from '../core/logger';
import type { Runner } from '../core/runners/runner';
import { socketPath } from '../client/node/paths';
import { type CallContext, type Handlers, createHandlers, dispatch } from './api';
import { acquireLock } from './lock';
import { type SocketServer, serveSocket } from './socket-server';

export type { Logger };

export interface HostOptions {
  home: string;
  nativeBinding?: string | undefined;
  logger?: Logger;
  /** Listen on the data dir's socket (default true). */
  socket?: boolean;
  binDir?: string | undefined;
  killGraceMs?: number;
  coalesceMs?: number;
  /** Start jobs through the small spawner helper (core/runners/spawner.ts); the engine's default when unset. */
  spawner?: boolean;
  /** More runners (or replacements of built-in ones): tests give stand-in agents this way. */
  runners?: readonly Runner[];
}

export interface Host {
  readonly home: string;
  readonly socketPath: string | null;
  readonly handlers: Handlers;
  /** Calls the API in-process with contract validation, as a transport would. */
  call<K extends MethodName>(method: K, input: Input<K>, ctx?: CallContext): Promise<Output<K>>;
  listen(fn: Listener): Dispose;
  close(): Promise<void>;
  /** Resolves once the host has shut down (by close() or the shutdown method). */
  readonly closed: Promise<void>;
}

/** What a client of a host needs, whether the host runs in this process or another. */
export type HostLike = Pick<Host, 'home' | 'call' | 'listen' | 'close' | 'closed'> & {
  /** True when another process owns the store: closing only disconnects. */
  readonly remote?: boolean;
};

/** Starts the one owner of a data dir: lock, engine, socket transport. */
export async function startHost(opts: HostOptions): Promise<Host> {
  const home = path.resolve(opts.home);
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  const log = opts.logger ?? silentLogger;
  const release = acquireLock(home, { nativeBinding: opts.nativeBinding });
  let engine: Engine;
  try {
    engine = Engine.open({ home, nativeBinding: opts.nativeBinding, logger: log, binDir: opts.binDir, killGraceMs: opts.killGraceMs, coalesceMs: opts.coalesceMs, spawner: opts.spawner, runners: opts.runners });
  } catch (e) {
    release();
    throw e;
  }
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | null = null;
  let server: SocketServer | null = null;

  const close = (): Promise<void> =>
    (closing ??= (async () => {
      log.info('host shutting down');
      await server?.close();
      await engine.close();
      release();
      log.info('host stopped');
      resolveClosed();
    })());

  const handlers = createHandlers(engine, { shutdown: () => void close() });
  const listen = (fn: Listener): Dispose => engine.listen(fn);
  if (opts.socket !== false) {
    try {
      server = await serveSocket(socketPath(home), { handlers, listen, log, by: 'cli' });
    } catch (e) {
      await engine.close();
      release();
      throw e;
    }
  }
  log.info(`host started (pid ${process.pid}) for ${home}`);
  return {
    home,
    socketPath: server?.path ?? null,
    handlers,
    call: (method, input, ctx = { by: 'host' }) => dispatch(handlers, method, input, ctx) as never,
    listen,
    close,
    closed,
  };
}
