// Turns the tray menu model into Electron menu templates, and picks the app menu.
// Still plain data (MenuItemConstructorOptions), so it is tested without Electron.
import type { MenuItemConstructorOptions } from 'electron';
import type { TrayAction, TrayMenuModel } from './tray-model';

/** Windows and Linux read "&" as a mnemonic marker; job titles must show it literally. */
export const menuText = (label: string, platform: NodeJS.Platform): string => (platform === 'darwin' ? label : label.replace(/&/g, '&&'));

export function trayTemplate(model: TrayMenuModel, onAction: (a: TrayAction) => void, platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  return model.entries.map((e): MenuItemConstructorOptions => {
    switch (e.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'header':
        return { label: menuText(e.label, platform), enabled: false };
      case 'check':
        return { type: 'checkbox', label: menuText(e.label, platform), checked: e.checked, click: () => onAction(e.action) };
      case 'item':
        return {
          label: menuText(e.label, platform),
          click: () => onAction(e.action),
          // a hint only: the global shortcuts do the work, so the menu must not register them again
          ...(e.accelerator ? { accelerator: e.accelerator, registerAccelerator: false } : {}),
        };
    }
  });
}

/**
 * The application menu. macOS needs one with Edit roles or copy and paste stop
 * working in text fields; Windows and Linux get none (no stray File/View bar, no
 * reload or devtools in a packaged app). A dev build keeps View for devtools.
 */
export function appMenuTemplate(platform: NodeJS.Platform, isPackaged: boolean): MenuItemConstructorOptions[] | null {
  const dev: MenuItemConstructorOptions[] = isPackaged ? [] : [{ role: 'viewMenu' }];
  if (platform === 'darwin') return [{ role: 'appMenu' }, { role: 'editMenu' }, ...dev, { role: 'windowMenu' }];
  return dev.length ? [{ role: 'editMenu' }, ...dev] : null;
}
