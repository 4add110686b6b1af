// Global shortcuts. Another app may already own a combination; that is not an error
// worth stopping for, so a failed registration is logged and the tray menu remains.
import type { GlobalShortcut } from 'electron';
import { ACCELERATORS } from './tray-model';

export type ShortcutAction = 'open' | 'new-job';

export const GLOBAL_SHORTCUTS: readonly { accelerator: string; action: ShortcutAction }[] = [
  { accelerator: ACCELERATORS.open, action: 'open' },
  { accelerator: ACCELERATORS.newJob, action: 'new-job' },
];

/** "CommandOrControl+Shift+E" as the user reads it: "⌘⇧E" on macOS, "Ctrl+Shift+E" elsewhere. */
export function displayAccelerator(acc: string, platform: NodeJS.Platform): string {
  const keys = acc.split('+');
  if (platform === 'darwin') {
    const mac: Record<string, string> = { CommandOrControl: '⌘', CmdOrCtrl: '⌘', Command: '⌘', Cmd: '⌘', Control: '⌃', Ctrl: '⌃', Shift: '⇧', Alt: '⌥', Option: '⌥' };
    return keys.map((k) => mac[k] ?? k).join('');
  }
  const other: Record<string, string> = { CommandOrControl: 'Ctrl', CmdOrCtrl: 'Ctrl', Control: 'Ctrl' };
  return keys.map((k) => other[k] ?? k).join('+');
}

export interface ShortcutResult {
  registered: string[];
  failed: string[];
  dispose(): void;
}

export function registerShortcuts(
  gs: Pick<GlobalShortcut, 'register' | 'unregister'>,
  run: (action: ShortcutAction) => void,
  log: { warn(msg: string, ...rest: unknown[]): void },
  platform: NodeJS.Platform = process.platform,
  shortcuts = GLOBAL_SHORTCUTS,
): ShortcutResult {
  const registered: string[] = [];
  const failed: string[] = [];
  for (const s of shortcuts) {
    const shown = displayAccelerator(s.accelerator, platform);
    try {
      if (gs.register(s.accelerator, () => run(s.action))) {
        registered.push(s.accelerator);
        continue;
      }
      log.warn(`global shortcut ${shown} is taken by another app; use the tray menu instead`);
    } catch (e) {
      log.warn(`global shortcut ${shown} could not be registered; use the tray menu instead`, e);
    }
    failed.push(s.accelerator);
  }
  return {
    registered,
    failed,
    dispose: () => {
      for (const a of registered) gs.unregister(a);
    },
  };
}
