import path from 'node:path';
import type { ToolKind } from '../../../contract/job';
import type { AdapterIO, AgentAdapter, AgentLaunch, AgentPreset, LaunchContext } from './preset';
import { arr, clip, detail, inputText, num, obj, parseEvent, PlanSteps, relPath, stepName, str, unifiedDiff } from './tool-words';

// opencode (`opencode-ai`, pinned 1.18.33) headless: `opencode run --format json` prints
// one JSON event per line, each {type, timestamp, sessionID, part}:
//   step_start   a model turn begins
//   text         {part: {text}}  a finished block of the assistant's text
//   tool_use     {part: {tool, callID, state: {status: "completed" | "error", input,
//                output, error, metadata}}}  only once the tool has finished
//   step_finish  {part: {reason, tokens: {input, output, reasoning, cache: {read, write}}, cost}}
//   error        {error: {name, data: {message, statusCode, …}}}  the session failed
//                (the API's error once its retries ran out); the exit code is then 1
//   reasoning    only with --thinking (not asked for)
// Its SDK (@opencode-ai/sdk) talks to an opencode server over HTTP; it does not read this
// stream, so the events are read here through narrow checks of the fields used (shapes
// from `opencode run` itself, seen against a fake chat-completions endpoint). Model
// retries (5, backing off to 30 s) are not in the stream, so they cannot be shown as
// such; the stall detector ends a run that goes quiet for too long.
//
// Permissions: `opencode run` has no way to ask a person (a permission that would ask is
// rejected on the spot). The config allows edits and commands and denies anything
// outside the directory it works in; the boundary is the worktree plus the patch:
// nothing touches the user's tree until they apply the patch.

/** The provider id the endpoint gets in the config (models are `errand/<model>`). */
export const OPENCODE_PROVIDER = 'errand';

/** opencode's config for one run: with an endpoint, an OpenAI-compatible provider whose key comes from OPENAI_API_KEY (substituted by opencode; never written). */
function configJson(c: LaunchContext, model: string | null): string {
  const config: Record<string, unknown> = {
    $schema: 'https://opencode.ai/config.json',
    autoupdate: false,
    share: 'disabled',
    // its own undo copies of the tree: the worktree and the patch are Errand's
    snapshot: false,
    // Nothing may ask: `opencode run` rejects a request on the spot and then ends the whole
    // session quietly. A denial instead goes back to the model as the tool's error.
    permission: {
      edit: 'allow',
      bash: 'allow',
      webfetch: 'allow',
      external_directory: 'deny',
      doom_loop: 'deny',
      read: { '*': 'allow', '*.env': 'deny', '*.env.*': 'deny', '*.env.example': 'allow' },
    },
  };
  if (c.endpoint && model) {
    config.provider = {
      [OPENCODE_PROVIDER]: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Errand endpoint',
        options: { baseURL: c.endpoint, apiKey: '{env:OPENAI_API_KEY}' },
        models: { [model]: { name: model } },
      },
    };
    config.model = `${OPENCODE_PROVIDER}/${model}`;
    config.small_model = `${OPENCODE_PROVIDER}/${model}`;
  }
  return `${JSON.stringify(config, null, 2)}\n`;
}

