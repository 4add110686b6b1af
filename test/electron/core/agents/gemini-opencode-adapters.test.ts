import { describe, expect, test } from 'vitest';
import { silentLogger } from '../../../../electron/core/logger';
import { GEMINI } from '../../../../electron/core/runners/agent/gemini';
import { OPENCODE } from '../../../../electron/core/runners/agent/opencode';
import type { AgentPreset, LaunchContext } from '../../../../electron/core/runners/agent/preset';
import type { RunReporter } from '../../../../electron/core/runners/runner';

// The Gemini CLI and opencode adapters on recorded streams (lines as the pinned CLIs
// print them), without the CLIs: what each event becomes, and that nothing throws on
// lines they do not know. The launch: the command line, the private homes and no key in
// any file.

const CWD = '/work/repo';

function replay(preset: AgentPreset, lines: string[], exit: { exitCode: number | null; signal: string | null } = { exitCode: 0, signal: null }) {
  const calls: unknown[][] = [];
  const report: RunReporter = {
    progress: (p) => calls.push(['progress', p]),
    step: (name, status, tool) => calls.push(tool ? ['step', name, status, tool.tool, tool.detail] : ['step', name, status]),
    plan: (steps) => calls.push(['plan', [...steps]]),
    ask: () => Promise.resolve({ decision: 'denied', note: null }),
    result: (r) => calls.push(['result', r]),
    usage: (u) => calls.push(['usage', u]),
    note: (text) => calls.push(['note', text]),
  };
  const a = preset.adapter({ report, send: () => {}, endInput: () => {}, cwd: CWD, log: silentLogger });
  for (const l of lines) a.line(l);
  return { calls, end: a.finish(exit) };
}

const ctx = (over: Partial<LaunchContext> = {}): LaunchContext => ({
  task: '-n fix it\nplease',
  model: 'm1',
  endpoint: 'http://127.0.0.1:9/v1',
  cwd: CWD,
  dir: '/data/runs/7-1',
  bin: '/bin/agent',
  args: ['--extra'],
  env: { GEMINI_API_KEY: 'secret-g', OPENAI_API_KEY: 'secret-o', PWD: '/somewhere/else' },
  ...over,
});

const j = (o: object): string => JSON.stringify(o);

