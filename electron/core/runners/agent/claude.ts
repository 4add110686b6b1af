import fs from 'node:fs';
import path from 'node:path';
import type { ToolKind } from '../../../contract/job';
import { CONTEXT_MAX } from '../../../contract/limits';
import type { AdapterIO, AgentAdapter, AgentLaunch, AgentPreset, LaunchContext } from './preset';
import { arr, clip, detail, inputText, num, obj, parseEvent, PlanSteps, question, relPath, stepName, str, ToolSteps, unifiedDiff } from './tool-words';

// Claude Code (`@anthropic-ai/claude-code`, pinned 2.1.332) headless:
// `claude -p --output-format stream-json --verbose --input-format stream-json
// --permission-prompt-tool stdio` takes the task as the first user message on stdin and
// prints one JSON message per line: system/init, assistant (text and tool_use blocks),
// user (tool_result blocks), system/api_retry, result (is_error, num_turns, usage,
// total_cost_usd), and control_request can_use_tool, a permission request it waits on
// until a control_response comes back on stdin. Those become Errand approvals: one inbox
// for every agent.
//
// Why not @anthropic-ai/claude-agent-sdk: its query() spawns the CLI itself (no process
// group of its own, so a cancel would not reach the commands Claude starts), parses the
// stream for us (Errand keeps the raw bytes in the job's log and runs its own stall
// detector) and ships its own native Claude Code (~245 MB per platform as optional
// dependencies, besides the pinned CLI we run). Its types are the part that would fit,
// but sdk.d.ts is 626 KB describing every message of a fast-moving protocol and imports
// @anthropic-ai/sdk, @modelcontextprotocol/sdk and zod as peers. So the messages are read
// here through narrow checks of the fields used, written from the SDK's SDKMessage,
// SDKControlRequest (can_use_tool) and SDKControlResponse types; anything else stays in
// the log and is left alone.
//
// Permissions: edits and commands are asked for (Claude Code's default mode; Errand does
// not pass acceptEdits or bypassPermissions). The worktree and the patch already keep a
// job's edits away from the user's tree until they apply it, but a person asked for
// Claude Code's own boundary here: it may run commands, and an edit is what they would
// most often want to see first. Approving one "for the rest of this job" stops the asking
// for that tool; a setting `agents.claude.args: ["--permission-mode", "acceptEdits"]`
// turns edit requests off for every job.

const DEFAULT_MAX_RETRIES = '5';

function launch(c: LaunchContext): AgentLaunch {
  const argv = [
    c.bin,
    '-p',
    '--output-format',
    'stream-json',
    '--verbose',
    '--input-format',
    'stream-json',
    '--permission-prompt-tool',
    'stdio',
    '--no-session-persistence',
  ];
  if (c.model) argv.push('--model', c.model);
  argv.push(...c.args);
  const env: Record<string, string> = {
    // its settings, sessions and caches in the run's private dir: the user's ~/.claude is neither read nor written
    CLAUDE_CONFIG_DIR: path.join(c.dir, 'claude'),
    // no telemetry, error reports, update checks or other calls beyond the model API
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    // bounded retries of the model API, each shown as "model API: retry n of N"
    CLAUDE_CODE_MAX_RETRIES: c.env.CLAUDE_CODE_MAX_RETRIES || DEFAULT_MAX_RETRIES,
  };
  if (c.endpoint) env.ANTHROPIC_BASE_URL = c.endpoint;
  const first = { type: 'user', message: { role: 'user', content: c.task }, parent_tool_use_id: null, session_id: '' };
  return { argv, env, stdin: true, input: `${JSON.stringify(first)}\n` };
}

/** The 1-based line where `text` starts in a file, or 1 when it cannot be told. */
function lineOf(file: string, text: string): number {
  try {
    if (!text || fs.statSync(file).size > 8 * 1024 * 1024) return 1;
    const content = fs.readFileSync(file, 'utf8');
    const at = content.indexOf(text);
    return at < 0 ? 1 : content.slice(0, at).split('\n').length;
  } catch {
    return 1;
  }
}

