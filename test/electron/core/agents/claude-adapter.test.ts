import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { CLAUDE } from '../../../../electron/core/runners/agent/claude';
import { recordingIO } from '../../../helpers/agents';
import { until } from '../../../helpers/engine';

// Claude Code's adapter alone, fed a stream recorded from the real CLI (2.1.332 against
// the fake Messages API) and hand-written messages for the rest: steps per tool call,
// usage and cost, the report, failure from the stream and the exit code together, and
// its permission requests asked one at a time with the answer written back.

const RECORDED = path.resolve(import.meta.dirname, '../../../fixtures/fake-models/anthropic-recorded-claude.jsonl');
const ev = (e: object): string => JSON.stringify(e);
const ok = { exitCode: 0, signal: null };
const recorded = (): string[] => fs.readFileSync(RECORDED, 'utf8').split('\n').filter(Boolean);

function feed(lines: string[], opts: Parameters<typeof recordingIO>[0] = {}) {
  const r = recordingIO(opts);
  const a = CLAUDE.adapter(r.io);
  for (const l of lines) a.line(l);
  return { ...r, adapter: a };
}

const canUse = (id: string, tool: string, input: object) => ev({ type: 'control_request', request_id: id, request: { subtype: 'can_use_tool', tool_name: tool, display_name: tool, input, tool_use_id: `tu_${id}` } });
const replies = (sent: string[]) => sent.map((s) => JSON.parse(s) as { type: string; response: { subtype: string; request_id: string; response?: Record<string, unknown>; error?: string } });