describe('Gemini CLI adapter', () => {
  test('tool calls become steps (kind, short name, diff or command as detail), todos the plan, the topic a note, stats the usage, the last message the report', () => {
    const { calls, end } = replay(GEMINI, [
      j({ type: 'init', timestamp: 't', session_id: 's', model: 'm1' }),
      j({ type: 'message', role: 'user', content: 'fix it' }),
      j({ type: 'tool_use', tool_name: 'update_topic', tool_id: 'u1', parameters: { title: 'Fixing the greeting', summary: 's' } }),
      j({ type: 'tool_result', tool_id: 'u1', status: 'success' }),
      j({ type: 'tool_use', tool_name: 'write_todos', tool_id: 'w1', parameters: { todos: [{ description: 'Read it', status: 'completed' }, { description: 'Fix it', status: 'in_progress' }] } }),
      j({ type: 'tool_result', tool_id: 'w1', status: 'success' }),
      j({ type: 'tool_use', tool_name: 'read_file', tool_id: 'r1', parameters: { file_path: `${CWD}/src/a.ts` } }),
      j({ type: 'tool_result', tool_id: 'r1', status: 'success', output: '' }),
      j({ type: 'message', role: 'assistant', content: 'Let me ', delta: true }),
      j({ type: 'message', role: 'assistant', content: 'fix it.', delta: true }),
      j({ type: 'tool_use', tool_name: 'replace', tool_id: 'e1', parameters: { file_path: `${CWD}/src/a.ts`, instruction: 'x', old_string: 'a\nb', new_string: 'c' } }),
      j({ type: 'tool_result', tool_id: 'e1', status: 'error', error: { type: 'edit_no_occurrence_found', message: 'no match' } }),
      'not json at all',
      '{"type":"tool_use"', // cut short
      j({ type: 'something_new', x: 1 }),
      j({ type: 'tool_use', tool_name: 'run_shell_command', tool_id: 's1', parameters: { command: 'npm test', dir_path: 'pkg' } }),
      j({ type: 'tool_result', tool_id: 's1', status: 'success', output: 'ok' }),
      j({ type: 'tool_use', tool_name: 'glob', tool_id: 'g1', parameters: { pattern: '**/*.ts' } }),
      j({ type: 'tool_result', tool_id: 'g1', status: 'success' }),
      j({ type: 'tool_use', tool_name: 'google_web_search', tool_id: 'q1', parameters: { query: 'zod 4' } }),
      j({ type: 'tool_result', tool_id: 'q1', status: 'success' }),
      j({ type: 'tool_use', tool_name: 'mcp_thing', tool_id: 'x1', parameters: { a: 1 } }),
      j({ type: 'tool_result', tool_id: 'x1', status: 'success' }),
      j({ type: 'error', severity: 'warning', message: 'Loop detected' }),
      j({ type: 'message', role: 'assistant', content: '# Fixed\nAll good.', delta: true }),
      j({ type: 'result', status: 'success', stats: { total_tokens: 360, input_tokens: 330, output_tokens: 30, cached: 100, input: 230, duration_ms: 5, tool_calls: 6 } }),
    ]);
    expect(calls).toEqual([
      ['note', 'Fixing the greeting'],
      ['plan', ['Read it', 'Fix it']],
      ['step', 'Read it', 'done'],
      ['step', 'read src/a.ts', 'running', 'read', null],
      ['step', 'read src/a.ts', 'done'],
      ['step', 'edit src/a.ts', 'running', 'edit', '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,2 +1 @@\n-a\n-b\n+c'],
      ['step', 'edit src/a.ts', 'failed'],
      ['step', 'run npm test', 'running', 'run', 'npm test\n(in pkg)'],
      ['step', 'run npm test', 'done'],
      ['step', 'find **/*.ts', 'running', 'search', null],
      ['step', 'find **/*.ts', 'done'],
      ['step', 'search the web for zod 4', 'running', 'web', null],
      ['step', 'search the web for zod 4', 'done'],
      ['step', 'mcp_thing', 'running', 'other', '{\n  "a": 1\n}'],
      ['step', 'mcp_thing', 'done'],
      ['usage', { inputTokens: 330, outputTokens: 30, cachedTokens: 100, costUsd: null }],
    ]);
    expect(end).toEqual({ error: null, report: '# Fixed\nAll good.' });
  });

  test('an API failure in the result line is the error, in the API’s words; no result line leaves the end to the exit code or an error event', () => {
    const api = replay(
      GEMINI,
      [j({ type: 'result', status: 'error', error: { type: 'unknown', message: '[API Error: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}]' }, stats: {} })],
      { exitCode: 1, signal: null },
    );
    expect(api.end).toEqual({ error: 'Gemini API: 503 UNAVAILABLE: The model is overloaded.', report: null });
    expect(replay(GEMINI, [j({ type: 'result', status: 'error', error: { type: 'FatalTurnLimitedError', message: 'Reached max session turns' } })]).end.error).toBe('Reached max session turns');
    // stopped by a cancel or the stall detector: it exits 0 on SIGTERM without its result line
    expect(replay(GEMINI, [j({ type: 'init' }), j({ type: 'message', role: 'assistant', content: 'half', delta: true })]).end).toEqual({ error: null, report: 'half' });
    expect(replay(GEMINI, [j({ type: 'error', severity: 'error', message: 'Model stream ended with an empty response.' })], { exitCode: 1, signal: null }).end.error).toBe('Model stream ended with an empty response.');
  });

  test('launch: headless JSON, --yolo, the task as one --prompt= argument, a private home with API-key auth and trust off; the key only in the environment', () => {
    const l = GEMINI.launch(ctx());
    expect(l.argv).toEqual(['/bin/agent', '--output-format', 'stream-json', '--yolo', '--model', 'm1', '--extra', '--prompt=-n fix it\nplease']);
    expect(l.env).toMatchObject({ GEMINI_CLI_HOME: '/data/runs/7-1/gemini-home', GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9/v1', GEMINI_CLI_TRUST_WORKSPACE: 'true', TMPDIR: '/data/runs/7-1/tmp', PWD: CWD });
    expect(l.env.GEMINI_API_KEY).toBeUndefined();
    const settings = l.files!.find((f) => f.path === '/data/runs/7-1/gemini-home/.gemini/settings.json')!;
    expect(JSON.parse(settings.content)).toMatchObject({
      security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } },
      privacy: { usageStatisticsEnabled: false },
      general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, maxAttempts: 3 },
    });
    for (const f of l.files!) expect(f.content).not.toContain('secret');
    expect(l.files!.every((f) => f.path.startsWith('/data/runs/7-1/'))).toBe(true);
    expect(() => GEMINI.launch(ctx({ env: {} }))).toThrow('Gemini CLI needs an API key: set GEMINI_API_KEY');
    expect(GEMINI.launch(ctx({ model: null, endpoint: null, args: [] })).argv).toEqual(['/bin/agent', '--output-format', 'stream-json', '--yolo', '--prompt=-n fix it\nplease']);
  });
});

