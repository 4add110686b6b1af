// Where a host of a data dir listens, and the default data dir: one definition for the
// host, the CLI and the tray app, so each finds the socket the others use.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { SOCKET_NAME } from '../../contract/protocol';

/**
 * The data dir Electron's app.getPath('userData') gives an app named "Errand", computed
 * without Electron so the CLI and the tray app share one store.
 */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.ERRAND_HOME) return path.resolve(env.ERRAND_HOME);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Errand');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Errand');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Errand');
}

/** The login name, part of the Windows pipe name (pipes are machine-wide). */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return os.userInfo().username;
  } catch {
    // no passwd entry (some containers): the environment, else the uid
    return env.USER ?? env.USERNAME ?? String(process.getuid?.() ?? '');
  }
}

/** sha256 of the whole resolved home and the user: two users or two homes never share a name. */
function key(home: string, user: string, platform: NodeJS.Platform): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  let resolved = p.resolve(home);
  if (platform === 'win32') resolved = resolved.toLowerCase(); // NTFS paths ignore case
  return createHash('sha256').update(`${user}\0${resolved}`).digest('hex').slice(0, 32);
}

/**
 * Unix socket in the data dir; a named pipe on Windows (pipes live in one machine-wide
 * namespace). A data dir too deep for sun_path (~104 bytes) gets a socket in a private
 * directory of its own under the temp dir, which the host creates 0700.
 */
export function socketPath(home: string, platform: NodeJS.Platform = process.platform, user?: string): string {
  if (platform === 'win32') return `\\\\.\\pipe\\errand-${key(home, user ?? currentUser(), platform)}`;
  const p = path.join(home, SOCKET_NAME);
  if (Buffer.byteLength(p) < 100) return p;
  return path.join(os.tmpdir(), `errand-${key(home, user ?? currentUser(), platform).slice(0, 16)}`, SOCKET_NAME);
}
