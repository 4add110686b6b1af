import os from 'node:os';
import path from 'node:path';
import { DB_NAME, SOCKET_NAME } from '../contract/protocol';

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

export const dbPath = (home: string): string => path.join(home, DB_NAME);
export const logDir = (home: string, jobId: number): string => path.join(home, 'logs', String(jobId));
export const logPath = (home: string, jobId: number, attempt: number): string => path.join(logDir(home, jobId), `${attempt}.log`);

/** Unix socket in the data dir; a named pipe on Windows (pipes live in their own namespace). */
export function socketPath(home: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return `\\\\.\\pipe\\errand-${Buffer.from(home).toString('hex').slice(-40)}`;
  const p = path.join(home, SOCKET_NAME);
  // sun_path is ~104 bytes; fall back to a short per-home path in the temp dir.
  return Buffer.byteLength(p) < 100 ? p : path.join(os.tmpdir(), `errand-${Buffer.from(home).toString('base64url').slice(-24)}.sock`);
}
