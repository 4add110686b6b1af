// "Open at login": off unless you turn it on. macOS and Windows keep the setting in
// the OS (app.setLoginItemSettings); Linux has no such API in Electron, so we write
// an XDG autostart entry. Offered only in a packaged app: a dev build would register
// a bare Electron binary that opens nothing.
import path from 'node:path';
import type { App } from 'electron';

export const HIDDEN_FLAG = '--hidden';

export type LoginItemSupport = 'os' | 'xdg' | null;

export function loginItemSupport(platform: NodeJS.Platform, isPackaged: boolean): LoginItemSupport {
  if (!isPackaged) return null;
  if (platform === 'darwin' || platform === 'win32') return 'os';
  return platform === 'linux' ? 'xdg' : null;
}

export function autostartFile(env: NodeJS.ProcessEnv, homedir: string): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(homedir, '.config'), 'autostart', 'errand.desktop');
}

/** Quotes an Exec argument per the Desktop Entry spec (double quotes; \ " ` $ escaped; % doubled). */
export function desktopExecArg(arg: string): string {
  const escaped = arg.replace(/[\\"`$]/g, (c) => `\\${c}`).replace(/%/g, '%%');
  return /^[\w@+=:,./-]+$/.test(arg) ? arg.replace(/%/g, '%%') : `"${escaped}"`;
}

export function desktopEntry(exec: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Errand',
    'Comment=Job queue for agent work',
    `Exec=${desktopExecArg(exec)} ${HIDDEN_FLAG}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** Launched by the login item: start in the tray without showing the window. */
export const startHidden = (argv: readonly string[], wasOpenedAtLogin: boolean): boolean => wasOpenedAtLogin || argv.includes(HIDDEN_FLAG);

export interface LoginItem {
  /** Current state, or null when not offered here. */
  get(): boolean | null;
  set(on: boolean): void;
}

interface FsLike {
  existsSync(p: string): boolean;
  mkdirSync(p: string, o: { recursive: true }): unknown;
  writeFileSync(p: string, data: string): void;
  rmSync(p: string, o: { force: true }): void;
}

export function createLoginItem(d: {
  app: Pick<App, 'getLoginItemSettings' | 'setLoginItemSettings'>;
  platform: NodeJS.Platform;
  isPackaged: boolean;
  env: NodeJS.ProcessEnv;
  homedir: string;
  /** The binary to start: $APPIMAGE for an AppImage (the mounted path changes per run), else process.execPath. */
  exec: string;
  fs: FsLike;
}): LoginItem {
  const support = loginItemSupport(d.platform, d.isPackaged);
  const file = autostartFile(d.env, d.homedir);
  return {
    get: () => {
      if (support === 'os') return d.app.getLoginItemSettings().openAtLogin;
      if (support === 'xdg') return d.fs.existsSync(file);
      return null;
    },
    set: (on) => {
      if (support === 'os') d.app.setLoginItemSettings({ openAtLogin: on, openAsHidden: true, args: [HIDDEN_FLAG] });
      else if (support === 'xdg') {
        if (on) {
          d.fs.mkdirSync(path.dirname(file), { recursive: true });
          d.fs.writeFileSync(file, desktopEntry(d.exec));
        } else d.fs.rmSync(file, { force: true });
      }
    },
  };
}
