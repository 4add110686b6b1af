// electron-log for the shell and the host it embeds, written beside the store so a
// bug report can point at one directory.
import log from 'electron-log/main';
import type { HostOptions } from '../host/host';
import { appLogFile } from './paths';

export type AppLogger = NonNullable<HostOptions['logger']>;

export function setupLogging(home: string, isPackaged: boolean): { log: AppLogger; hostLog: AppLogger; file: string } {
  const file = appLogFile(home);
  log.transports.file.resolvePathFn = () => file;
  log.transports.file.maxSize = 5 * 1024 * 1024; // then rotated to app.old.log
  log.transports.file.level = isPackaged ? 'info' : 'debug';
  log.transports.console.level = isPackaged ? false : 'info';
  // uncaught errors in main go to the file instead of vanishing with the process
  log.errorHandler.startCatching({ showDialog: false });
  return { log: log.scope('shell'), hostLog: log.scope('host'), file };
}