describe('opencode adapter', () => {
  const tool = (tool: string, status: 'completed' | 'error', input: object, extra: object = {}) => j({ type: 'tool_use', sessionID: 's', part: { type: 'tool', tool, callID: `c-${tool}`, state: { status, input, ...extra } } });
  const finish = (input: number, output: number, read: number, cost = 0) => j({ type: 'step_finish', part: { type: 'step-finish', reason: 'tool-calls', tokens: { total: 0, input, output, reasoning: 2, cache: { read, write: 0 } }, cost } });

  test('finished tool calls become done or failed steps at once, todos the plan, tokens add up, the last text is the report', () => {
    const { calls, end } = replay(OPENCODE, [
      j({ type: 'step_start', part: { type: 'step-start' } }),
      tool('todowrite', 'completed', { todos: [{ content: 'Fix it', status: 'in_progress' }, { content: 'Test it', status: 'pending' }] }),
      finish(10, 5, 100, 0.5),
      tool('read', 'completed', { filePath: `${CWD}/src/a.ts` }),
      j({ type: 'text', part: { type: 'text', text: 'Editing.' } }),
      tool('edit', 'completed', { filePath: `${CWD}/src/a.ts`, oldString: 'a', newString: 'b' }, { metadata: { diff: `Index: ${CWD}/src/a.ts\n===================================================================\n--- ${CWD}/src/a.ts\n+++ ${CWD}/src/a.ts\n@@ -1,1 +1,1 @@\n-a\n+b\n` } }),
      tool('write', 'completed', { filePath: 'new.txt', content: 'x\n' }, { metadata: { exists: false } }),
      tool('bash', 'completed', { command: 'npm test', description: 'Run tests' }, { metadata: { exit: 1 } }),
      tool('bash', 'error', { command: 'cat /etc/passwd', description: 'x' }, { error: 'The user has specified a rule which prevents you from using this specific tool call.' }),
      tool('grep', 'completed', { pattern: 'TODO', include: '*.ts' }),
      tool('webfetch', 'completed', { url: 'https://example.com/x' }),
      tool('frobnicate', 'completed', {}),
      'garbage',
      j({ type: 'reasoning', part: { text: 'hm' } }),
      j({ type: 'unknown_new_event' }),
      j({ type: 'text', part: { type: 'text', text: '# Done\nFixed.' } }),
      finish(20, 7, 0),
    ]);
    expect(calls).toEqual([
      ['plan', ['Fix it', 'Test it']],
      ['usage', { inputTokens: 110, outputTokens: 7, cachedTokens: 100, costUsd: 0.5 }],
      ['step', 'read src/a.ts', 'done', 'read', null],
      ['step', 'edit src/a.ts', 'done', 'edit', '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1,1 +1,1 @@\n-a\n+b\n'],
      ['step', 'create new.txt', 'done', 'edit', '--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+x'],
      ['step', 'run npm test', 'failed', 'run', 'npm test'],
      ['step', 'run cat /etc/passwd', 'failed', 'run', 'cat /etc/passwd'],
      ['step', 'search TODO', 'done', 'search', 'TODO\n*.ts'],
      ['step', 'fetch https://example.com/x', 'done', 'web', null],
      ['step', 'frobnicate', 'done', 'other', null],
      ['usage', { inputTokens: 130, outputTokens: 16, cachedTokens: 100, costUsd: 0.5 }],
    ]);
    expect(end).toEqual({ error: null, report: '# Done\nFixed.' });
  });

  test('an error event is the job’s error, an API error with its status', () => {
    const api = j({ type: 'error', error: { name: 'APIError', data: { message: 'Overloaded', statusCode: 529, isRetryable: true } } });
    expect(replay(OPENCODE, [api], { exitCode: 1, signal: null }).end).toEqual({ error: 'model API: 529: Overloaded', report: null });
    const other = j({ type: 'error', error: { name: 'ProviderModelNotFoundError', data: { message: 'no such model' } } });
    expect(replay(OPENCODE, [other], { exitCode: 1, signal: null }).end.error).toBe('ProviderModelNotFoundError: no such model');
    expect(replay(OPENCODE, [], { exitCode: 1, signal: null }).end).toEqual({ error: null, report: null });
  });

  test('launch: run --format json --pure, the endpoint as an OpenAI-compatible provider reading OPENAI_API_KEY, its homes private, PWD the worktree', () => {
    const l = OPENCODE.launch(ctx());
    expect(l.argv).toEqual(['/bin/agent', 'run', '--format', 'json', '--pure', '--title=-n fix it please', '--model', 'errand/m1', '--extra', '--', '-n fix it\nplease']);
    expect(l.env).toMatchObject({
      XDG_CONFIG_HOME: '/data/runs/7-1/opencode/config',
      XDG_DATA_HOME: '/data/runs/7-1/opencode/data',
      XDG_CACHE_HOME: '/data/runs/7-1/opencode/cache',
      XDG_STATE_HOME: '/data/runs/7-1/opencode/state',
      OPENCODE_CONFIG: '/data/runs/7-1/opencode/opencode.json',
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
      OPENCODE_DISABLE_SHARE: '1',
      OPENCODE_DISABLE_DEFAULT_PLUGINS: '1',
      PWD: CWD,
    });
    const config = JSON.parse(l.files!.find((f) => f.path === '/data/runs/7-1/opencode/opencode.json')!.content);
    expect(config).toMatchObject({
      autoupdate: false,
      share: 'disabled',
      model: 'errand/m1',
      provider: { errand: { npm: '@ai-sdk/openai-compatible', options: { baseURL: 'http://127.0.0.1:9/v1', apiKey: '{env:OPENAI_API_KEY}' }, models: { m1: {} } } },
      permission: { edit: 'allow', bash: 'allow', external_directory: 'deny' },
    });
    for (const f of l.files!) expect(f.content).not.toContain('secret');
    expect(() => OPENCODE.launch(ctx({ model: null }))).toThrow('opencode with an endpoint needs the model');
    // without an endpoint: its own providers, the model as given
    const own = OPENCODE.launch(ctx({ endpoint: null, model: 'anthropic/claude-x', args: [] }));
    expect(own.argv).toEqual(['/bin/agent', 'run', '--format', 'json', '--pure', '--title=-n fix it please', '--model', 'anthropic/claude-x', '--', '-n fix it\nplease']);
    expect(JSON.parse(own.files![0]!.content).provider).toBeUndefined();
  });
});

