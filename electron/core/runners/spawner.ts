import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A small helper process that starts jobs on the host's behalf.
 *
 * fork() costs time in proportion to the forking process's memory: ~1.5 ms from a
 * small Node process, 3–5 ms from a host holding a store, a UI bridge and a bundle (more
 * in an Electron main process), and the host's event loop stands still meanwhile. The
 * helper is a bare Node process that does the mkdir/open/fork/exec on its own core and
 * reports back; the host only sends a message. Everything else stays with the host:
 * each job still leads its own process group, the host signals that group directly
 * (SIGTERM/SIGKILL by pgid), and the store records the pgid for recovery.
 *
 * If the helper dies, the host is still fine: jobs it had not started yet are started
 * directly; jobs it had started are reported lost, and their process groups ended.
 * When the host dies the helper notices (its IPC channel closes) and exits; jobs keep
 * running in their own groups exactly as with direct spawning, for recovery to end.
 */
const HELPER_SOURCE = `'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const send = (m) => { try { process.send(m); } catch {} };
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  if (!m || m.t !== 'spawn') return;
  let fd;
  try {
    fs.mkdirSync(path.dirname(m.logFile), { recursive: true, mode: 0o700 });
    fd = fs.openSync(m.logFile, 'a', 0o600);
    const c = spawn(m.file, m.args, { cwd: m.cwd, env: m.env, detached: true, stdio: ['ignore', fd, fd] });
    c.once('error', (e) => { if (c.pid === undefined) send({ t: 'error', id: m.id, code: e.code, message: e.message }); });
    if (c.pid !== undefined) {
      send({ t: 'spawned', id: m.id, pid: c.pid });
      c.once('exit', (code, signal) => send({ t: 'exit', id: m.id, code, signal }));
    }
  } catch (e) {
    send({ t: 'error', id: m.id, code: e && e.code, message: String(e && e.message) });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
});
send({ t: 'ready' });
`;

export interface SpawnRequest {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
}

export interface SpawnHandlers {
  spawned(pid: number): void;
  /** The program could not be started (ENOENT, EACCES, …). */
  failed(code: string | undefined, message: string): void;
  exited(code: number | null, signal: string | null): void;
  /**
   * The helper went away. `started`: it had reported the job started. `maybe`: it had
   * not, but it was up and may have started it just before dying.
   */
  lost(started: boolean, maybe: boolean): void;
}

type Message = { t: 'ready' } | { t: 'spawned'; id: number; pid: number } | { t: 'error'; id: number; code?: string; message: string } | { t: 'exit'; id: number; code: number | null; signal: string | null };

export interface SpawnerOptions {
  /** The Node binary for the helper (default process.execPath). */
  execPath?: string;
}

export class Spawner {
  private readonly child: ChildProcess;
  private readonly jobs = new Map<number, { h: SpawnHandlers; started: boolean }>();
  private nextId = 1;
  private alive = true;
  private ready = false;
  private readonly gone: Promise<void>;

  constructor(opts: SpawnerOptions = {}) {
    this.child = spawn(opts.execPath ?? process.execPath, ['-e', HELPER_SOURCE], {
      // ELECTRON_RUN_AS_NODE lets an Electron binary act as Node; plain Node ignores it
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      windowsHide: true,
    });
    this.gone = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      // a helper that could not start, or a write to one that died (EPIPE)
      this.child.on('error', () => {
        if (this.child.exitCode !== null || this.child.signalCode !== null || this.child.pid === undefined) resolve();
        else this.child.kill('SIGKILL');
        this.die();
      });
    });
    void this.gone.then(() => this.die());
    this.child.on('message', (m: Message) => this.receive(m));
    // The helper keeps the host alive only while it runs jobs for it, as the jobs'
    // own child processes would.
    this.child.unref();
    this.hold(false);
  }

  private hold(on: boolean): void {
    const channel = (this.child as unknown as { channel?: { ref(): void; unref(): void } }).channel;
    if (on) channel?.ref();
    else channel?.unref();
  }

  get running(): boolean {
    return this.alive;
  }

  /** Asks the helper to start a program; false when the helper is gone (start it directly then). */
  spawn(req: SpawnRequest, h: SpawnHandlers): boolean {
    if (!this.alive || !this.child.connected) return false;
    const id = this.nextId++;
    if (!this.jobs.size) this.hold(true);
    this.jobs.set(id, { h, started: false });
    try {
      // a failed write means the helper is gone: die() hands its jobs back (lost before start → direct)
      this.child.send({ t: 'spawn', id, ...req }, (err) => err && this.die());
    } catch {
      this.forget(id);
      return false;
    }
    return true;
  }

  /** Stops the helper (jobs it started are not touched: they lead their own groups). */
  async close(): Promise<void> {
    this.child.ref(); // wait for it to be gone, even in a host with nothing else to do
    if (this.child.connected) this.child.disconnect();
    await this.gone;
    this.child.unref();
  }

  private receive(m: Message): void {
    if (m.t === 'ready') {
      this.ready = true;
      return;
    }
    const job = this.jobs.get(m.id);
    if (!job) return;
    if (m.t === 'spawned') {
      job.started = true;
      job.h.spawned(m.pid);
    } else if (m.t === 'error') {
      this.forget(m.id);
      job.h.failed(m.code, m.message);
    } else {
      this.forget(m.id);
      job.h.exited(m.code, m.signal);
    }
  }

  private forget(id: number): void {
    this.jobs.delete(id);
    if (!this.jobs.size && this.alive) this.hold(false);
  }

  private die(): void {
    if (!this.alive) return;
    this.alive = false;
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    for (const j of jobs) j.h.lost(j.started, !j.started && this.ready);
  }
}
