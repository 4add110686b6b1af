import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AddParsed, AgentName, AgentSpec } from '../../../contract/api';
import { ErrandError } from '../../../contract/errors';
import type { Settings } from '../../../contract/job';
import type { IsolateSpec } from '../../isolation';
import { startCommand } from '../command-runner';
import { admitIsolation } from '../isolation-admit';
import type { Admitted, AdmitContext, RunContext, RunEnd, RunHandle, RunJob, Runner } from '../runner';
import { endEscapees } from './escapees';
import { findAgentBin } from './find-bin';
import { lineSplitter } from './line-splitter';
import type { AgentPreset } from './preset';

/** What an agent job stores. */
export interface AgentJobSpec extends AgentSpec {
  isolate?: IsolateSpec;
  /** The environment it was added with (secrets apart: see JobSecrets). */
  env?: Record<string, string>;
}

export interface AgentRunnerOptions {
  home: string;
  presets: Partial<Record<AgentName, AgentPreset>>;
  settings: () => Settings;
  /** The host's environment: where binaries are looked up (PATH) and keys come from. */
  env: NodeJS.ProcessEnv;
}

const DEFAULT_STALL_SECONDS = 300;

const firstLine = (text: string): string => text.trim().split('\n')[0]!.slice(0, 200);

/**
 * Coding agents (Codex, Claude Code, Gemini CLI, opencode) as jobs: each runs headless in
 * its own process group, its JSON event stream read line by line into steps (one per
 * tool call), activity, plan, usage and the final report; everything it prints stays in
 * the log byte for byte. In a git repository it works in its own worktree (see the
 * worktree wrapper) and its changes come back as a patch.
 */
