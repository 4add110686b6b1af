import crypto from 'node:crypto';
import type { AddParsed } from '../../contract/api';
import { shellQuote } from '../../contract/format';
import { workTreeTopSync } from '../git-patch';
import type { IsolateSpec } from '../isolation';
import { startCommand } from './command-runner';
import { admitIsolation } from './isolation-admit';
import type { Admitted, AdmitContext, RunContext, RunHandle, RunJob, Runner } from './runner';
import type { Spawner } from './spawner';

/** What a command job stores: the program (argv or a shell line) and the environment it was added with. */
export interface CommandSpec {
  argv?: string[];
  shell?: string;
  env?: Record<string, string>;
  /** Runs in its own git worktree (see worktree.ts). */
  isolate?: IsolateSpec;
}

/** Hex SHA-1 (the one-shot crypto.hash where this Node has it: half the cost of createHash). */
const sha1: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash: (alg: string, data: string) => string }).hash('sha1', text)
    : (text) => crypto.createHash('sha1').update(text).digest('hex');

export function commandText(spec: CommandSpec): string {
  return spec.argv ? shellQuote(spec.argv) : (spec.shell ?? '');
}

export interface CommandRunnerOptions {
  /** The helper that starts processes off the host's event loop; null: spawn directly. */
  spawner: () => Spawner | null;
}

/**
 * Any program, in its own process group, output straight to the attempt's log. The exit
 * code decides: the leader's, the moment it exits; leftovers in its group are ended
 * after it (they never outlive their job).
 */
export function commandRunner(opts: CommandRunnerOptions): Runner {
  return {
    kind: 'command',
    admit(input: AddParsed, ctx: AdmitContext): Admitted {
      const c = input.command!;
      const spec: CommandSpec = c.argv ? { argv: c.argv } : { shell: c.shell! };
      if (input.env) spec.env = input.env;
      let lockTree: string | null = null;
      // a patch job in a repository gets its own worktree; one that opted out (--isolate none)
      // patches the user's tree in place
      const isolate = admitIsolation(input.isolate, input.capturePatch, ctx);
      if (isolate) spec.isolate = isolate;
      else if (input.capturePatch) {
        // in place, it runs alone in its work tree, so the patch holds its own changes only
        const key = `tree:${ctx.cwd}`;
        if (!ctx.memo.has(key)) ctx.memo.set(key, workTreeTopSync(ctx.cwd));
        lockTree = ctx.memo.get(key) as string | null;
      }
      const display = commandText(spec);
      return { spec, display, etaKey: input.etaKey ?? sha1(JSON.stringify([spec.argv ?? spec.shell, ctx.cwd])), lockTree };
    },
    describe: (spec) => commandText(spec as CommandSpec),
    start(job: RunJob, ctx: RunContext): RunHandle {
      const spec = job.spec as CommandSpec;
      const cmd = startCommand({
        spawner: opts.spawner(),
        argv: spec.argv,
        shell: spec.shell,
        cwd: job.cwd,
        env: ctx.env(spec.env),
        logFile: ctx.logFile,
        leftoverGraceMs: ctx.killGraceMs,
        onOutput: () => ctx.output(),
      });
      const stop = (): void => cmd.terminate(ctx.killGraceMs);
      if (ctx.signal.aborted) stop();
      else ctx.signal.addEventListener('abort', stop, { once: true });
      const toEnd = (e: { exitCode: number | null; signal: string | null; spawnError: string | null }) => ({ exitCode: e.exitCode, signal: e.signal, error: e.spawnError });
      return {
        started: cmd.started,
        leaderExited: cmd.leaderExited.then(toEnd),
        ended: cmd.exited.then((e) => {
          ctx.signal.removeEventListener('abort', stop);
          return { ...toEnd(e), result: null };
        }),
      };
    },
  };
}
