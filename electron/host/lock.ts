import fs from 'node:fs';
import path from 'node:path';
import { ErrandError } from '../contract/errors';
import { tryOwnerLock } from '../core/store/owner-lock';

/** The lock itself: an OS lock the kernel drops when its holder dies (see owner-lock.ts). */
const OWNER = 'owner.lock';
/** Who holds it, for the refusal message only ("pid\n"); it never decides ownership. */
const PID_FILE = 'host.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed host nobody has reaped yet is a zombie: signal 0 still succeeds.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS, Windows): trust the signal
  }
}

function readPidFile(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function sleep(ms: number): void {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  } catch {
    // a thread that may not block (some embedders forbid Atomics.wait): spin instead
    for (const end = Date.now() + ms; Date.now() < end; );
  }
}

/** The holder's pid, as its pid file says; it writes the file just after taking the lock, so wait a moment for it. */
function holderPid(file: string): number | null {
  for (const end = Date.now() + 1000; ; sleep(20)) {
    const pid = Number(readPidFile(file)?.trim());
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) return pid;
    if (Date.now() > end) return null;
  }
}

/** Written whole or not at all (temp file, then rename), so a reader never sees it half-written. */
function writePidFile(file: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, `${process.pid}\n`, { mode: 0o600 });
    // Windows refuses to replace a file another process has open for a moment: retry briefly.
    for (let tries = 0; ; tries++) {
      try {
        fs.renameSync(tmp, file);
        return;
      } catch (e) {
        if (tries >= 20) throw e;
        sleep(10);
      }
    }
  } catch {
    fs.rmSync(tmp, { force: true }); // informational only: owning the lock is what counts
  }
}

function busy(home: string, pid: number | null): ErrandError {
  const who = pid ? `Another Errand host (pid ${pid})` : 'Another Errand host';
  return new ErrandError('busy', `${who} already owns ${home}. Use it (errand status), or stop it with errand shutdown.`);
}

/**
 * Makes this process the single owner of a data dir, or throws `busy` naming the owner.
 * Ownership is the OS lock on `owner.lock` alone: atomic, and released by the kernel
 * when the owner dies, so there is never a stale lock to take over (and no takeover race).
 * A second host in this same process is refused too. Call before opening the store, so a
 * refused host never touches it (never runs recovery). The returned release is idempotent.
 * `nativeBinding`: the better-sqlite3 build for this runtime, as the engine gets it (the
 * tray app runs under Electron's ABI).
 */
export function acquireLock(home: string, opts: { nativeBinding?: string | undefined } = {}): () => void {
  const pidFile = path.join(home, PID_FILE);
  const unlock = tryOwnerLock(path.join(home, OWNER), opts);
  if (!unlock) throw busy(home, holderPid(pidFile));
  // An Errand from before this lock held the pid file alone (its pid, no newline): while
  // that host lives it owns the store, though it knows nothing of owner.lock (an upgrade
  // with the old host still running). Our own format ends in a newline and is never trusted.
  const legacy = readPidFile(pidFile);
  if (legacy && /^\d+$/.test(legacy) && Number(legacy) > 0 && Number(legacy) !== process.pid && alive(Number(legacy))) {
    unlock();
    throw busy(home, Number(legacy));
  }
  writePidFile(pidFile);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    // Still under the lock, so no other host can have written the file yet.
    if (readPidFile(pidFile) === `${process.pid}\n`) fs.rmSync(pidFile, { force: true });
    unlock();
  };
}
