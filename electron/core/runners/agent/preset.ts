import type { AgentName } from '../../../contract/api';
import type { Logger } from '../../logger';
import type { RunReporter } from '../runner';

// What it takes to run one coding agent headless: how to start it (preset) and how to
// read its event stream into Errand's words (adapter). One file per agent.

/** What a preset is told when it builds the command line. */
export interface LaunchContext {
  task: string;
  /** The model asked for (job, then settings), or null for the agent's own default. */
  model: string | null;
  /** The API base URL asked for (job, then settings), or null for the agent's own default. */
  endpoint: string | null;
  /** Where the agent works (its worktree when isolated). */
  cwd: string;
  /** A private directory (0700) for this run's config files; removed when the run ends. */
  dir: string;
  /** The agent's executable, resolved. */
  bin: string;
  /** Extra arguments from the settings, placed before the task. */
  args: readonly string[];
  /** The environment the run gets (API keys come from here, never from the store). */
  env: NodeJS.ProcessEnv;
}

export interface AgentLaunch {
  argv: string[];
  /** Variables for the run on top of its environment (config homes, telemetry off, base URLs). */
  env: Record<string, string>;
  /** Files to write before the start, paths inside `dir` (or under it). */
  files?: { path: string; content: string }[];
  /** Give the agent a stdin pipe (for control requests and their answers); else /dev/null. */
  stdin?: boolean;
  /** Written to stdin right after the start (a first message in stream-json input). */
  input?: string;
}

export interface AdapterIO {
  report: RunReporter;
  /** Writes a line to the agent's stdin (an answer to a control request). */
  send(line: string): void;
  /** Closes the agent's stdin: no more input (Claude Code's stream-json input ends its session on end of file). */
  endInput(): void;
  /** Where the agent works (its worktree when isolated): paths in steps are shown relative to it. */
  cwd: string;
  log: Logger;
}

/** Reads an agent's stdout, one line at a time. Never throws: an unknown event stays in the log and is otherwise left alone. */
export interface AgentAdapter {
  line(text: string): void;
  /** A line the agent wrote to stderr, for adapters that read it (retries some CLIs report only there); it is in the log either way. */
  stderrLine?(text: string): void;
  /**
   * The agent exited: what its stream says of the run (an error the exit code does not
   * show, e.g. Claude Code's `is_error` with exit 0) and its final message (the report).
   */
  finish(exit: { exitCode: number | null; signal: string | null }): { error: string | null; report: string | null };
}

export interface AgentPreset {
  name: AgentName;
  /** The npm package that installs it (named in the error when it is missing). */
  pkg: string;
  /** The executable's name on PATH. */
  bin: string;
  /** Its adapter reads stderr too (`stderrLine`); otherwise stderr goes straight to the log. */
  readsStderr?: boolean;
  launch(c: LaunchContext): AgentLaunch;
  /**
   * What would keep it from running, known when the job is added (a missing API key, an
   * endpoint without a model): the refusal in the user's words, or null. Called at
   * admission with the job's environment (secrets included).
   */
  check?(c: { model: string | null; endpoint: string | null; env: NodeJS.ProcessEnv }): string | null;
  adapter(io: AdapterIO): AgentAdapter;
}
