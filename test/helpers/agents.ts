import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { AgentPreset as AgentSettings, Decision } from '../../electron/contract/job';
import type { Logger } from '../../electron/core/logger';
import { agentRunner } from '../../electron/core/runners/agent/agent-runner';
import { findAgentBin } from '../../electron/core/runners/agent/find-bin';
import type { AdapterIO, AgentPreset } from '../../electron/core/runners/agent/preset';
import type { RunReporter } from '../../electron/core/runners/runner';
import { withWorktree } from '../../electron/core/runners/worktree';
import { openTestEngine, type TestEngine } from './engine';

// Shared by the tests that drive real agent CLIs (Codex, Claude Code, Gemini CLI,
// opencode) against fake model servers: the pinned binary, an engine that runs agent
// jobs (in worktrees, as the host does), a small git repo, and the processes of a job.

/**
 * The pinned CLI `npm run agents:install` put in its cache (never one on PATH: the
 * adapters are written against the pinned versions), or null when it is not installed.
 */
export function pinnedAgentBin(name: string, bin = name): string | null {
  return findAgentBin(name, bin, undefined, { PATH: '', ERRAND_AGENTS_DIR: process.env.ERRAND_AGENTS_DIR });
}

/** The title of a suite that skips because its CLI is missing, saying how to install it. */
export const notInstalled = (name: string): string => `${name} is not installed here: its real-CLI tests skip (install the pinned CLIs with npm run agents:install)`;

export const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1' };

/**
 * An engine that runs agent jobs with this preset through the real agent runner in a
 * worktree wrapper (as the host's registry does), the binary given in its settings.
 */
export function openAgentEngine(preset: AgentPreset, bin: string, settings: Partial<AgentSettings> = {}): TestEngine {
  return openTestEngine((home) => ({
    runners: [withWorktree(agentRunner({ home, presets: { [preset.name]: preset }, settings: () => ({ agents: { [preset.name]: { bin, ...settings } } }), env: process.env }), home)],
  }));
}

export function git(repo: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...GIT_ENV, HOME: repo } });
}

/** A git repository under `parent` with `files` committed on main; its real path. */
export function makeRepo(parent: string, files: Record<string, string>, name = 'repo'): string {
  const repo = path.join(parent, name);
  fs.mkdirSync(repo, { recursive: true });
  const real = fs.realpathSync(repo);
  git(real, 'init', '-q', '-b', 'main');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(real, rel)), { recursive: true });
    fs.writeFileSync(path.join(real, rel), text);
  }
  git(real, 'add', '-A');
  git(real, 'commit', '-qm', 'base');
  return real;
}

/**
 * Live processes of one job of one engine: every process whose environment has its
 * ERRAND_HOME and ERRAND_JOB_ID (an agent and whatever it started, even in a session of
 * its own). Zombies do not count: PID 1 here never reaps them, so liveness is read from
 * /proc/<pid>/stat.
 */
export function jobProcesses(home: string, jobId: number): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  const want = [`ERRAND_HOME=${home}`, `ERRAND_JOB_ID=${jobId}`];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (!want.every((w) => env.includes(w))) continue;
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (state === 'Z' || state === 'X') continue;
      out.push({ pid: Number(name), cmd: fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

/** One call an adapter made on its reporter, as [method, ...args]. */
export type ReportCall = [string, ...unknown[]];

/**
 * An AdapterIO that records what an adapter reports and sends, for tests of an adapter
 * alone (a recorded stream fed line by line). `decide` answers its questions (approve by
 * default); `failing` makes every report throw, as a run that is no longer live does.
 */
export function recordingIO(opts: { cwd?: string; decide?: (question: string, context: string | null | undefined, tool: string | undefined) => { decision: Decision; note: string | null } | Promise<{ decision: Decision; note: string | null }>; failing?: boolean } = {}) {
  const calls: ReportCall[] = [];
  const sent: string[] = [];
  let ended = 0;
  const rec =
    (name: string) =>
    (...args: unknown[]): void => {
      if (opts.failing) throw new Error(`job is not running (${name})`);
      calls.push([name, ...args]);
    };
  const report: RunReporter = {
    progress: rec('progress'),
    step: rec('step'),
    plan: rec('plan'),
    result: rec('result'),
    usage: rec('usage'),
    note: rec('note'),
    ask: async (question, context, o) => {
      if (opts.failing) throw new Error('job is not running (ask)');
      calls.push(['ask', question, context, o?.tool]);
      return (await opts.decide?.(question, context, o?.tool)) ?? { decision: 'approved', note: null };
    },
  };
  const warnings: unknown[] = [];
  const log: Logger = { debug: () => {}, info: () => {}, warn: (...a: unknown[]) => void warnings.push(a), error: (...a: unknown[]) => void warnings.push(a) };
  const io: AdapterIO = { report, send: (line) => sent.push(line), endInput: () => void ended++, cwd: opts.cwd ?? '/work/demo', log };
  return {
    io,
    calls,
    sent,
    warnings,
    ended: () => ended,
    /** The step calls only, as [name, status, tool kind?]. */
    steps: () => calls.filter((c) => c[0] === 'step').map((c) => [c[1], c[2], (c[3] as { tool?: string } | undefined)?.tool ?? null]),
  };
}