describe('the Claude Code adapter', () => {
  test('a recorded run: one step per tool call with its kind, usage with the cost, the result as the report, and stdin closed after it', () => {
    const r = feed(recorded());
    const steps = r.steps();
    expect(steps.slice(0, 8)).toEqual([
      ['read notes.txt', 'running', 'read'],
      ['read notes.txt', 'done', null],
      ['edit notes.txt', 'running', 'edit'],
      ['edit notes.txt', 'done', null],
      ['run cat notes.txt', 'running', 'run'],
      ['run cat notes.txt', 'done', null],
      ['write out-0.txt', 'running', 'edit'],
      ['write out-0.txt', 'done', null],
    ]);
    expect(steps.filter((s) => s[1] === 'running')).toHaveLength(48);
    expect(steps.filter((s) => s[1] === 'done')).toHaveLength(48);
    const usage = r.calls.filter((c) => c[0] === 'usage');
    expect(usage).toHaveLength(49 + 1); // a running count per model call, then the result's
    expect(usage.at(-1)![1]).toMatchObject({ inputTokens: 16_660 + 2450, outputTokens: 980, cachedTokens: 2450 });
    expect((usage.at(-1)![1] as { costUsd: number }).costUsd).toBeGreaterThan(0);
    expect(r.ended()).toBe(1);
    expect(r.adapter.finish(ok)).toEqual({ error: null, report: '# Done\nThe notes were bumped twelve times.' });
    expect(r.warnings).toEqual([]);
  });

  test('success with is_error is a failure; an error result names its errors; retries are notes; a stop by Errand leaves the reason to Errand', () => {
    const apiError = 'API Error: 500 fake model server: deliberate failure. This is a server-side issue.';
    const r = feed([
      ev({ type: 'system', subtype: 'api_retry', attempt: 2, max_retries: 5, retry_delay_ms: 1000, error_status: 500, error: 'server_error' }),
      ev({ type: 'assistant', message: { id: 'x', model: '<synthetic>', role: 'assistant', content: [{ type: 'text', text: apiError }] }, parent_tool_use_id: null, error: 'server_error', is_api_error_message: true }),
      ev({ type: 'result', subtype: 'success', is_error: true, result: apiError, num_turns: 1, usage: { input_tokens: 0, output_tokens: 0 }, total_cost_usd: 0 }),
    ]);
    expect(r.calls[0]).toEqual(['note', 'model API: retry 2 of 5']);
    expect(r.adapter.finish({ exitCode: 1, signal: null })).toEqual({ error: apiError, report: null });
    const maxTurns = feed([ev({ type: 'result', subtype: 'error_max_turns', is_error: true, errors: ['Reached the maximum number of turns (3)'], num_turns: 3, usage: {} })]);
    expect(maxTurns.adapter.finish(ok).error).toBe('Reached the maximum number of turns (3)');
    const noResult = feed([ev({ type: 'system', subtype: 'init', cwd: '/w' })]);
    expect(noResult.adapter.finish(ok).error).toBe('Claude Code ended without a result');
    expect(noResult.adapter.finish({ exitCode: null, signal: 'SIGKILL' }).error).toBeNull();
  });

  test('a permission request is asked with the diff or the command line, and the answer goes back: allow with the input, deny with the note', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'errand-claude-adapter-'));
    fs.writeFileSync(path.join(dir, 'a.ts'), 'one\ntwo\nthree\n');
    const answers = [{ decision: 'approved' as const, note: null }, { decision: 'denied' as const, note: 'not on main' }];
    const r = recordingIO({ cwd: dir, decide: () => answers.shift()! });
    const a = CLAUDE.adapter(r.io);
    a.line(ev({ type: 'system', subtype: 'init', cwd: dir }));
    const edit = { file_path: path.join(dir, 'a.ts'), old_string: 'two', new_string: '2\nzwei' };
    a.line(canUse('r1', 'Edit', edit));
    a.line(canUse('r2', 'Bash', { command: 'git push origin main', description: 'Push' }));
    await until(() => r.sent.length === 2 || undefined, 2000, 'two answers');
    expect(r.calls.filter((c) => c[0] === 'ask')).toEqual([
      ['ask', 'Edit a.ts', '--- a/a.ts\n+++ b/a.ts\n@@ -2 +2,2 @@\n-two\n+2\n+zwei', 'Edit'],
      ['ask', 'Run: git push origin main', `git push origin main\ncwd: ${dir}`, 'Bash'],
    ]);
    expect(replies(r.sent)).toEqual([
      { type: 'control_response', response: { subtype: 'success', request_id: 'r1', response: { behavior: 'allow', updatedInput: edit } } },
      { type: 'control_response', response: { subtype: 'success', request_id: 'r2', response: { behavior: 'deny', message: 'not on main' } } },
    ]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('requests are asked one at a time (a job waits for one decision); a withdrawn one is not answered; other requests get an error; a new file is a creation', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const r = recordingIO({ cwd: '/nowhere', decide: async () => (await gate, { decision: 'approved', note: null }) });
    const a = CLAUDE.adapter(r.io);
    a.line(canUse('w1', 'Write', { file_path: '/nowhere/new.txt', content: 'hi\nthere\n' }));
    a.line(canUse('w2', 'WebFetch', { url: 'https://example.com', prompt: 'read it' }));
    a.line(ev({ type: 'control_cancel_request', request_id: 'w2' }));
    a.line(ev({ type: 'control_request', request_id: 'q1', request: { subtype: 'request_user_dialog', dialog_kind: 'x', payload: {} } }));
    await new Promise((res) => setTimeout(res, 20));
    expect(r.calls.filter((c) => c[0] === 'ask')).toEqual([['ask', 'Create new.txt', '--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,2 @@\n+hi\n+there', 'Write']]);
    expect(replies(r.sent)).toEqual([{ type: 'control_response', response: { subtype: 'error', request_id: 'q1', error: 'Errand does not handle request_user_dialog' } }]);
    release();
    await until(() => r.sent.length === 2 || undefined, 2000, 'the answer');
    await new Promise((res) => setTimeout(res, 20));
    expect(r.calls.filter((c) => c[0] === 'ask')).toHaveLength(1);
    expect(replies(r.sent)[1]!.response).toMatchObject({ request_id: 'w1', response: { behavior: 'allow' } });
  });

  test('a question asked of a run that is no longer live is denied, not left waiting; nothing it reads ever throws', async () => {
    const r = recordingIO({ failing: true });
    const a = CLAUDE.adapter(r.io);
    for (const l of ['garbage', '{"type":', ev({ type: 'stream_event', event: {} }), ev({ type: 'assistant', message: null }), ev({ type: 'user', message: { content: 'text' } }), ...recorded()]) a.line(l);
    a.line(canUse('d1', 'Bash', { command: 'rm -rf build' }));
    await until(() => r.sent.length === 1 || undefined, 2000, 'the answer');
    expect(replies(r.sent)[0]!.response).toMatchObject({ request_id: 'd1', response: { behavior: 'deny', message: 'Nobody decided: the run is stopping.' } });
    expect(r.warnings).toHaveLength(1);
  });

  test('TodoWrite is the plan; its completed items are done steps', () => {
    const todos = (s: string[]) => ({ todos: ['Read the code', 'Fix the bug'].map((content, i) => ({ content, status: s[i], activeForm: content })) });
    const r = feed([
      ev({ type: 'assistant', message: { id: 'm1', model: 'claude', content: [{ type: 'tool_use', id: 't1', name: 'TodoWrite', input: todos(['in_progress', 'pending']) }] }, parent_tool_use_id: null }),
      ev({ type: 'user', message: { content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] }, parent_tool_use_id: null }),
      ev({ type: 'assistant', message: { id: 'm2', model: 'claude', content: [{ type: 'tool_use', id: 't2', name: 'TodoWrite', input: todos(['completed', 'in_progress']) }] }, parent_tool_use_id: null }),
    ]);
    expect(r.calls.filter((c) => c[0] !== 'usage')).toEqual([
      ['step', 'update the plan', 'running', { tool: 'plan', detail: expect.any(String) }],
      ['plan', ['Read the code', 'Fix the bug']],
      ['step', 'update the plan', 'done'],
      ['step', 'update the plan', 'running', { tool: 'plan', detail: expect.any(String) }],
      ['step', 'Read the code', 'done'],
    ]);
  });

  test('the command line: stream-json both ways, permission requests on stdio, no session files; the task as the first message; a private config dir', () => {
    const l = CLAUDE.launch({ task: 'Fix the bug', model: 'claude-sonnet-5', endpoint: 'http://127.0.0.1:9', cwd: '/w', dir: '/run/x', bin: '/bin/claude', args: ['--max-turns', '30'], env: { ANTHROPIC_API_KEY: 'sk-secret' } });
    expect(l.argv).toEqual([
      '/bin/claude',
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--input-format',
      'stream-json',
      '--permission-prompt-tool',
      'stdio',
      '--no-session-persistence',
      '--model',
      'claude-sonnet-5',
      '--max-turns',
      '30',
    ]);
    expect(l.argv).not.toContain('--permission-mode');
    expect(l.env).toMatchObject({ CLAUDE_CONFIG_DIR: '/run/x/claude', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', CLAUDE_CODE_MAX_RETRIES: '5' });
    expect(l.stdin).toBe(true);
    expect(JSON.parse(l.input!)).toEqual({ type: 'user', message: { role: 'user', content: 'Fix the bug' }, parent_tool_use_id: null, session_id: '' });
    expect(JSON.stringify(l)).not.toContain('sk-secret');
    const own = CLAUDE.launch({ task: 't', model: null, endpoint: null, cwd: '/w', dir: '/run/x', bin: '/bin/claude', args: [], env: { CLAUDE_CODE_MAX_RETRIES: '2' } });
    expect(own.env.ANTHROPIC_BASE_URL).toBeUndefined();
    expect(own.env.CLAUDE_CODE_MAX_RETRIES).toBe('2');
  });
});