describe('refused when added, not when started', () => {
  test('Gemini without GEMINI_API_KEY; opencode with an endpoint but no model', () => {
    expect(GEMINI.check!({ model: null, endpoint: null, env: {} })).toMatch(/^Gemini CLI needs an API key: set GEMINI_API_KEY/);
    expect(GEMINI.check!({ model: null, endpoint: null, env: { GEMINI_API_KEY: 'k' } })).toBeNull();
    expect(OPENCODE.check!({ model: null, endpoint: 'http://127.0.0.1:9/v1', env: {} })).toMatch(/^opencode with an endpoint needs the model/);
    expect(OPENCODE.check!({ model: 'qwen', endpoint: 'http://127.0.0.1:9/v1', env: {} })).toBeNull();
    expect(OPENCODE.check!({ model: null, endpoint: null, env: {} })).toBeNull();
  });
});

describe('Gemini CLI retries (said on stderr only)', () => {
  test('each retry is the activity: "model API: retry N of 3"; other stderr lines are left alone', () => {
    const notes: string[] = [];
    const report = { progress() {}, step() {}, plan() {}, ask: () => Promise.resolve({ decision: 'denied' as const, note: null }), result() {}, usage() {}, note: (t: string | null) => void notes.push(String(t)) };
    const a = GEMINI.adapter({ report, send: () => {}, endInput: () => {}, cwd: CWD, log: silentLogger });
    a.stderrLine!('Attempt 1 failed with status 500. Retrying with backoff... ApiError: {"error":{"code":500}}');
    a.stderrLine!('Loaded cached credentials.');
    a.stderrLine!('Attempt 2 failed with 429 error (no Retry-After header). Retrying with backoff...');
    a.stderrLine!('Attempt 2 failed. Retrying with backoff...');
    expect(notes).toEqual(['model API: retry 2 of 3 (500)', 'model API: retry 3 of 3 (429 error)', 'model API: retry 3 of 3']);
  });
});
