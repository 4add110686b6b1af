import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A small helper process that starts jobs on the host's behalf.
 *
 * fork() costs time in proportion to the forking process's memory: ~1.5 ms from a
 * small Node process, 3–5 ms from a host holding a store, a UI bridge and a bundle (more
 * in an Electron main process), and the host's event loop stands still meanwhile. The
 * helper is a bare Node process that does the mkdir/open/fork/exec on its own core and
 * reports back; the host only writes a line. Everything else stays with the host: each
 * job still leads its own process group, the host signals that group directly
 * (SIGTERM/SIGKILL by pgid), and the store records the pgid for recovery.
 *
 * The helper talks NDJSON over its stdin/stdout, not a Node IPC channel: a job's fds
 * 0–2 are replaced (stdin /dev/null, stdout and stderr the log), so no job inherits a
 * line to the host, and the helper's stdout reaches EOF exactly when the helper is gone.
 *
 * If the helper dies, the host is still fine: jobs it had not started yet are started
 * directly (after making sure they are not running: a job never runs twice); jobs it
 * had started are reported lost, and their process groups ended. When the host dies
 * the helper sees its stdin close and exits; jobs keep running in their own groups
 * exactly as with direct spawning, for recovery to end.
 */
const HELPER_SOURCE = `'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const send = (m) => { try { fs.writeSync(1, JSON.stringify(m) + '\\n'); } catch { process.exit(0); } };
const run = (m) => {
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
};
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  for (let nl = buf.indexOf('\\n'); nl >= 0; nl = buf.indexOf('\\n')) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    let m;
    try { m = JSON.parse(line); } catch { continue; }
    if (m && m.t === 'spawn') run(m);
  }
});
process.stdin.on('end', () => process.exit(0));
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
  private dead = false;
  private buf = '';
  private readonly gone: Promise<void>;

  constructor(opts: SpawnerOptions = {}) {
    this.child = spawn(opts.execPath ?? process.execPath, ['-e', HELPER_SOURCE], {
      // ELECTRON_RUN_AS_NODE lets an Electron binary act as Node; plain Node ignores it
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'inherit'],
      windowsHide: true,
    });
    this.gone = new Promise((resolve) => {
      // 'close' comes after the helper's stdout is drained: every message it sent has
      // been read, so "never reported started" really means it never said so
      this.child.once('close', () => resolve());
      this.child.on('error', () => {
        // could not start at all: there is no process, and nothing was started
        if (this.child.pid === undefined) resolve();
        else this.stop();
      });
    });
    void this.gone.then(() => this.die());
    this.child.stdin!.on('error', () => this.stop()); // EPIPE: it is going away
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (d: string) => this.read(d));
    // The helper keeps the host alive only while it runs jobs for it, as the jobs'
    // own child processes would.
    this.child.unref();
    this.hold(false);
  }

  get running(): boolean {
    return this.alive;
  }

  /** Asks the helper to start a program; false when the helper is gone (start it directly then). */
  spawn(req: SpawnRequest, h: SpawnHandlers): boolean {
    if (!this.alive || !this.child.stdin?.writable) return false;
    const id = this.nextId++;
    if (!this.jobs.size) this.hold(true);
    this.jobs.set(id, { h, started: false });
    this.child.stdin.write(`${JSON.stringify({ t: 'spawn', id, ...req })}\n`);
    return true;
  }

  /** Stops the helper (jobs it started are not touched: they lead their own groups). */
  async close(): Promise<void> {
    this.alive = false;
    this.hold(true); // wait for it to be gone, even in a host with nothing else to do
    this.child.ref();
    this.child.stdin?.end();
    await this.gone;
    this.child.unref();
  }

  private hold(on: boolean): void {
    const out = this.child.stdout as unknown as { ref?(): void; unref?(): void } | null;
    if (on) out?.ref?.();
    else out?.unref?.();
  }

  private read(data: string): void {
    this.buf += data;
    for (let nl = this.buf.indexOf('\n'); nl >= 0; nl = this.buf.indexOf('\n')) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      try {
        this.receive(JSON.parse(line) as Message);
      } catch {
        // not a message of ours: ignore
      }
    }
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

  private stop(): void {
    this.alive = false; // no new jobs for it
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private forget(id: number): void {
    this.jobs.delete(id);
    if (!this.jobs.size && this.alive) this.hold(false);
  }

  private die(): void {
    if (this.dead) return;
    this.dead = true;
    this.alive = false;
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    this.hold(false);
    for (const j of jobs) j.h.lost(j.started, !j.started && this.ready);
  }
}
