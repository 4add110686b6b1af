import path from 'node:path';
import type { ToolKind } from '../../../contract/job';
import type { AdapterIO, AgentAdapter, AgentLaunch, AgentPreset, LaunchContext } from './preset';
import { arr, clip, detail, inputText, num, obj, parseEvent, PlanSteps, relPath, stepName, str, ToolSteps, unwrapShell } from './tool-words';

// Codex (`@openai/codex`, pinned 0.171.0) headless: `codex exec --json` prints one JSON
// event per line: thread.started, turn.started, item.started / item.updated /
// item.completed (command_execution, file_change, mcp_tool_call, web_search, todo_list,
// agent_message, reasoning, error), turn.completed (usage), turn.failed, and top-level
// `error` (the "Reconnecting... 2/5" retries, or a fatal error).
//
// Why not @openai/codex-sdk: it spawns `codex exec` itself with a plain spawn (no process
// group of its own, so a cancel would not reach the commands Codex starts), reads stdout
// through readline (Errand keeps the raw bytes in the job's log and runs its own stall
// detector), and depends on a pinned @openai/codex (0.163.0, the newest SDK on the
// registry: a second ~424 MB native CLI, older than the one we run). Only its types
// would fit, and even as a types-only devDependency it installs that CLI, and its .d.ts
// imports @modelcontextprotocol/sdk. So the events are read here through narrow checks
// of the fields used, written from the SDK's `ThreadEvent` types (dist/index.d.ts);
// anything else stays in the log and is left alone.

/** A TOML basic string (JSON's escapes are TOML's). */
const toml = (s: string): string => JSON.stringify(s);

/**
 * Codex's own config for the run, in a private CODEX_HOME: telemetry and update checks
 * off, plugins and apps off (they reach the network and load the user's extras), and,
 * with an endpoint, a model provider of our own that reads the key from OPENAI_API_KEY
 * (the key itself is never written anywhere). The user's ~/.codex is neither read nor
 * written. Settings' extra arguments (`-c key=value`) come later and win.
 */
function configToml(endpoint: string | null): string {
  const lines = [
    '# written by Errand for one run; removed when it ends',
    'check_for_update_on_startup = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[features]',
    'plugins = false',
    'remote_plugin = false',
    'apps = false',
  ];
  if (endpoint) {
    lines.unshift('model_provider = "errand"');
    lines.push('', '[model_providers.errand]', 'name = "errand"', `base_url = ${toml(endpoint)}`, 'env_key = "OPENAI_API_KEY"', 'wire_api = "responses"');
  }
  return `${lines.join('\n')}\n`;
}

function launch(c: LaunchContext): AgentLaunch {
  const home = path.join(c.dir, 'codex-home');
  const argv = [c.bin, 'exec', '--json', '--ephemeral', '--skip-git-repo-check', '--sandbox', 'workspace-write', '--color', 'never'];
  if (c.model) argv.push('--model', c.model);
  argv.push(...c.args, '--', c.task);
  const env: Record<string, string> = { CODEX_HOME: home };
  // Codex's own OpenAI provider takes an API key from CODEX_API_KEY (or a login in its
  // home, which a private home has not); people have OPENAI_API_KEY
  if (!c.endpoint && c.env.OPENAI_API_KEY && !c.env.CODEX_API_KEY) env.CODEX_API_KEY = c.env.OPENAI_API_KEY;
  // stdin stays /dev/null: `codex exec` reads a piped stdin to its end before it starts
  return { argv, env, files: [{ path: path.join(home, 'config.toml'), content: configToml(c.endpoint) }] };
}