function launch(c: LaunchContext): AgentLaunch {
  const home = path.join(c.dir, 'opencode');
  const configHome = path.join(home, 'config');
  const configFile = path.join(home, 'opencode.json');
  // with an endpoint the model is the endpoint's own name for it ("errand/" optional)
  const model = c.endpoint && c.model ? c.model.replace(new RegExp(`^${OPENCODE_PROVIDER}/`), '') : null;
  if (c.endpoint && !model) throw new Error(NEEDS_MODEL);
  const title = clip(c.task.replace(/\s+/g, ' ').trim(), 60);
  // --title: no model call to make one up; "=" keeps a task starting with "-" the title
  const argv = [c.bin, 'run', '--format', 'json', '--pure', `--title=${title || 'errand job'}`];
  if (model) argv.push('--model', `${OPENCODE_PROVIDER}/${model}`);
  else if (c.model) argv.push('--model', c.model);
  argv.push(...c.args, '--', c.task);
  const env: Record<string, string> = {
    // its config, sessions, logs and caches live in the run's private dir: the user's
    // ~/.config/opencode and ~/.local/share/opencode are neither read nor written
    XDG_CONFIG_HOME: configHome,
    XDG_DATA_HOME: path.join(home, 'data'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    XDG_STATE_HOME: path.join(home, 'state'),
    OPENCODE_CONFIG: configFile,
    OPENCODE_CONFIG_DIR: path.join(configHome, 'opencode'),
    OPENCODE_CONFIG_CONTENT: '{}',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
    OPENCODE_DISABLE_SHARE: '1',
    OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
    // opencode works in $PWD when it is set, not in the directory it was started in
    PWD: c.cwd,
  };
  // A config dir without these makes opencode npm-install its plugin kit into it at every
  // start (the network, and seconds): already "installed" as far as its check goes.
  const kit = '{"dependencies":{"@opencode-ai/plugin":"*"}}\n';
  return {
    argv,
    env,
    files: [
      { path: configFile, content: configJson(c, model) },
      { path: path.join(configHome, 'opencode', 'package.json'), content: kit },
      { path: path.join(configHome, 'opencode', 'package-lock.json'), content: `{"lockfileVersion":3,"packages":{"":${kit.trim()}}}\n` },
      { path: path.join(configHome, 'opencode', 'node_modules', '.keep'), content: '' },
    ],
  };
}

/** A finished tool call as a step: its name ("edit src/a.ts", "run npm test"), kind, input in short, and whether it worked. */
export function opencodeTool(tool: string, state: Record<string, unknown>, cwd: string): { name: string; tool: ToolKind; detail: string | null; ok: boolean } {
  const input = obj(state.input);
  const meta = obj(state.metadata);
  const ok = state.status === 'completed';
  const file = relPath(str(input.filePath) || str(input.path), cwd);
  switch (tool) {
    case 'read':
      return { name: stepName(`read ${file}`), tool: 'read', detail: null, ok };
    case 'list':
      return { name: stepName(`list ${file || '.'}`), tool: 'read', detail: null, ok };
    case 'glob':
      return { name: stepName(`find ${str(input.pattern)}`), tool: 'search', detail: detail(str(input.path) || null), ok };
    case 'grep':
      return { name: stepName(`search ${str(input.pattern)}`), tool: 'search', detail: detail([str(input.pattern), str(input.path), str(input.include)].filter(Boolean).join('\n')), ok };
    case 'write': {
      const created = meta.exists === false;
      return { name: stepName(`${created ? 'create' : 'write'} ${file}`), tool: 'edit', detail: created ? unifiedDiff(file, null, str(input.content)) : detail(str(input.content)), ok };
    }
    case 'edit':
    case 'multiedit': {
      const diff = str(meta.diff) || str(obj(meta.filediff).patch);
      const d = diff ? detail(diff.replace(/^Index: .*\n=+\n/, '').replace(/^(---|\+\+\+) (.*)$/gm, (_w, side: string, p: string) => `${side} ${side === '---' ? 'a' : 'b'}/${relPath(p.trim(), cwd)}`)) : unifiedDiff(file, str(input.oldString), str(input.newString));
      return { name: stepName(`edit ${file}`), tool: 'edit', detail: d, ok };
    }
    case 'apply_patch':
    case 'patch': {
      const text = str(input.patchText) || str(input.patch);
      const files = [...text.matchAll(/^\*\*\* (?:Add|Update|Delete) File: (.+)$/gm)].map((m) => relPath(m[1]!.trim(), cwd));
      return { name: stepName(`edit ${files.length === 0 ? 'files' : files.length <= 3 ? files.join(', ') : `${files.length} files`}`), tool: 'edit', detail: detail(text), ok };
    }
    case 'bash': {
      const cmd = str(input.command);
      const dir = str(input.workdir);
      const exit = meta.exit;
      // a command that ran and exited non-zero is a failed step (the agent carries on)
      return { name: stepName(`run ${cmd}`), tool: 'run', detail: detail(dir ? `${cmd}\n(in ${dir})` : cmd), ok: ok && (exit === undefined || exit === null || exit === 0) };
    }
    case 'webfetch':
      return { name: stepName(`fetch ${str(input.url)}`), tool: 'web', detail: null, ok };
    case 'websearch':
    case 'codesearch':
      return { name: stepName(`search the web for ${str(input.query)}`), tool: 'web', detail: null, ok };
    case 'task':
      return { name: stepName(`task ${str(input.description)}`), tool: 'other', detail: detail(str(input.prompt) || null), ok };
    case 'question':
      return { name: stepName('ask a question'), tool: 'ask', detail: detail(inputText(input.questions ?? input)), ok };
    default:
      return { name: stepName(tool || 'tool call'), tool: 'other', detail: detail(Object.keys(input).length ? inputText(input) : null), ok };
  }
}

/** opencode's error event in one line: "model API: 500: …" for an API error, else its name and message. */
function errorText(error: Record<string, unknown>): string {
  const data = obj(error.data);
  const message = str(data.message) || str(error.message) || str(error.name) || 'opencode reported an error';
  const status = num(data.statusCode);
  if (str(error.name) === 'APIError') return clip(`model API: ${status ? `${status}: ` : ''}${message}`, 2000);
  return clip(str(error.name) && !message.startsWith(str(error.name)) ? `${str(error.name)}: ${message}` : message, 2000);
}

function adapter(io: AdapterIO): AgentAdapter {
  const plan = new PlanSteps(io.report);
  const usage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, costUsd: 0 };
  /** The assistant's text since the last tool call, and the last complete one before it. */
  let text = '';
  let lastText = '';
  const errors: string[] = [];

  const flushText = (): void => {
    if (text.trim()) lastText = text;
    text = '';
  };

  return {
    line(line) {
      const e = parseEvent(line);
      if (!e) return;
      const part = obj(e.part);
      switch (e.type) {
        case 'text':
          if (str(part.text).trim()) text = text ? `${text}\n\n${str(part.text)}` : str(part.text);
          return;
        case 'tool_use': {
          flushText();
          const tool = str(part.tool);
          const state = obj(part.state);
          if (tool === 'todowrite') {
            plan.update(arr(obj(state.input).todos).map((t) => ({ text: str(obj(t).content), done: obj(t).status === 'completed' })).filter((t) => t.text));
            return;
          }
          if (tool === 'todoread') return;
          // reported once it has finished: recorded as started and finished at once
          const t = opencodeTool(tool, state, io.cwd);
          io.report.step(t.name, t.ok ? 'done' : 'failed', { tool: t.tool, detail: t.detail });
          return;
        }
        case 'step_finish': {
          const tokens = obj(part.tokens);
          const cache = obj(tokens.cache);
          usage.inputTokens += num(tokens.input) + num(cache.read) + num(cache.write);
          usage.outputTokens += num(tokens.output) + num(tokens.reasoning);
          usage.cachedTokens += num(cache.read);
          usage.costUsd += num(part.cost);
          // a cost of 0 is a model without prices in its config (an endpoint of ours): unknown
          io.report.usage({ ...usage, costUsd: usage.costUsd > 0 ? usage.costUsd : null });
          return;
        }
        case 'error':
          errors.push(errorText(obj(e.error)));
          return;
        default:
          return; // step_start, reasoning, anything newer: in the log, nothing more
      }
    },
    finish() {
      flushText();
      const report = lastText.trim() ? lastText : null;
      // an error event means the session failed (opencode exits 1 then); else the exit code speaks
      return { error: errors.length ? [...new Set(errors)].join('; ') : null, report };
    },
  };
}

const NEEDS_MODEL = 'opencode with an endpoint needs the model to ask it for (--model NAME, the name the endpoint knows it by).';

export const OPENCODE: AgentPreset = {
  name: 'opencode',
  pkg: 'opencode-ai',
  bin: 'opencode',
  launch,
  adapter,
  check: (c) => (c.endpoint && !c.model?.replace(new RegExp(`^${OPENCODE_PROVIDER}/`), '') ? NEEDS_MODEL : null),
};
