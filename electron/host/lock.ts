import fs from 'node:fs';
import path from 'node:path';
import { ErrandError } from '../contract/errors';

const LOCK = 'host.lock';

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

/**
 * Single owner of a data dir: an O_EXCL pid file. A lock whose pid is dead is stale
 * (the host crashed) and is taken over; a live one refuses with who holds it.
 */
export function acquireLock(home: string): () => void {
  const file = path.join(home, LOCK);
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (pid && alive(pid)) {
        throw new ErrandError('busy', `Another Errand host (pid ${pid}) already owns ${home}. Use it (errand status), or stop it with errand shutdown.`);
      }
      fs.rmSync(file, { force: true }); // stale: its host died
    }
  }
  throw new ErrandError('busy', `Could not take the lock on ${home}; another host is starting. Try again.`);
}
