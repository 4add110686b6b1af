import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { endGroup, findJobLeader, signalGroup } from './process-group';
import type { Spawner } from './spawner';

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
  /** Start the process through this helper (off the host's event loop); directly when absent or gone. */
  spawner?: Spawner | null | undefined;
  /**
   * Read stdout here (each chunk is also appended to the log, so it stays whole) instead
   * of letting the process write the log itself; stderr still goes straight to the log.
   * For runners that follow a program's event stream (agents). Spawns directly.
   */
  stdout?: (chunk: Buffer) => void;
  /** The same for stderr (with `stdout`): for programs that say some things only there (retries). */
  stderr?: (chunk: Buffer) => void;
  /** Give the process a stdin pipe (write with `input`); otherwise stdin is /dev/null. */
  stdin?: boolean;
}

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** Set when the program could not be started at all (or its end could not be observed). */
  spawnError: string | null;
}

export interface RunningCommand {
  /** The process id once started; -1 before (or if it never started). */
  readonly pid: number;
  /** The process group id (= pid: the child leads its own group); -1 before it started. */
  readonly pgid: number;
  /** Resolves with the pgid once the process runs, or -1 if it could not be started. */
  started: Promise<number>;
  /** Resolves the moment the command itself exits (or cannot start, or is lost): before its group drains. */
  leaderExited: Promise<ExitInfo>;
  /** Resolves once the command has exited and nothing of its process group runs any more. */
  exited: Promise<ExitInfo>;
  /** SIGTERM to the whole group, SIGKILL after graceMs if anything in it is still alive. */
  terminate(graceMs: number): void;
  /** Writes to the process's stdin (with `stdin: true`); false when it is closed. */
  input(text: string): boolean;
  /** Closes the process's stdin (it reads end of file); `input` returns false from then on. */
  endInput(): void;
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
  const isWin = process.platform === 'win32';
  const [file, args] = run.argv ? [run.argv[0]!, run.argv.slice(1)] : isWin ? ['cmd.exe', ['/d', '/s', '/c', run.shell!]] : ['/bin/sh', ['-c', run.shell!]];
  const leftoverGrace = run.leftoverGraceMs ?? 5000;
  // PWD as a shell would set it: the directory it really runs in (a worktree, not the one it
  // was added from). Some programs (opencode) work in $PWD, not in their cwd.
  if (run.env.PWD !== run.cwd) run = { ...run, env: { ...run.env, PWD: run.cwd } };
  let pid = -1;
  let settled = false;
  let output: { close: () => void } | null = null;
  let ending: Promise<unknown> | null = null;
  let pendingTerminate: number | null = null;
  let stdoutRead = !run.stdout;
  let resolveStarted!: (pgid: number) => void;
  const started = new Promise<number>((r) => (resolveStarted = r));
  let resolveExited!: (info: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((r) => (resolveExited = r));
  let resolveLeader!: (info: ExitInfo) => void;
  const leaderExited = new Promise<ExitInfo>((r) => (resolveLeader = r));

  const end = (graceMs: number): Promise<unknown> => (ending ??= endGroup(pid, graceMs).catch(() => undefined));
  // with stdout piped to us, the end waits until everything it wrote has been read
  let stdoutDone: Promise<void> = Promise.resolve();
  let stdin: NodeJS.WritableStream | null = null;
  const done = (info: ExitInfo): void => {
    if (settled) return;
    if (!stdoutRead) {
      void stdoutDone.then(() => {
        stdoutRead = true;
        done(info);
      });
      return;
    }
    settled = true;
    resolveLeader(info);
    output?.close();
    run.onOutput();
    resolveExited(info);
  };
  const cannotStart = (code: string | undefined, message: string): void => {
    resolveStarted(-1);
    done({ exitCode: null, signal: null, spawnError: code === 'ENOENT' ? `command not found: ${file}` : `could not start ${file}: ${message}` });
  };
  const onStarted = (p: number): void => {
    pid = p;
    resolveStarted(p);
    output = watchOutput(run.logFile, run.onOutput, run.outputIntervalMs ?? 100);
    if (pendingTerminate !== null) void end(pendingTerminate);
  };
  const onExit = (code: number | null, signal: string | null): void => {
    const info = { exitCode: code, signal, spawnError: null };
    resolveLeader(info);
    // The leader is gone (and reaped). Anything it left in its group ends with it: an
    // ongoing terminate() finishes its SIGTERM → SIGKILL course; leftovers of a command
    // that exited by itself get the same treatment.
    if (ending) void ending.then(() => done(info));
    else if (signalGroup(pid, 0)) void end(leftoverGrace).then(() => done(info));
    else done(info);
  };

  const direct = (): void => {
    let fd: number;
    try {
      fs.mkdirSync(path.dirname(run.logFile), { recursive: true, mode: 0o700 });
      fd = fs.openSync(run.logFile, 'a', 0o600);
    } catch (e) {
      return cannotStart(undefined, `cannot open its log: ${(e as Error).message}`);
    }
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, {
        cwd: run.cwd,
        env: run.env,
        detached: !isWin,
        stdio: [run.stdin ? 'pipe' : 'ignore', run.stdout ? 'pipe' : fd, run.stdout && run.stderr ? 'pipe' : fd],
        windowsHide: true,
      });
    } catch (e) {
      fs.closeSync(fd);
      return cannotStart((e as NodeJS.ErrnoException).code, (e as Error).message);
    }
    if (run.stdout && child.stdout) {
      // our own copy of the log fd: piped chunks are appended in the order they come
      const tee = (stream: NodeJS.ReadableStream, onChunk: (chunk: Buffer) => void): Promise<void> =>
        new Promise<void>((resolve) => {
          stream.on('data', (chunk: Buffer) => {
            try {
              fs.writeSync(fd, chunk);
            } catch {
              // a full disk loses log bytes, never the run
            }
            onChunk(chunk);
          });
          stream.once('close', () => resolve());
        });
      const streams = [tee(child.stdout, run.stdout)];
      if (run.stderr && child.stderr) streams.push(tee(child.stderr, run.stderr));
      stdoutDone = Promise.all(streams).then(() => fs.closeSync(fd));
    } else fs.closeSync(fd);
    if (child.stdin) {
      stdin = child.stdin;
      child.stdin.on('error', () => (stdin = null)); // EPIPE: the process stopped reading
    }
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) cannotStart(err.code, err.message);
    });
    if (child.pid !== undefined) {
      onStarted(child.pid);
      child.once('exit', (code, signal) => onExit(code, signal));
    }
  };

  // the job's end can no longer be observed: end its group (if it has one), and say so
  const lose = (): void => {
    const report = (): void => done({ exitCode: null, signal: null, spawnError: 'lost track of the job: the helper process that started it exited' });
    if (pid > 0) void end(leftoverGrace).then(report);
    else {
      resolveStarted(-1);
      report();
    }
  };

  const viaHelper =
    !isWin &&
    !run.stdout &&
    !run.stdin &&
    run.spawner?.spawn(
      { file, args, cwd: run.cwd, env: run.env, logFile: run.logFile },
      {
        spawned: onStarted,
        failed: cannotStart,
        exited: onExit,
        lost: (wasStarted, maybe) => {
          if (!wasStarted && maybe) {
            // The helper may have started it and died before saying so. Never run a job
            // twice: give a fork caught mid-exec a moment, look for the job's process, and
            // start it directly only if it is certainly not running.
            setTimeout(() => {
              const found = findJobLeader(run.env);
              if (found === null) return lose(); // cannot tell here (no /proc)
              if (found === 0) return direct();
              onStarted(found);
              lose();
            }, 100);
            return;
          }
          if (!wasStarted) return direct(); // the helper never came up: nothing was started
          lose();
        },
      },
    );
  if (!viaHelper) direct();

  return {
    get pid() {
      return pid;
    },
    get pgid() {
      return pid;
    },
    started,
    leaderExited,
    exited,
    terminate(graceMs: number) {
      if (pid > 0) void end(graceMs);
      else if (!settled) pendingTerminate = graceMs;
    },
    input(text: string) {
      if (!stdin || settled) return false;
      stdin.write(text);
      return true;
    },
    endInput() {
      const s = stdin;
      stdin = null;
      s?.end();
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
