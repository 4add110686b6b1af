import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { groupAlive, signalGroup } from './process-group';

export interface CommandRun {
  argv?: string[] | undefined;
  shell?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /** Called (uncoalesced) whenever the log file may have grown. */
  onOutput: () => void;
}

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** Set when the program could not be started at all. */
  spawnError: string | null;
}

export interface RunningCommand {
  pid: number;
  /** The process group id (= pid: the child leads its own group). */
  pgid: number;
  exited: Promise<ExitInfo>;
  /** SIGTERM to the whole group, SIGKILL after graceMs if anything in it is still alive. */
  terminate(graceMs: number): void;
}

/**
 * Starts a command in its own process group with stdout and stderr going straight to
 * the attempt's log file: byte-exact, no copy through the host, and the output of a
 * job keeps being recorded even if the host dies under it.
 */
export function startCommand(run: CommandRun): RunningCommand {
  fs.mkdirSync(path.dirname(run.logFile), { recursive: true, mode: 0o700 });
  const fd = fs.openSync(run.logFile, 'a', 0o600);
  const isWin = process.platform === 'win32';
  const [file, args] = run.argv ? [run.argv[0]!, run.argv.slice(1)] : isWin ? ['cmd.exe', ['/d', '/s', '/c', run.shell!]] : ['/bin/sh', ['-c', run.shell!]];
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(file, args, { cwd: run.cwd, env: run.env, detached: !isWin, stdio: ['ignore', fd, fd], windowsHide: true });
  } finally {
    fs.closeSync(fd);
  }
  let watcher: fs.FSWatcher | null = null;
  try {
    watcher = fs.watch(run.logFile, { persistent: false }, () => run.onOutput());
  } catch {
    watcher = null; // no inotify: the final size is still reported on exit
  }
  let killTimer: NodeJS.Timeout | null = null;
  const pid = child.pid ?? -1;

  const exited = new Promise<ExitInfo>((resolve) => {
    let settled = false;
    const done = (info: ExitInfo): void => {
      if (settled) return;
      settled = true;
      watcher?.close();
      run.onOutput();
      resolve(info);
    };
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        const what = err.code === 'ENOENT' ? `command not found: ${file}` : `could not start ${file}: ${err.message}`;
        done({ exitCode: null, signal: null, spawnError: what });
      }
    });
    child.once('exit', (code, signal) => {
      // The leader is gone; anything it left in its group keeps running only until the
      // kill timer of a cancel fires.
      if (killTimer && !groupAlive(pid)) clearTimeout(killTimer);
      done({ exitCode: code, signal, spawnError: null });
    });
  });

  return {
    pid,
    pgid: pid,
    exited,
    terminate(graceMs: number) {
      if (pid < 0) return;
      signalGroup(pid, 'SIGTERM');
      if (killTimer) return;
      killTimer = setTimeout(() => {
        if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
      }, graceMs);
      killTimer.unref();
    },
  };
}