/** A file's text as it is now, or null when there is none (a Write creates it). */
function current(file: string): string | null {
  try {
    if (fs.statSync(file).size > 8 * 1024 * 1024) return null;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** The diff an Edit, MultiEdit or Write makes, for the timeline and the inbox. */
function diffOf(name: string, input: Record<string, unknown>, cwd: string, max: number): string | null {
  const abs = path.resolve(cwd, str(input.file_path) || str(input.notebook_path));
  const rel = relPath(abs, cwd);
  if (name === 'Write') return unifiedDiff(rel, current(abs), str(input.content), 1, max);
  if (name === 'Edit') return unifiedDiff(rel, str(input.old_string), str(input.new_string), lineOf(abs, str(input.old_string)), max);
  if (name === 'MultiEdit') {
    const parts = arr(input.edits).map((e) => unifiedDiff(rel, str(obj(e).old_string), str(obj(e).new_string), lineOf(abs, str(obj(e).old_string)), max));
    return parts.length ? clip([parts[0], ...parts.slice(1).map((p) => p.split('\n').slice(2).join('\n'))].join('\n'), max) : null;
  }
  return null;
}

/** A tool call as a step: its name ("edit src/a.ts", "run npm test"), kind and input in short. */
function toolOf(name: string, input: Record<string, unknown>, cwd: string): { name: string; tool: ToolKind; detail: string | null } {
  const file = relPath(str(input.file_path) || str(input.notebook_path) || str(input.path), cwd);
  switch (name) {
    case 'Read':
      return { name: stepName(`read ${file}`), tool: 'read', detail: detail(file) };
    case 'Edit':
    case 'MultiEdit':
    case 'NotebookEdit':
      return { name: stepName(`edit ${file}`), tool: 'edit', detail: detail(diffOf(name, input, cwd, 4000) ?? inputText(input)) };
    case 'Write':
      return { name: stepName(`write ${file}`), tool: 'edit', detail: detail(diffOf(name, input, cwd, 4000)) };
    case 'Bash':
      return { name: stepName(`run ${str(input.command)}`), tool: 'run', detail: detail(str(input.command)) };
    case 'Glob':
      return { name: stepName(`find ${str(input.pattern)}`), tool: 'search', detail: detail(inputText(input)) };
    case 'Grep':
      return { name: stepName(`search ${str(input.pattern)}`), tool: 'search', detail: detail(inputText(input)) };
    case 'WebFetch':
      return { name: stepName(`fetch ${str(input.url)}`), tool: 'web', detail: detail(str(input.url)) };
    case 'WebSearch':
      return { name: stepName(`search the web: ${str(input.query)}`), tool: 'web', detail: detail(str(input.query)) };
    case 'TodoWrite':
    case 'EnterPlanMode':
    case 'ExitPlanMode':
      return { name: 'update the plan', tool: 'plan', detail: detail(inputText(input)) };
    case 'AskUserQuestion':
      return { name: 'ask a question', tool: 'ask', detail: detail(inputText(input)) };
    case 'Task':
    case 'Agent':
      return { name: stepName(`agent: ${str(input.description) || str(input.subagent_type) || 'a subtask'}`), tool: 'other', detail: detail(str(input.prompt)) };
    default: {
      const mcp = /^mcp__(.+?)__(.+)$/.exec(name);
      return { name: stepName(mcp ? `${mcp[1]}: ${mcp[2]}` : name), tool: 'other', detail: detail(inputText(input)) };
    }
  }
}

/** What a permission request asks, in words: the question and what it would do (a diff, a command line and where). */
function permissionOf(name: string, input: Record<string, unknown>, cwd: string, req: Record<string, unknown>): { q: string; context: string } {
  const file = relPath(str(input.file_path) || str(input.notebook_path), cwd);
  switch (name) {
    case 'Edit':
    case 'MultiEdit':
      return { q: `Edit ${file}`, context: diffOf(name, input, cwd, CONTEXT_MAX) ?? inputText(input, CONTEXT_MAX) };
    case 'Write':
      return { q: `${current(path.resolve(cwd, file)) === null ? 'Create' : 'Write'} ${file}`, context: diffOf(name, input, cwd, CONTEXT_MAX)! };
    case 'NotebookEdit':
      return { q: `Edit ${file}`, context: inputText(input, CONTEXT_MAX) };
    case 'Bash':
      return { q: `Run: ${str(input.command).split('\n')[0]}`, context: clip(`${str(input.command)}\ncwd: ${cwd}`, CONTEXT_MAX) };
    case 'WebFetch':
      return { q: `Fetch ${str(input.url)}`, context: clip(`${str(input.url)}\n\n${str(input.prompt)}`, CONTEXT_MAX) };
    case 'WebSearch':
      return { q: `Search the web: ${str(input.query)}`, context: str(input.query) };
    default: {
      const why = str(req.decision_reason);
      return { q: `Use ${str(req.display_name) || name}${str(req.description) ? `: ${str(req.description)}` : ''}`, context: clip(`${inputText(input, CONTEXT_MAX)}${why ? `\n\n${why}` : ''}`, CONTEXT_MAX) };
    }
  }
}

function adapter(io: AdapterIO): AgentAdapter {
  const steps = new ToolSteps(io.report);
  const plan = new PlanSteps(io.report);
  let cwd = io.cwd;
  let lastText: string | null = null;
  let apiError: string | null = null;
  let result: Record<string, unknown> | null = null;
  let warned = false;
  /** Permission requests Claude Code no longer waits for. */
  const withdrawn = new Set<string>();
  /** One question at a time: a job waits for one decision, and requests queue behind it. */
  let asking: Promise<void> = Promise.resolve();
  /** Tokens per model call (several assistant messages share one call's id), and their sums. */
  const calls = new Map<string, { input: number; cached: number; output: number }>();
  const used = { input: 0, cached: 0, output: 0 };

  const warn = (err: unknown): void => {
    if (!warned) io.log.warn('claude: an event could not be recorded', err);
    warned = true;
  };
  const reply = (requestId: string, response: Record<string, unknown>): void =>
    io.send(JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: requestId, response } }));


  const permission = (requestId: string, req: Record<string, unknown>): void => {
    const name = str(req.tool_name);
    const input = obj(req.input);
    const { q, context } = permissionOf(name, input, cwd, req);
    const decide = async (): Promise<void> => {
      if (withdrawn.has(requestId)) return;
      let d: { decision: string; note: string | null };
      try {
        d = await io.report.ask(question(q), context, { tool: name });
      } catch (err) {
        warn(err);
        d = { decision: 'expired', note: null };
      }
      if (withdrawn.has(requestId)) return;
      if (d.decision === 'approved') reply(requestId, { behavior: 'allow', updatedInput: input });
      else
        reply(requestId, {
          behavior: 'deny',
          message: d.note?.trim() || (d.decision === 'denied' ? 'A person denied this in Errand.' : 'Nobody decided: the run is stopping.'),
        });
    };
    asking = asking.then(decide, decide);
  };

  const onEvent = (e: Record<string, unknown>): void => {
    switch (e.type) {
      case 'system':
        if (e.subtype === 'init') cwd = str(e.cwd) || cwd;
        else if (e.subtype === 'api_retry') io.report.note(`model API: retry ${num(e.attempt)} of ${num(e.max_retries)}`);
        return;
      case 'assistant': {
        const m = obj(e.message);
        const u = obj(m.usage);
        const id = str(m.id);
        if (id && m.model !== '<synthetic>') {
          // a running count, once per model call (the result brings the final one)
          const before = calls.get(id);
          const now = { input: num(u.input_tokens) + num(u.cache_read_input_tokens) + num(u.cache_creation_input_tokens), cached: num(u.cache_read_input_tokens), output: num(u.output_tokens) };
          calls.set(id, now);
          used.input += now.input - (before?.input ?? 0);
          used.cached += now.cached - (before?.cached ?? 0);
          used.output += now.output - (before?.output ?? 0);
          if (!before) io.report.usage({ inputTokens: used.input, outputTokens: used.output, cachedTokens: used.cached, costUsd: null });
        }
        for (const b of arr(m.content)) {
          const block = obj(b);
          if (block.type === 'text' && e.parent_tool_use_id == null) {
            const t = str(block.text);
            if (e.is_api_error_message === true || e.error != null) apiError = t || apiError;
            else if (t.trim()) lastText = t;
          } else if (block.type === 'tool_use') {
            const input = obj(block.input);
            const tool = toolOf(str(block.name), input, cwd);
            steps.start(str(block.id), tool.name, tool.tool, tool.detail);
            if (block.name === 'TodoWrite') plan.update(arr(input.todos).map((t) => ({ text: str(obj(t).content), done: obj(t).status === 'completed' })).filter((t) => t.text));
          }
        }
        return;
      }
      case 'user':
        for (const b of arr(obj(e.message).content)) {
          const block = obj(b);
          if (block.type === 'tool_result') steps.end(str(block.tool_use_id), block.is_error !== true);
        }
        return;
      case 'control_request': {
        const req = obj(e.request);
        const id = str(e.request_id);
        if (req.subtype === 'can_use_tool') permission(id, req);
        // nothing else is Errand's to answer; say so rather than leave it waiting
        else if (id) io.send(JSON.stringify({ type: 'control_response', response: { subtype: 'error', request_id: id, error: `Errand does not handle ${str(req.subtype) || 'this request'}` } }));
        return;
      }
      case 'control_cancel_request':
        withdrawn.add(str(e.request_id));
        return;
      case 'result': {
        result = e;
        const u = obj(e.usage);
        io.report.usage({
          inputTokens: num(u.input_tokens) + num(u.cache_read_input_tokens) + num(u.cache_creation_input_tokens),
          outputTokens: num(u.output_tokens),
          cachedTokens: num(u.cache_read_input_tokens),
          costUsd: typeof e.total_cost_usd === 'number' ? e.total_cost_usd : null,
        });
        // the one task is done: end of input lets Claude Code exit
        io.endInput();
        return;
      }
      default:
      // stream events, hooks, tasks, keep-alives and anything newer: in the log
    }
  };

  return {
    line(text) {
      const e = parseEvent(text);
      if (!e) return;
      try {
        onEvent(e);
      } catch (err) {
        // the run is no longer live (cancelled, stopped) or an event we misread: never fatal
        warn(err);
      }
    },
    finish(exit) {
      const r = result;
      if (r) {
        const failed = r.is_error === true || r.subtype !== 'success';
        if (!failed) return { error: null, report: str(r.result) || lastText };
        const errors = arr(r.errors).map(str).filter(Boolean);
        const why = str(r.result) || errors.join('; ') || apiError || `Claude Code ended with ${str(r.subtype) || 'an error'}`;
        return { error: clip(why, 2000), report: null };
      }
      // stopped by Errand (cancel, timeout, stall): Errand's own reason says why
      if (exit.signal) return { error: null, report: null };
      if (apiError) return { error: clip(apiError, 2000), report: null };
      return { error: exit.exitCode === 0 ? 'Claude Code ended without a result' : null, report: null };
    },
  };
}

export const CLAUDE: AgentPreset = { name: 'claude', pkg: '@anthropic-ai/claude-code', bin: 'claude', launch, adapter };
