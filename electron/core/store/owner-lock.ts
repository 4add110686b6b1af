import Database from 'better-sqlite3';

/**
 * An exclusive OS lock on `file`, taken through SQLite's own file locking: a connection
 * in exclusive locking mode with a write transaction begun and never ended. Returns the
 * release function, or null at once (busy timeout 0) when anyone else holds the lock:
 * another process, or another connection in this one.
 *
 * Why this is atomic and crash-safe:
 * - Taking the lock is one kernel operation (fcntl byte-range locks on POSIX, LockFileEx
 *   on Windows), so two contenders can never both succeed, and there is no
 *   "read, judge stale, remove, create" sequence to interleave.
 * - The kernel drops the lock when its holder dies, however it dies (SIGKILL, crash),
 *   and no lock outlives a reboot, so nothing stale is left to judge or take over. Job
 *   processes never inherit it: POSIX locks belong to the process (not carried over a
 *   fork) and SQLite opens its files close-on-exec.
 * - POSIX locks are per process, and closing any descriptor of a file drops all of its
 *   process's locks on it; SQLite's unix VFS (Linux, macOS) tracks every connection to
 *   one file inside the process, refuses a second one while the first holds the lock,
 *   and defers closing its descriptor, so a refused second try here neither succeeds
 *   nor weakens the held lock. On Windows the lock is per handle anyway. (This relies
 *   on one copy of SQLite in the process, as there is: one better-sqlite3 per runtime.)
 *
 * The file is never deleted: unlinking a lock file while another process has it open lets
 * a third create a new file at the same path and lock that one, and then two hold "the"
 * lock. It stays an empty database of a few bytes; nothing is ever written to it.
 * On Windows the OS may release a dead holder's lock a moment late; a network file
 * system may not honour locks at all (the data dir is local by default).
 */
export function tryOwnerLock(file: string, opts: { nativeBinding?: string | undefined } = {}): (() => void) | null {
  const db = new Database(file, { timeout: 0, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}) });
  try {
    // EXCLUSIVE locking mode keeps the lock even past a commit; BEGIN EXCLUSIVE takes it now.
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (e) {
    db.close();
    if (String((e as { code?: unknown }).code).startsWith('SQLITE_BUSY')) return null;
    throw e;
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    db.close(); // rolls back the empty transaction and unlocks
  };
}