/** A tool call as a step: its name ("run npm test"), its kind and input in short. */
function toolOf(item: Record<string, unknown>, cwd: string): { name: string; tool: ToolKind; detail: string | null } | null {
  switch (item.type) {
    case 'command_execution': {
      const cmd = str(item.command);
      return { name: stepName(`run ${unwrapShell(cmd)}`), tool: 'run', detail: detail(cmd) };
    }
    case 'file_change': {
      const changes = arr(item.changes).map((ch) => ({ path: relPath(str(obj(ch).path), cwd), kind: str(obj(ch).kind) }));
      const verb = (k: string): string => (k === 'add' ? 'create' : k === 'delete' ? 'delete' : 'edit');
      const kinds = new Set(changes.map((ch) => verb(ch.kind)));
      const name =
        changes.length === 1
          ? `${verb(changes[0]!.kind)} ${changes[0]!.path}`
          : `${kinds.size === 1 ? [...kinds][0] : 'edit'} ${changes.length <= 3 ? changes.map((ch) => ch.path).join(', ') : `${changes.length} files`}`;
      return { name: stepName(name), tool: 'edit', detail: detail(changes.map((ch) => `${ch.kind} ${ch.path}`).join('\n')) };
    }
    case 'mcp_tool_call':
      return { name: stepName(`${str(item.server)}: ${str(item.tool)}`), tool: 'other', detail: detail(inputText(item.arguments)) };
    case 'web_search':
      return { name: stepName(`search the web: ${str(item.query)}`), tool: 'web', detail: detail(str(item.query)) };
    default:
      return null;
  }
}

function failed(item: Record<string, unknown>): boolean {
  if (item.status === 'failed' || item.status === 'declined') return true;
  if (item.type === 'command_execution' && typeof item.exit_code === 'number' && item.exit_code !== 0) return true;
  return item.type === 'mcp_tool_call' && item.error != null;
}

const RETRY = /^Reconnecting\.\.\.\s*(\d+)\/(\d+)/;

function adapter(io: AdapterIO): AgentAdapter {
  const steps = new ToolSteps(io.report);
  const plan = new PlanSteps(io.report);
  let message: string | null = null;
  let turnFailed: string | null = null;
  let fatal: string | null = null;
  const used = { inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
  let warned = false;

  const todo = (item: Record<string, unknown>): void =>
    plan.update(arr(item.items).map((i) => ({ text: str(obj(i).text), done: obj(i).completed === true })).filter((i) => i.text));

  const onEvent = (e: Record<string, unknown>): void => {
    switch (e.type) {
      case 'item.started':
      case 'item.updated':
      case 'item.completed': {
        const item = obj(e.item);
        const id = str(item.id);
        if (item.type === 'todo_list') return todo(item);
        if (item.type === 'agent_message') {
          if (e.type === 'item.completed') message = str(item.text) || message;
          return;
        }
        const tool = toolOf(item, io.cwd);
        if (!tool) return; // reasoning, a non-fatal error item, something newer: in the log
        if (e.type === 'item.started') steps.start(id, tool.name, tool.tool, tool.detail);
        else if (e.type === 'item.completed') steps.end(id, !failed(item), tool);
        return;
      }
      case 'turn.completed': {
        const u = obj(e.usage);
        used.inputTokens += num(u.input_tokens);
        used.outputTokens += num(u.output_tokens);
        used.cachedTokens += num(u.cached_input_tokens);
        io.report.usage({ ...used, costUsd: null });
        return;
      }
      case 'turn.failed':
        turnFailed = str(obj(e.error).message) || 'the turn failed';
        return;
      case 'error': {
        const text = str(e.message);
        const retry = RETRY.exec(text);
        if (retry) io.report.note(`model API: retry ${retry[1]} of ${retry[2]}`);
        else fatal = text || fatal;
        return;
      }
      default:
      // thread.started, turn.started and anything newer: in the log
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
        if (!warned) io.log.warn('codex: an event could not be recorded', err);
        warned = true;
      }
    },
    finish(exit) {
      // stopped by Errand (cancel, timeout, stall): Errand's own reason says why
      const error = exit.signal ? null : (turnFailed ?? fatal);
      return { error: error ? clip(error, 2000) : null, report: message };
    },
  };
}

export const CODEX: AgentPreset = { name: 'codex', pkg: '@openai/codex', bin: 'codex', launch, adapter };
