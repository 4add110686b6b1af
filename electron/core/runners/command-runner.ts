import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { endGroup, signalGroup } from './process-group';

export interface CommandRun {
  argv?: string[] | undefined;
  shell?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  logFile: string;
  /**
   * Called when the log file has grown: at most once per `outputIntervalMs` however
   * chatty the job (default 100 ms), and once more when it exits.
   */
  onOutput: () => void;
  outputIntervalMs?: number;
  /**
   * Grace between SIGTERM and SIGKILL for processes the command leaves behind in its
   * group after it exits by itself (default 5 s).
   */
  leftoverGraceMs?: number;
}

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** Set when the program could not be started at all. */
  spawnError: string | null;
}

export interface RunningCommand {
  pid: number;
  /** The process group id (= pid: the child leads its own group); -1 when it never started. */
  pgid: number;
  /** Resolves once the command has exited and nothing of its process group runs any more. */
  exited: Promise<ExitInfo>;
  /** SIGTERM to the whole group, SIGKILL after graceMs if anything in it is still alive. */
  terminate(graceMs: number): void;
}

/**
 * Starts a command in its own process group with stdout and stderr going straight to
 * the attempt's log file: byte-exact, no copy through the host, and the output of a
 * job keeps being recorded even if the host dies under it.
 *
 * A job's processes end with it: when the command exits, whatever it left running in
 * its group (background children) is ended too, so `exited` means "nothing of this
 * job runs any more" and no orphan outlives its job.
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
  const pid = child.pid ?? -1;
  const output = pid > 0 ? watchOutput(run.logFile, run.onOutput, run.outputIntervalMs ?? 100) : null;
  let ending: Promise<unknown> | null = null;
  const end = (graceMs: number): Promise<unknown> => (ending ??= endGroup(pid, graceMs).catch(() => undefined));

  const exited = new Promise<ExitInfo>((resolve) => {
    let settled = false;
    const done = (info: ExitInfo): void => {
      if (settled) return;
      settled = true;
      output?.close();
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
      const info = { exitCode: code, signal, spawnError: null };
      // The leader is gone (and reaped). Anything it left in its group ends with it:
      // an ongoing terminate() finishes its SIGTERM → SIGKILL course; leftovers of a
      // command that exited by itself get the same treatment.
      if (ending) void ending.then(() => done(info));
      else if (signalGroup(pid, 0)) void end(run.leftoverGraceMs ?? 5000).then(() => done(info));
      else done(info);
    });
  });

  return {
    pid,
    pgid: pid,
    exited,
    terminate(graceMs: number) {
      if (pid > 0) void end(graceMs);
    },
  };
}

/**
 * Event-driven, rate-limited news of a growing file: an inotify watch wakes us on the
 * first write; then the watch is dropped and, one interval later, the size is checked
 * once. Still growing: report and wait another interval; quiet: watch again. A job
 * writing 200 MB costs ≤ 10 wake-ups a second instead of one per write, and a silent
 * one costs nothing at all.
 */
function watchOutput(file: string, onOutput: () => void, intervalMs: number): { close: () => void } {
  let watcher: fs.FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let seen = -1;
  const size = (): number => {
    try {
      return fs.statSync(file).size;
    } catch {
      return -1;
    }
  };
  const fire = (): void => {
    watcher?.close();
    watcher = null;
    if (closed) return;
    seen = size();
    onOutput();
    timer = setTimeout(() => {
      timer = null;
      if (closed) return;
      if (size() !== seen) return fire();
      arm();
      // a write between the check and the new watch would go unnoticed: look once more
      if (size() !== seen) fire();
    }, intervalMs);
    timer.unref();
  };
  const arm = (): void => {
    try {
      watcher = fs.watch(file, { persistent: false }, fire);
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = null; // no inotify: the final size is still reported on exit
    }
  };
  arm();
  return {
    close: () => {
      closed = true;
      watcher?.close();
      watcher = null;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
