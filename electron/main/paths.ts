// Where the shell finds things. Pure functions of (packaged?, env, dirs) so the dev
// layout (npm start) and the packaged layout (electron-builder) are both tested.
import path from 'node:path';
import type { TrayState } from './tray-model';

interface Layout {
  isPackaged: boolean;
  /** process.resourcesPath: where extraResources land in a packaged app. */
  resourcesPath: string;
  /** app.getAppPath(): the repo root in development, app.asar when packaged. */
  appPath: string;
  env: NodeJS.ProcessEnv;
}

/** Relative to resources/ in the packaged app; build/electron-builder.yml copies it there. */
export const PACKAGED_BINDING = path.join('native', 'better_sqlite3.node');

/**
 * better-sqlite3 built for Electron's ABI, kept apart from the Node build in
 * node_modules. npm start passes it as ERRAND_SQLITE_BINDING; a packaged app ships it
 * as an extra resource. undefined = let better-sqlite3 find its own (Node) build, which
 * fails under Electron with a message startupFailure() turns into advice.
 */
export function sqliteBinding(l: Pick<Layout, 'isPackaged' | 'resourcesPath' | 'env'>): string | undefined {
  const fromEnv = l.env.ERRAND_SQLITE_BINDING;
  if (fromEnv) return path.resolve(fromEnv);
  return l.isPackaged ? path.join(l.resourcesPath, PACKAGED_BINDING) : undefined;
}

/** The data dir: ERRAND_HOME when set (as the CLI reads it), else Electron's userData. */
export function resolveHome(env: NodeJS.ProcessEnv, userData: string): string {
  return env.ERRAND_HOME ? path.resolve(env.ERRAND_HOME) : userData;
}

/** The shell's own log, beside the store (not under logs/, which holds job logs). */
export const appLogFile = (home: string): string => path.join(home, 'app.log');

export function iconsDir(l: Pick<Layout, 'isPackaged' | 'resourcesPath' | 'appPath'>): string {
  return l.isPackaged ? path.join(l.resourcesPath, 'icons') : path.join(l.appPath, 'build', 'icons');
}

/**
 * The tray PNG for a state. macOS gets template images (the system tints them for
 * light and dark menu bars); elsewhere a light glyph for dark panels or a dark one
 * for light panels, with a coloured mark. Electron picks the @2x file by itself.
 */
export function trayIconFile(dir: string, state: TrayState, platform: NodeJS.Platform, darkPanel: boolean): string {
  const name = platform === 'darwin' ? `${state}Template.png` : `${state}-${darkPanel ? 'light' : 'dark'}.png`;
  return path.join(dir, 'tray', name);
}

export const appIconFile = (dir: string): string => path.join(dir, 'icon.png');
