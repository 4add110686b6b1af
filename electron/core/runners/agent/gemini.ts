import path from 'node:path';
import type { ToolKind } from '../../../contract/job';
import type { AdapterIO, AgentAdapter, AgentLaunch, AgentPreset, LaunchContext } from './preset';
import { arr, clip, detail, inputText, num, obj, parseEvent, PlanSteps, relPath, stepName, str, ToolSteps, unifiedDiff } from './tool-words';

// Gemini CLI (`@google/gemini-cli`, pinned 0.61.0) headless: `gemini --output-format
// stream-json --prompt=TASK` prints one JSON event per line:
//   init        {session_id, model}
//   message     {role: "user" | "assistant", content, delta?}  (assistant text comes in deltas)
//   tool_use    {tool_name, tool_id, parameters}
//   tool_result {tool_id, status: "success" | "error", output?, error?: {type, message}}
//   error       {severity: "warning" | "error", message}  (loop detected, blocked, …)
//   result      {status: "success" | "error", error?: {type, message}, stats: {input_tokens,
//               output_tokens, cached, …}}  (the last line, also when the API failed)
// There is no SDK for this stream; the events are read here through narrow checks of the
// fields used (shapes from the CLI's own StreamJsonFormatter, and seen against a fake
// Gemini API). Model retries are printed on stderr only ("Attempt 2 failed with status
// 500. Retrying with backoff..."): the adapter reads stderr for them and shows each as
// the activity ("model API: retry 2 of 3"); the log keeps them.
//
// Permissions: `--yolo` approves every tool call, and Gemini CLI has no hook to ask a
// person first. For this agent the boundary is the worktree plus the patch: it works in
// the job's own git worktree, and nothing touches the user's tree until they apply the
// patch. (An untrusted folder makes the CLI drop --yolo, so folder trust is off here; a
// job that still could not run its tools would show failed steps, never silently less.)

/** Gemini CLI's settings for one run, in a private GEMINI_CLI_HOME (the user's ~/.gemini is neither read nor written). */
function settingsJson(): string {
  return `${JSON.stringify(
    {
      // the key comes from GEMINI_API_KEY in the job's environment, never from a file
      security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
      general: {
        enableAutoUpdate: false,
        enableAutoUpdateNotification: false,
        // its default is 10 attempts with a backoff (minutes against a failing endpoint);
        // 3 still rides out a blip, and the stall detector covers an endpoint that hangs
        maxAttempts: MAX_ATTEMPTS,
        checkpointing: { enabled: false },
      },
      ide: { enabled: false },
    },
    null,
    2,
  )}\n`;
}

const NO_KEY = 'Gemini CLI needs an API key: set GEMINI_API_KEY where the job is added (it reaches the job without being stored).';

function launch(c: LaunchContext): AgentLaunch {
  // without it the CLI only says so on stderr and exits 41
  if (!c.env.GEMINI_API_KEY) throw new Error(NO_KEY);
  const home = path.join(c.dir, 'gemini-home');
  const tmp = path.join(c.dir, 'tmp');
  const argv = [c.bin, '--output-format', 'stream-json', '--yolo'];
  if (c.model) argv.push('--model', c.model);
  // --prompt=TASK: a task starting with "-" stays the task
  argv.push(...c.args, `--prompt=${c.task}`);
  const env: Record<string, string> = {
    GEMINI_CLI_HOME: home,
    // belt and braces with folderTrust off: a system settings file could turn trust back on
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
    GEMINI_TELEMETRY_ENABLED: 'false',
    // it would start a second Node with a bigger heap and wait for it: one process is enough
    GEMINI_CLI_NO_RELAUNCH: 'true',
    // its error reports (with the conversation in them) go to the run's private dir, not /tmp
    TMPDIR: tmp,
    PWD: c.cwd,
  };
  if (c.endpoint) env.GOOGLE_GEMINI_BASE_URL = c.endpoint;
  // stdin stays /dev/null: the CLI appends a piped stdin to the prompt
  return {
    argv,
    env,
    files: [
      { path: path.join(home, '.gemini', 'settings.json'), content: settingsJson() },
      { path: path.join(tmp, '.keep'), content: '' },
    ],
  };
}

