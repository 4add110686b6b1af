import fs from 'node:fs';
import { ErrandError } from '../contract/errors';

/**
 * Makes `dir` a directory only this user can enter (0700), creating it when missing and
 * tightening one of ours that is looser. A socket inside it is then private from the
 * moment it exists, with no process-wide umask change. Refuses a symlink or another
 * user's directory: someone could be waiting to read what we put there.
 */
export function ensurePrivateDir(dir: string): void {
  if (process.platform === 'win32') return;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) throw new ErrandError('internal', `${dir} is not a directory (a symlink?); remove it and start again.`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) throw new ErrandError('internal', `${dir} belongs to another user (uid ${st.uid}); pick another data dir with --home.`);
  if ((st.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}