export function agentRunner(opts: AgentRunnerOptions): Runner {
  const presetOf = (name: AgentName): AgentPreset => {
    const p = opts.presets[name];
    if (!p) throw new ErrandError('invalid_input', `This Errand cannot run ${name} yet.`, 'agent.with');
    return p;
  };
  const binOf = (p: AgentPreset): string => {
    const configured = opts.settings().agents[p.name]?.bin;
    const bin = findAgentBin(p.name, p.bin, configured, opts.env);
    if (bin) return bin;
    throw new ErrandError(
      'invalid_input',
      configured
        ? `${p.name}: ${configured} (agents.${p.name}.bin in the settings) is not an executable file. Fix it with errand config set agents.${p.name}.bin PATH.`
        : `${p.name} is not installed: install it with npm install -g ${p.pkg}, or point Errand at it with errand config set agents.${p.name}.bin PATH.`,
      'agent.with',
    );
  };
  return {
    kind: 'agent',
    admit(input: AddParsed, ctx: AdmitContext): Admitted {
      const a = input.agent!;
      const preset = presetOf(a.with);
      binOf(preset); // refuse now, not when it would start
      const preferred = opts.settings().agents[a.with] ?? {};
      const problem = preset.check?.({
        model: a.model ?? preferred.model ?? null,
        endpoint: a.endpoint ?? preferred.endpoint ?? null,
        env: { ...opts.env, ...input.env, ...input.secretEnv },
      });
      if (problem) throw new ErrandError('invalid_input', problem, `${ctx.prefix}agent`);
      const spec: AgentJobSpec = { ...a };
      if (input.env) spec.env = input.env;
      const isolate = admitIsolation(input.isolate, true, ctx);
      if (isolate) spec.isolate = isolate;
      const display = `${a.with}: ${firstLine(a.task)}`;
      const etaKey = input.etaKey ?? crypto.createHash('sha1').update(JSON.stringify([a.with, a.task, ctx.cwd])).digest('hex');
      return { spec, display, etaKey, lockTree: null };
    },
    describe: (spec) => {
      const s = spec as AgentJobSpec;
      return `${s.with}: ${firstLine(s.task)}`;
    },
    identity: (spec) => {
      const s = spec as AgentJobSpec;
      return { with: s.with, model: s.model ?? opts.settings().agents[s.with]?.model ?? null };
    },
    stallAfterMs: (job) => {
      const s = job.spec as AgentJobSpec;
      return (s.stallSeconds ?? opts.settings().agents[s.with]?.stallSeconds ?? DEFAULT_STALL_SECONDS) * 1000;
    },
    start(job: RunJob, ctx: RunContext): RunHandle {
      const spec = job.spec as AgentJobSpec;
      const preset = presetOf(spec.with);
      const settings = opts.settings().agents[spec.with] ?? {};
      const dir = path.join(opts.home, 'runs', `${job.id}-${job.attempt}`);
      const cleanup = (): void => fs.rmSync(dir, { recursive: true, force: true });
      let adapterRef: ReturnType<AgentPreset['adapter']> | null = null;
      let cmd: ReturnType<typeof startCommand>;
      let runEnv: NodeJS.ProcessEnv = {};
      try {
        const bin = binOf(preset);
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const launch = preset.launch({
          task: spec.task,
          model: spec.model ?? settings.model ?? null,
          endpoint: spec.endpoint ?? settings.endpoint ?? null,
          cwd: job.cwd,
          dir,
          bin,
          args: settings.args ?? [],
          env: ctx.env(spec.env),
        });
        for (const f of launch.files ?? []) {
          fs.mkdirSync(path.dirname(f.path), { recursive: true, mode: 0o700 });
          fs.writeFileSync(f.path, f.content, { mode: 0o600 });
        }
        // an adapter that throws must never take the host down: the line stays in the log
        const safely = (fn: () => void): void => {
          try {
            fn();
          } catch (e) {
            ctx.log.warn(`job #${job.id}: ${spec.with}'s adapter could not read a line`, e);
          }
        };
        const splitter = lineSplitter((line) => safely(() => adapterRef?.line(line)));
        const errSplitter = lineSplitter((line) => safely(() => adapterRef?.stderrLine?.(line)));
        runEnv = ctx.env({ ...spec.env, ...launch.env });
        cmd = startCommand({
          argv: launch.argv,
          cwd: job.cwd,
          env: runEnv,
          logFile: ctx.logFile,
          leftoverGraceMs: ctx.killGraceMs,
          onOutput: () => ctx.output(),
          stdout: (chunk) => splitter.push(chunk),
          stderr: preset.readsStderr ? (chunk) => errSplitter.push(chunk) : undefined,
          stdin: launch.stdin === true,
        });
        adapterRef = preset.adapter({ report: ctx.report, send: (line) => void cmd.input(`${line}\n`), endInput: () => cmd.endInput(), cwd: job.cwd, log: ctx.log });
        if (launch.input !== undefined) cmd.input(launch.input);
        void cmd.exited.then(() => {
          splitter.end();
          errSplitter.end();
        });
      } catch (e) {
        cleanup();
        const error = e instanceof ErrandError ? e.message : `could not start ${spec.with}: ${(e as Error).message}`;
        const end = { exitCode: null, signal: null, error };
        return { started: Promise.resolve(-1), leaderExited: Promise.resolve(end), ended: Promise.resolve({ ...end, result: null }) };
      }
      const adapter = adapterRef;
      const stop = (): void => cmd.terminate(ctx.killGraceMs);
      if (ctx.signal.aborted) stop();
      else ctx.signal.addEventListener('abort', stop, { once: true });
      const ended = cmd.exited.then(async (e): Promise<RunEnd> => {
        ctx.signal.removeEventListener('abort', stop);
        // what left the group (an agent's sandboxed commands in sessions of their own) ends too
        await endEscapees(runEnv, ctx.killGraceMs).catch((err: unknown) => ctx.log.warn(`job #${job.id}: could not end what ${spec.with} left running`, err));
        cleanup();
        let verdict: { error: string | null; report: string | null } = { error: null, report: null };
        try {
          verdict = adapter.finish({ exitCode: e.exitCode, signal: e.signal });
        } catch (err) {
          ctx.log.warn(`job #${job.id}: could not read how ${spec.with} ended`, err);
        }
        const report = verdict.report?.trim() ? verdict.report : null;
        return {
          exitCode: e.exitCode,
          signal: e.signal,
          error: e.spawnError ?? verdict.error,
          result: report ? { type: 'report', summary: firstLine(report.replace(/^#+\s*/, '')) || `${spec.with}'s report`, markdown: report } : null,
        };
      });
      return {
        started: cmd.started,
        leaderExited: cmd.leaderExited.then((e) => ({ exitCode: e.exitCode, signal: e.signal, error: e.spawnError })),
        ended,
      };
    },
  };
}
