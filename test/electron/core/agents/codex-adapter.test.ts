import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CODEX } from '../../../../electron/core/runners/agent/codex';
import { recordingIO } from '../../../helpers/agents';

// Codex's adapter alone, fed a stream recorded from the real CLI (0.171.0 against the fake
// Responses API) and hand-written events for what that run did not show: every tool
// call one step, todo lists as the plan, retries as notes, usage, the report, and how a
// run failed; nothing it reads ever throws.

const RECORDED = path.resolve(import.meta.dirname, '../../../fixtures/fake-models/responses-recorded-codex.jsonl');
const ev = (e: object): string => JSON.stringify(e);
const ok = { exitCode: 0, signal: null };

function feed(lines: string[], opts: Parameters<typeof recordingIO>[0] = {}) {
  const r = recordingIO(opts);
  const a = CODEX.adapter(r.io);
  for (const l of lines) a.line(l);
  return { ...r, adapter: a };
}

describe('the Codex adapter', () => {
  test('a recorded run: one step per tool call with its kind, usage, and the final message as the report', () => {
    const r = feed(fs.readFileSync(RECORDED, 'utf8').split('\n').filter(Boolean));
    const steps = r.steps();
    expect(steps.slice(0, 6)).toEqual([
      ['edit notes.txt', 'running', 'edit'],
      ['edit notes.txt', 'done', null],
      ['run cat notes.txt', 'running', 'run'],
      ['run cat notes.txt', 'done', null],
      ['create out-0.txt', 'running', 'edit'],
      ['create out-0.txt', 'done', null],
    ]);
    expect(steps.filter((s) => s[1] === 'running')).toHaveLength(36);
    expect(steps.filter((s) => s[1] === 'done')).toHaveLength(36);
    expect(r.calls.find((c) => c[0] === 'step' && c[1] === 'run cat notes.txt')![3]).toEqual({ tool: 'run', detail: "/bin/bash -lc 'cat notes.txt'" });
    expect(r.calls.filter((c) => c[0] === 'usage')).toEqual([['usage', { inputTokens: 10_360, outputTokens: 740, cachedTokens: 1850, costUsd: null }]]);
    expect(r.adapter.finish(ok)).toEqual({ error: null, report: '# Done\nThe notes were bumped twelve times.' });
    expect(r.warnings).toEqual([]);
  });

  test('retries are notes; a failed turn fails the job even on exit 0; a stop by Errand leaves the reason to Errand', () => {
    const r = feed([
      ev({ type: 'turn.started' }),
      ev({ type: 'error', message: 'Reconnecting... 2/5 (stream disconnected before completion)' }),
      ev({ type: 'error', message: 'unexpected status 503 Service Unavailable: overloaded' }),
      ev({ type: 'turn.failed', error: { message: 'unexpected status 503 Service Unavailable: overloaded' } }),
    ]);
    expect(r.calls).toEqual([['note', 'model API: retry 2 of 5']]);
    expect(r.adapter.finish({ exitCode: 0, signal: null })).toEqual({ error: 'unexpected status 503 Service Unavailable: overloaded', report: null });
    expect(r.adapter.finish({ exitCode: null, signal: 'SIGTERM' })).toEqual({ error: null, report: null });
    const fatal = feed([ev({ type: 'error', message: 'stream error: connection reset' })]);
    expect(fatal.adapter.finish({ exitCode: 1, signal: null }).error).toBe('stream error: connection reset');
  });

  test('a todo list is the plan; items it marks done are done steps', () => {
    const todo = (done: boolean[]) => ({ id: 'item_9', type: 'todo_list', items: ['Read the code', 'Fix the bug', 'Run the tests'].map((text, i) => ({ text, completed: done[i] })) });
    const r = feed([
      ev({ type: 'item.started', item: todo([false, false, false]) }),
      ev({ type: 'item.updated', item: todo([true, false, false]) }),
      ev({ type: 'item.updated', item: todo([true, true, false]) }),
      ev({ type: 'item.completed', item: todo([true, true, true]) }),
    ]);
    expect(r.calls).toEqual([
      ['plan', ['Read the code', 'Fix the bug', 'Run the tests']],
      ['step', 'Read the code', 'done'],
      ['step', 'Fix the bug', 'done'],
      ['step', 'Run the tests', 'done'],
    ]);
  });

  test('kinds and words: a failed command, several files, an MCP tool, a web search; parallel calls are one entry each', () => {
    const r = feed([
      ev({ type: 'item.started', item: { id: 'a', type: 'command_execution', command: "/bin/bash -lc 'npm test'", aggregated_output: '', exit_code: null, status: 'in_progress' } }),
      ev({ type: 'item.completed', item: { id: 'a', type: 'command_execution', command: "/bin/bash -lc 'npm test'", aggregated_output: 'FAIL', exit_code: 1, status: 'failed' } }),
      ev({ type: 'item.completed', item: { id: 'b', type: 'file_change', changes: [{ path: '/work/demo/src/a.ts', kind: 'update' }, { path: '/work/demo/src/b.ts', kind: 'add' }], status: 'completed' } }),
      ev({ type: 'item.started', item: { id: 'c', type: 'mcp_tool_call', server: 'github', tool: 'search_issues', arguments: { q: 'bug' }, status: 'in_progress' } }),
      ev({ type: 'item.started', item: { id: 'd', type: 'web_search', query: 'vitest skipIf' } }),
      ev({ type: 'item.completed', item: { id: 'c', type: 'mcp_tool_call', server: 'github', tool: 'search_issues', arguments: { q: 'bug' }, status: 'completed' } }),
      ev({ type: 'item.completed', item: { id: 'd', type: 'web_search', query: 'vitest skipIf' } }),
    ]);
    expect(r.steps()).toEqual([
      ['run npm test', 'running', 'run'],
      ['run npm test', 'failed', null],
      ['edit src/a.ts, src/b.ts', 'done', 'edit'],
      ['github: search_issues', 'running', 'other'],
      // Errand closes the MCP call's step when the search starts: its own end is not recorded again
      ['search the web: vitest skipIf', 'running', 'web'],
      ['search the web: vitest skipIf', 'done', null],
    ]);
    expect(r.calls.find((c) => c[1] === 'edit src/a.ts, src/b.ts')![3]).toEqual({ tool: 'edit', detail: 'update src/a.ts\nadd src/b.ts' });
  });

  test('unknown events, other JSON, broken lines and a run that is no longer live never throw', () => {
    const lines = ['not json', '{"type":', '[1,2]', 'null', ev({ type: 'thread.started', thread_id: 'x' }), ev({ type: 'something.new', x: 1 }), ev({ type: 'item.completed', item: null }), ev({ type: 'item.completed', item: { id: 'r', type: 'reasoning', text: 'hm' } })];
    const r = feed(lines);
    expect(r.calls).toEqual([]);
    const dead = feed([...fs.readFileSync(RECORDED, 'utf8').split('\n').filter(Boolean)], { failing: true });
    expect(dead.warnings).toHaveLength(1);
    expect(dead.adapter.finish(ok).report).toBe('# Done\nThe notes were bumped twelve times.');
  });

  test('the command line: JSON events, no session files, the workspace sandbox, the task after --; the endpoint as a provider of our own in a private CODEX_HOME', () => {
    const base = { task: '--help me', model: 'gpt-5.5', cwd: '/work/demo', dir: '/run/x', bin: '/bin/codex', args: ['-c', 'x=1'] };
    const l = CODEX.launch({ ...base, endpoint: 'http://127.0.0.1:9/v1', env: { OPENAI_API_KEY: 'sk-secret' } });
    expect(l.argv).toEqual(['/bin/codex', 'exec', '--json', '--ephemeral', '--skip-git-repo-check', '--sandbox', 'workspace-write', '--color', 'never', '--model', 'gpt-5.5', '-c', 'x=1', '--', '--help me']);
    expect(l.env).toEqual({ CODEX_HOME: '/run/x/codex-home' });
    expect(l.stdin).toBeFalsy();
    expect(l.files).toHaveLength(1);
    const config = l.files![0]!;
    expect(config.path).toBe('/run/x/codex-home/config.toml');
    expect(config.content).toContain('model_provider = "errand"');
    expect(config.content).toContain('[model_providers.errand]\nname = "errand"\nbase_url = "http://127.0.0.1:9/v1"\nenv_key = "OPENAI_API_KEY"\nwire_api = "responses"');
    for (const quiet of ['check_for_update_on_startup = false', '[analytics]\nenabled = false', 'plugins = false', 'remote_plugin = false', 'apps = false']) expect(config.content).toContain(quiet);
    expect(JSON.stringify(l)).not.toContain('sk-secret');
    // without an endpoint Codex's own provider reads CODEX_API_KEY: the key people have is handed over in the environment only
    const own = CODEX.launch({ ...base, endpoint: null, model: null, env: { OPENAI_API_KEY: 'sk-secret' } });
    expect(own.env).toEqual({ CODEX_HOME: '/run/x/codex-home', CODEX_API_KEY: 'sk-secret' });
    expect(own.files![0]!.content).not.toContain('model_provider');
    expect(own.argv).not.toContain('--model');
  });
});
