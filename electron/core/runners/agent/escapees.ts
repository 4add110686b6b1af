import fs from 'node:fs';
import { processAlive } from '../process-group';

// Processes of an agent run that left its process group. Codex runs each command under
// `codex-linux-sandbox` → `bwrap --new-session --unshare-pid`, each in a session of its
// own, and the bwrap in the middle is the init of a PID namespace, which SIGTERM does not
// reach; its login shells start `pyenv rehash` and the like in further sessions. Ending
// the run's group alone can leave those running (seen: a sandboxed `sleep 120` outliving a
// cancelled Codex with PPID 1). They all still carry the attempt's ERRAND_JOB_ID,
// ERRAND_ATTEMPT and ERRAND_HOME, so they are found by those (Linux /proc; elsewhere
// nothing can be told and nothing is done).

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Live processes (not zombies) carrying this attempt's markers, other than this one. */
export function markedProcesses(env: NodeJS.ProcessEnv): number[] {
  if (process.platform !== 'linux' || !env.ERRAND_JOB_ID || !env.ERRAND_HOME) return [];
  let names: string[];
  try {
    names = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  const markers = ['ERRAND_JOB_ID', 'ERRAND_ATTEMPT', 'ERRAND_HOME'].map((k) => `\0${k}=${env[k] ?? ''}\0`);
  const out: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const environ = `\0${fs.readFileSync(`/proc/${name}/environ`, 'latin1')}\0`;
      if (markers.every((m) => environ.includes(m)) && processAlive(pid)) out.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

const signal = (pid: number, sig: NodeJS.Signals): void => {
  try {
    process.kill(pid, sig);
  } catch {
    // gone meanwhile
  }
};

/**
 * Ends whatever of the attempt still runs outside its group: SIGTERM, then SIGKILL after
 * `graceMs` to what is left (a PID namespace's init only dies of that). Resolves with how
 * many there were, once they are gone (or after a bounded wait).
 */
export async function endEscapees(env: NodeJS.ProcessEnv, graceMs: number): Promise<number> {
  const found = markedProcesses(env);
  if (!found.length) return 0;
  for (const pid of found) signal(pid, 'SIGTERM');
  const end = Date.now() + graceMs;
  let left = found.filter(processAlive);
  for (let step = 10; left.length && Date.now() < end; step = Math.min(step * 2, 100)) {
    await sleep(Math.min(step, Math.max(1, end - Date.now())));
    left = left.filter(processAlive);
  }
  // new ones may have been started meanwhile by those being ended
  for (const pid of new Set([...left, ...markedProcesses(env)])) signal(pid, 'SIGKILL');
  for (let waited = 0; waited < 5000 && markedProcesses(env).length; waited += 50) await sleep(50);
  return found.length;
}
