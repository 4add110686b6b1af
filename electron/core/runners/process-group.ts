import fs from 'node:fs';

/** Signals a whole process group; false when it no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (!(pgid > 1)) return false; // never -1 (everything) or 0/1 (our own group, init)
  try {
    if (process.platform === 'win32') {
      process.kill(pgid, signal);
    } else {
      process.kill(-pgid, signal);
    }
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return false;
    if ((e as NodeJS.ErrnoException).code === 'EPERM') return true; // exists, not ours to signal
    throw e;
  }
}

interface ProcInfo {
  pid: number;
  pgrp: number;
  /** R, S, D, Z (zombie), X (dead), … */
  state: string;
}

function procInfo(name: string): ProcInfo | null {
  try {
    const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
    // "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid: Number(name), state: fields[0] ?? '?', pgrp: Number(fields[2]) };
  } catch {
    return null; // gone, or not readable
  }
}

function procEntries(): string[] | null {
  try {
    return fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return null;
  }
}

/**
 * Live (not zombie) members of a process group, from Linux /proc; null where that
 * cannot be told. A zombie has finished running: only its parent's wait() is missing,
 * which in a container whose init does not reap can be forever.
 */
export function liveMembers(pgid: number): number[] | null {
  if (process.platform !== 'linux') return null;
  const entries = procEntries();
  if (!entries) return null;
  const out: number[] = [];
  for (const name of entries) {
    const p = procInfo(name);
    if (p && p.pgrp === pgid && p.state !== 'Z' && p.state !== 'X') out.push(p.pid);
  }
  return out;
}

/** True while any process of the group is still running (zombies do not count). */
export function groupAlive(pgid: number): boolean {
  if (!signalGroup(pgid, 0)) return false;
  const live = liveMembers(pgid);
  return live === null ? true : live.length > 0;
}

/** True while a process is running (a zombie, or no such pid, is not). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  const p = procInfo(String(pid));
  return p !== null && p.state !== 'Z' && p.state !== 'X';
}

/**
 * Live pids of a process group that carry this job's ERRAND_JOB_ID and ERRAND_HOME
 * (Linux /proc). Guards recovery against a recorded pgid that now belongs to someone
 * else. Null where that cannot be told.
 */
export function membersOfJob(pgid: number, jobId: number, home?: string): number[] | null {
  const live = liveMembers(pgid);
  if (live === null) return null;
  const idMarker = `\0ERRAND_JOB_ID=${jobId}\0`;
  const homeMarker = home === undefined ? null : `\0ERRAND_HOME=${home}\0`;
  const out: number[] = [];
  for (const pid of live) {
    try {
      const env = `\0${fs.readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`;
      if (env.includes(idMarker) && (homeMarker === null || env.includes(homeMarker))) out.push(pid);
    } catch {
      // gone or not readable: not ours
    }
  }
  return out;
}

/**
 * The pid of a live process-group leader carrying this job attempt's ERRAND_JOB_ID,
 * ERRAND_ATTEMPT and ERRAND_HOME; 0 when there is none; null where that cannot be told.
 */
export function findJobLeader(env: NodeJS.ProcessEnv): number | null {
  if (process.platform !== 'linux') return null;
  const entries = procEntries();
  if (!entries) return null;
  const markers = ['ERRAND_JOB_ID', 'ERRAND_ATTEMPT', 'ERRAND_HOME'].map((k) => `\0${k}=${env[k] ?? ''}\0`);
  for (const name of entries) {
    const p = procInfo(name);
    if (!p || p.pgrp !== p.pid || p.state === 'Z' || p.state === 'X') continue;
    try {
      const environ = `\0${fs.readFileSync(`/proc/${name}/environ`, 'latin1')}\0`;
      if (markers.every((m) => environ.includes(m))) return p.pid;
    } catch {
      // gone or not ours
    }
  }
  return 0;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/**
 * Waits (checking with a growing interval: this runs only while a group is being
 * ended, never when idle) until the group has no live process; false on timeout.
 */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (let step = 10; ; step = Math.min(step * 2, 100)) {
    if (!groupAlive(pgid)) return true;
    const left = end - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(step, left));
  }
}

/**
 * Ends a whole process group: SIGTERM, SIGKILL after `graceMs` if anything in it is
 * still alive, and resolves once nothing in it runs. Returns how it ended.
 */
export async function endGroup(pgid: number, graceMs: number): Promise<'absent' | 'terminated' | 'killed'> {
  if (!groupAlive(pgid)) return 'absent';
  signalGroup(pgid, 'SIGTERM');
  if (await waitGroupGone(pgid, graceMs)) return 'terminated';
  signalGroup(pgid, 'SIGKILL');
  await waitGroupGone(pgid, 10_000);
  return 'killed';
}

/**
 * Ends what a dead host left running: SIGTERM to every group at once, SIGKILL after
 * `graceMs` to those still alive. Only touches a group when it still holds the job's
 * own processes (where we can tell). Synchronous: it runs once, while the store opens,
 * before anything can start; all groups share one grace period, so ten stubborn
 * orphans cost no more startup time than one.
 * Returns how each group ended: "absent", "terminated" or "killed".
 */
export function reapOrphanGroups(groups: readonly { pgid: number; jobId: number }[], graceMs = 2000, home?: string): Map<number, 'absent' | 'terminated' | 'killed'> {
  const out = new Map<number, 'absent' | 'terminated' | 'killed'>();
  const live: number[] = [];
  for (const { pgid, jobId } of groups) {
    const members = membersOfJob(pgid, jobId, home);
    if ((members !== null && members.length === 0) || !signalGroup(pgid, 'SIGTERM')) out.set(pgid, 'absent');
    else live.push(pgid);
  }
  const waitAll = (ms: number): number[] => {
    const until = Date.now() + ms;
    let left = live.filter((g) => groupAlive(g));
    for (let step = 5; left.length && Date.now() < until; step = Math.min(step * 2, 50)) {
      sleepSync(Math.min(step, Math.max(1, until - Date.now())));
      left = left.filter((g) => groupAlive(g));
    }
    return left;
  };
  const stubborn = waitAll(graceMs);
  for (const g of live) if (!stubborn.includes(g)) out.set(g, 'terminated');
  for (const g of stubborn) {
    signalGroup(g, 'SIGKILL');
    out.set(g, 'killed');
  }
  if (stubborn.length) {
    live.splice(0, live.length, ...stubborn);
    waitAll(5000);
  }
  return out;
}

/** One group: see reapOrphanGroups. */
export function reapOrphanGroup(pgid: number, jobId: number, graceMs = 2000, home?: string): 'absent' | 'terminated' | 'killed' {
  return reapOrphanGroups([{ pgid, jobId }], graceMs, home).get(pgid)!;
}
