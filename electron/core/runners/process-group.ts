import fs from 'node:fs';

/** Signals a whole process group; false when it no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
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

export const groupAlive = (pgid: number): boolean => signalGroup(pgid, 0);

/**
 * Pids of a process group that carry a given ERRAND_JOB_ID (Linux /proc). Guards
 * recovery against a recorded pgid that now belongs to someone else.
 */
export function membersOfJob(pgid: number, jobId: number): number[] | null {
  if (process.platform !== 'linux') return null;
  const out: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return null;
  }
  const marker = `ERRAND_JOB_ID=${jobId}\0`;
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      // pgrp is the 5th field, after "pid (comm) state ppid"; comm may hold spaces
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const env = fs.readFileSync(`/proc/${name}/environ`, 'latin1');
      if (`${env}\0`.includes(marker)) out.push(Number(name));
    } catch {
      // gone or not readable: not ours
    }
  }
  return out;
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/**
 * Ends what a dead host left running: SIGTERM, then SIGKILL after `graceMs`. Only
 * touches the group when it still holds the job's own processes (where we can tell).
 * Returns how the group ended: "absent", "terminated" or "killed".
 */
export function reapOrphanGroup(pgid: number, jobId: number, graceMs = 2000): 'absent' | 'terminated' | 'killed' {
  const members = membersOfJob(pgid, jobId);
  if (members !== null && members.length === 0) return 'absent';
  if (!signalGroup(pgid, 'SIGTERM')) return 'absent';
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    if (!groupAlive(pgid)) return 'terminated';
    sleepSync(25);
  }
  signalGroup(pgid, 'SIGKILL');
  return 'killed';
}
