import type { JobKind } from '../../contract/job';
import { ErrandError } from '../../contract/errors';
import type { Settings } from '../../contract/job';
import { agentRunner } from './agent/agent-runner';
import { AGENT_PRESETS } from './agent/presets';
import { type CommandRunnerOptions, commandRunner } from './command';
import { withPatchCapture } from './patch-capture';
import type { Runner } from './runner';
import { withWorktree } from './worktree';

/** The runners of every kind this host can run, by kind. */
export class RunnerRegistry {
  private readonly byKind = new Map<JobKind, Runner>();

  constructor(runners: readonly Runner[]) {
    for (const r of runners) this.byKind.set(r.kind, r);
  }

  get(kind: JobKind): Runner {
    const r = this.byKind.get(kind);
    if (!r) throw new ErrandError('invalid_input', `This Errand cannot run ${kind} jobs yet.`, 'kind');
    return r;
  }

  /** The display text of a stored spec; a kind this host cannot run reads as its kind. */
  describe(kind: JobKind, spec: unknown): string {
    return this.byKind.get(kind)?.describe(spec) ?? kind;
  }

  identity(kind: JobKind, spec: unknown): { with: string; model: string | null } | null {
    return this.byKind.get(kind)?.identity?.(spec) ?? null;
  }

  has(kind: JobKind): boolean {
    return this.byKind.has(kind);
  }
}

export interface BuiltinOptions extends CommandRunnerOptions {
  home: string;
  settings: () => Settings;
  env: NodeJS.ProcessEnv;
}

/**
 * The built-in kinds: commands and coding agents, each in its own git worktree when
 * admission isolated it; a command's patch capture in place is for `--isolate none`.
 */
export function builtinRunners(opts: BuiltinOptions): Runner[] {
  return [
    withWorktree(withPatchCapture(commandRunner(opts)), opts.home),
    withWorktree(agentRunner({ home: opts.home, presets: AGENT_PRESETS, settings: opts.settings, env: opts.env }), opts.home),
  ];
}