/** A tool call as a step: its name ("edit src/a.ts", "run npm test"), its kind and input in short. */
export function geminiTool(name: string, p: Record<string, unknown>, cwd: string): { name: string; tool: ToolKind; detail: string | null } {
  const file = relPath(str(p.file_path) || str(p.absolute_path) || str(p.path), cwd);
  switch (name) {
    case 'read_file':
      return { name: stepName(`read ${file}`), tool: 'read', detail: null };
    case 'read_many_files': {
      const paths = [...arr(p.include), ...arr(p.paths)].map(str).filter(Boolean);
      return { name: stepName(`read ${paths.length <= 3 ? paths.join(', ') : `${paths.length} paths`}`), tool: 'read', detail: detail(paths.join('\n')) };
    }
    case 'list_directory':
      return { name: stepName(`list ${relPath(str(p.dir_path) || str(p.path), cwd) || '.'}`), tool: 'read', detail: null };
    case 'glob':
      return { name: stepName(`find ${str(p.pattern)}`), tool: 'search', detail: detail(str(p.dir_path) || null) };
    case 'grep_search':
    case 'search_file_content':
      return { name: stepName(`search ${str(p.pattern)}`), tool: 'search', detail: detail([str(p.pattern), str(p.dir_path), str(p.include)].filter(Boolean).join('\n')) };
    case 'write_file':
      return { name: stepName(`write ${file}`), tool: 'edit', detail: unifiedDiff(file, null, str(p.content)) };
    case 'replace':
    case 'edit':
      return { name: stepName(`edit ${file}`), tool: 'edit', detail: unifiedDiff(file, str(p.old_string), str(p.new_string)) };
    case 'run_shell_command': {
      const cmd = str(p.command);
      const dir = str(p.dir_path);
      return { name: stepName(`run ${cmd}`), tool: 'run', detail: detail(dir ? `${cmd}\n(in ${dir})` : cmd) };
    }
    case 'web_fetch':
      return { name: stepName(`fetch ${(/https?:\/\/\S+/.exec(str(p.prompt)) ?? [str(p.url) || 'a page'])[0]}`), tool: 'web', detail: detail(str(p.prompt) || str(p.url)) };
    case 'google_web_search':
      return { name: stepName(`search the web for ${str(p.query)}`), tool: 'web', detail: null };
    case 'ask_user':
      return { name: stepName(`ask ${str(p.question)}`), tool: 'ask', detail: null };
    case 'enter_plan_mode':
    case 'exit_plan_mode':
      return { name: stepName(name.replace(/_/g, ' ')), tool: 'plan', detail: detail(str(p.reason) || null) };
    default:
      return { name: stepName(name), tool: 'other', detail: detail(Object.keys(p).length ? inputText(p) : null) };
  }
}

/** "[API Error: {"error":{"code":500,"message":"…","status":"INTERNAL"}}]" → "Gemini API: 500 INTERNAL: …". */
function apiError(message: string): string {
  const m = /^\[API Error: ([\s\S]*)\]$/.exec(message.trim());
  if (m) {
    try {
      const e = obj(obj(JSON.parse(m[1]!)).error);
      if (str(e.message)) return clip(`Gemini API: ${[num(e.code) || '', str(e.status)].filter(Boolean).join(' ')}: ${str(e.message)}`.replace(/API: : /, 'API: '), 2000);
    } catch {
      // not JSON inside: keep the CLI's words
    }
    return clip(`Gemini API: ${m[1]!}`, 2000);
  }
  return clip(message.trim(), 2000);
}

/** Retries (maxAttempts in its settings, above). */
const MAX_ATTEMPTS = 3;
const RETRY = /^Attempt (\d+) failed\b(?: with (?:status )?([\w ]+?))?\s*[.:(]/;

function adapter(io: AdapterIO): AgentAdapter {
  const steps = new ToolSteps(io.report);
  const plan = new PlanSteps(io.report);
  /** The assistant's text since the last tool call, and the last complete one before it. */
  let text = '';
  let lastText = '';
  let result: { ok: boolean; error: string | null } | null = null;
  let fatal: string | null = null;

  const flushText = (): void => {
    if (text.trim()) lastText = text;
    text = '';
  };

  return {
    stderrLine(line) {
      const m = RETRY.exec(line.trim());
      if (m) io.report.note(`model API: retry ${Number(m[1]) + 1} of ${MAX_ATTEMPTS}${m[2] ? ` (${m[2].trim()})` : ''}`);
    },
    line(line) {
      const e = parseEvent(line);
      if (!e) return;
      switch (e.type) {
        case 'message':
          if (e.role === 'assistant') text = e.delta === false ? str(e.content) : text + str(e.content);
          return;
        case 'tool_use': {
          flushText();
          const name = str(e.tool_name);
          const params = obj(e.parameters);
          if (name === 'write_todos') {
            plan.update(arr(params.todos).map((t) => ({ text: str(obj(t).description), done: obj(t).status === 'completed' })).filter((t) => t.text));
            return;
          }
          if (name === 'update_topic') {
            // the CLI's narration ("Topic: …"), not work: what it is doing now
            const title = str(params.title);
            if (title) io.report.note(clip(title, 200));
            return;
          }
          const t = geminiTool(name, params, io.cwd);
          steps.start(str(e.tool_id) || name, t.name, t.tool, t.detail);
          return;
        }
        case 'tool_result':
          steps.end(str(e.tool_id), e.status === 'success');
          return;
        case 'error':
          if (e.severity === 'error' && str(e.message)) fatal = clip(str(e.message), 2000);
          return;
        case 'result': {
          flushText();
          const stats = obj(e.stats);
          if (stats.input_tokens !== undefined || stats.output_tokens !== undefined) {
            io.report.usage({ inputTokens: num(stats.input_tokens), outputTokens: num(stats.output_tokens), cachedTokens: num(stats.cached), costUsd: null });
          }
          const error = obj(e.error);
          result = e.status === 'error' ? { ok: false, error: str(error.message) ? apiError(str(error.message)) : (fatal ?? 'Gemini CLI reported an error') } : { ok: true, error: null };
          return;
        }
        default:
          return; // init, a user message, anything newer: in the log, nothing more
      }
    },
    finish() {
      flushText();
      const report = lastText.trim() ? lastText : null;
      if (result && !result.ok) return { error: result.error, report };
      // No result line: it was stopped (it exits 0 on SIGTERM, so a stall, timeout or
      // cancel must keep its own words) or it died; an error event it printed says why.
      return { error: result ? null : fatal, report };
    },
  };
}

export const GEMINI: AgentPreset = {
  name: 'gemini',
  pkg: '@google/gemini-cli',
  bin: 'gemini',
  readsStderr: true,
  launch,
  adapter,
  check: (c) => (c.env.GEMINI_API_KEY ? null : NO_KEY),
};
