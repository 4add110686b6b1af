import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { JobResult } from '../../../../electron/contract/job';
import { CLAUDE } from '../../../../electron/core/runners/agent/claude';
import { ANTHROPIC_ERROR, startAnthropicServer, type AnthropicStep, type FakeServer } from '../../../fixtures/fake-models/anthropic.mjs';
import { git, jobProcesses, makeRepo, notInstalled, openAgentEngine, pinnedAgentBin } from '../../../helpers/agents';
import { type TestEngine, until, waitFor } from '../../../helpers/engine';

// Claude Code (the pinned @anthropic-ai/claude-code) for real, pointed at a scripted fake
// Messages API on 127.0.0.1: its stream becomes steps, usage and a report; its permission
// requests wait in Errand's inbox and the answer goes back to it; API failures, a silent
// endpoint and a cancel end the job and leave nothing running.

const BIN = pinnedAgentBin('claude');
const KEY = { ANTHROPIC_API_KEY: 'sk-ant-fake-key-for-tests' };

const EDIT: AnthropicStep = { text: 'I will change the greeting.', tool: { name: 'Edit', input: { file_path: '{cwd}/greeting.txt', old_string: 'hello', new_string: 'goodbye' } } };
const RUN: AnthropicStep = { tool: { name: 'Bash', input: { command: 'cat greeting.txt && echo checked > check.txt', description: 'Check the greeting' } } };
const FINAL: AnthropicStep = { text: '# Greeting changed\nThe file now says goodbye.' };

let t: TestEngine | null = null;
let server: FakeServer | null = null;
afterEach(async () => {
  await t?.dispose();
  await server?.close();
  t = null;
  server = null;
});

async function setUp(steps: AnthropicStep[], opts: { mode?: 'ok' | '500' | 'hang'; stallSeconds?: number; args?: string[] } = {}) {
  server = await startAnthropicServer({ steps, mode: opts.mode });
  t = openAgentEngine(CLAUDE, BIN!, { endpoint: server.url, ...(opts.stallSeconds ? { stallSeconds: opts.stallSeconds } : {}), ...(opts.args ? { args: opts.args } : {}) });
  const repo = makeRepo(t.home, { 'greeting.txt': 'hello\n', 'README.md': '# demo\n' });
  return { engine: t.engine, home: t.home, repo, server };
}

const add = (engine: TestEngine['engine'], repo: string, task: string, isolate: 'auto' | 'none' = 'auto') =>
  engine.add({ kind: 'agent', agent: { with: 'claude', task }, cwd: repo, isolate, secretEnv: KEY });

const steps = (engine: TestEngine['engine'], id: number) =>
  engine
    .get(id)
    .steps.filter((s) => s.status !== 'planned')
    .map((s) => ({ name: s.name, tool: s.tool, status: s.status }));

function patchOf(engine: TestEngine['engine'], id: number): Extract<JobResult, { type: 'patch' }> {
  const r = engine.get(id).result;
  if (r?.type !== 'patch') throw new Error(`job #${id} has no patch: ${JSON.stringify(r)}`);
  return r;
}

/** Waits for the job's next question and returns it. */
async function nextQuestion(engine: TestEngine['engine'], id: number) {
  await waitFor(engine, id, ['waiting'], 60_000);
  return engine.approvals().find((a) => a.jobId === id)!;
}

describe.skipIf(!BIN)(BIN ? 'Claude Code (real CLI, fake Messages API)' : notInstalled('claude'), () => {
  test('an edit and a command wait in the inbox with the diff and the command line; approved, the job continues and succeeds with steps, usage and a report', async () => {
    const { engine, repo, server } = await setUp([EDIT, RUN, FINAL]);
    const job = add(engine, repo, 'Change hello to goodbye in greeting.txt');
    const edit = await nextQuestion(engine, job.id);
    const worktree = engine.get(job.id).isolation!.worktree;
    expect(edit).toMatchObject({ tool: 'Edit', question: 'Edit greeting.txt' });
    expect(edit.context).toBe('--- a/greeting.txt\n+++ b/greeting.txt\n@@ -1 +1 @@\n-hello\n+goodbye');
    expect(engine.get(job.id).job.activity).toBe('waiting for approval: Edit greeting.txt');
    engine.approve(job.id, 'fine');
    const run = await nextQuestion(engine, job.id);
    expect(run).toMatchObject({ tool: 'Bash', question: 'Run: cat greeting.txt && echo checked > check.txt', context: `cat greeting.txt && echo checked > check.txt\ncwd: ${worktree}` });
    engine.approve(job.id);
    const done = await waitFor(engine, job.id, undefined, 60_000);
    expect(done).toMatchObject({ status: 'succeeded', agent: { with: 'claude', usage: { inputTokens: 480, outputTokens: 60, cachedTokens: 150 } } });
    expect(done.agent!.usage!.costUsd).toBeGreaterThan(0);
    expect(steps(engine, job.id)).toEqual([
      { name: 'edit greeting.txt', tool: 'edit', status: 'done' },
      { name: 'run cat greeting.txt && echo checked > check.txt', tool: 'run', status: 'done' },
    ]);
    expect(engine.get(job.id).steps[0]!.detail).toBe('--- a/greeting.txt\n+++ b/greeting.txt\n@@ -1 +1 @@\n-hello\n+goodbye');
    const patch = patchOf(engine, job.id);
    expect(patch.report).toBe(FINAL.text);
    expect(patch.patch).toContain('-hello\n+goodbye');
    expect(patch.patch).toContain('+checked');
    expect(fs.readFileSync(path.join(repo, 'greeting.txt'), 'utf8')).toBe('hello\n');
    expect(engine.get(job.id).approvals.map((a) => [a.tool, a.decision])).toEqual([
      ['Edit', 'approved'],
      ['Bash', 'approved'],
    ]);
    expect(server.requests.filter((r) => r.answered).map((r) => r.step)).toEqual([0, 1, 2]);
    const log = engine.readLog({ id: job.id }).data.toString();
    for (const type of ['"subtype":"init"', '"type":"assistant"', '"type":"user"', '"subtype":"can_use_tool"', '"type":"result"']) expect(log).toContain(type);
    expect(log).not.toContain(KEY.ANTHROPIC_API_KEY);
  }, 90_000);

  test('a denied edit: Claude Code hears the note, and the job ends as it decides', async () => {
    const { engine, repo } = await setUp([EDIT, RUN, FINAL]);
    const job = add(engine, repo, 'Change hello to goodbye in greeting.txt');
    await nextQuestion(engine, job.id);
    engine.deny(job.id, 'not today');
    const done = await waitFor(engine, job.id, undefined, 60_000);
    // the fake model answers a refused tool call by stopping and quoting the refusal
    expect(done.status).toBe('succeeded');
    expect(engine.get(job.id).result).toMatchObject({ type: 'report', markdown: 'Stopped: the tool call was refused (not today).' });
    expect(steps(engine, job.id)).toEqual([{ name: 'edit greeting.txt', tool: 'edit', status: 'failed' }]);
    expect(engine.get(job.id).approvals.map((a) => [a.tool, a.decision, a.note])).toEqual([['Edit', 'denied', 'not today']]);
  }, 90_000);

  test('approved for the rest of the job, the next request of that tool is not asked', async () => {
    const second: AnthropicStep = { tool: { name: 'Edit', input: { file_path: '{cwd}/README.md', old_string: '# demo', new_string: '# demo, edited' } } };
    const { engine, repo } = await setUp([EDIT, second, FINAL]);
    const job = add(engine, repo, 'Two edits');
    await nextQuestion(engine, job.id);
    engine.engine.approve({ id: job.id, scope: 'job' }, { by: 'cli' });
    const done = await waitFor(engine, job.id, undefined, 60_000);
    expect(done.status).toBe('succeeded');
    const d = engine.get(job.id);
    expect(d.approvals.map((a) => [a.tool, a.decision, a.scope])).toEqual([['Edit', 'approved', 'job']]);
    expect(d.events.filter((e) => e.type === 'approval-granted').length).toBe(1);
    expect(steps(engine, job.id).map((s) => [s.name, s.status])).toEqual([
      ['edit greeting.txt', 'done'],
      ['edit README.md', 'done'],
    ]);
    expect(patchOf(engine, job.id).patch).toContain('+# demo, edited');
  }, 90_000);

  test('the endpoint answers 500: the job fails with the API’s error (Claude Code says success with is_error)', async () => {
    const { engine, repo } = await setUp([EDIT], { mode: '500' });
    // one retry, to see it in the stream without waiting out Claude Code's backoff
    const job = engine.add({ kind: 'agent', agent: { with: 'claude', task: 'anything' }, cwd: repo, isolate: 'none', secretEnv: KEY, env: { CLAUDE_CODE_MAX_RETRIES: '1' } });
    const done = await waitFor(engine, job.id, undefined, 60_000);
    expect(done.status).toBe('failed');
    expect(done.error).toContain(`API Error: 500 ${ANTHROPIC_ERROR}`);
    const log = engine.readLog({ id: job.id }).data.toString();
    expect(log).toMatch(/"is_error":true.*"subtype":"success"|"subtype":"success".*"is_error":true/);
    expect(log).toContain('"subtype":"api_retry","attempt":1,"max_retries":1');
  }, 60_000);

  test('the endpoint never answers: the stall detector fails the job within its limit and nothing of it is left running', async () => {
    // Claude Code waits for a first byte far longer than this (and says nothing meanwhile)
    const { engine, home, repo, server } = await setUp([EDIT], { mode: 'hang', stallSeconds: 6 });
    const started = Date.now();
    const job = add(engine, repo, 'anything', 'none');
    const done = await waitFor(engine, job.id, undefined, 60_000);
    expect(done).toMatchObject({ status: 'failed', error: 'stalled: no sign of life for 6s' });
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(server.requests.length).toBeGreaterThan(0);
    await until(() => jobProcesses(home, job.id).length === 0 || undefined, 10_000, 'no process of the job');
  }, 60_000);

  test('cancel mid-run ends Claude Code and the command it runs: no process of the job is left', async () => {
    // (Claude Code refuses a long `sleep`; a node timer it runs)
    const { engine, home, repo } = await setUp([{ tool: { name: 'Bash', input: { command: 'node -e "setTimeout(() => {}, 120000)"', description: 'Wait' } } }, FINAL]);
    const job = add(engine, repo, 'wait', 'none');
    // Claude Code may ask for the command first
    await until(
      () => {
        if (engine.get(job.id).job.status === 'waiting') engine.approve(job.id);
        return jobProcesses(home, job.id).some((p) => /^node -e setTimeout/.test(p.cmd)) || undefined;
      },
      60_000,
      'the command to run',
    );
    expect(engine.get(job.id).job.activity).toBe('run node -e "setTimeout(() => {}, 120000)"');
    const [after] = await engine.cancel([job.id]);
    expect(after!.status).toBe('cancelled');
    await until(() => jobProcesses(home, job.id).length === 0 || undefined, 10_000, 'no process of the job');
  }, 90_000);

  test('two Claude Code jobs on one repo run at once in two worktrees (edits accepted by a setting) and give two patches; the user’s tree stays untouched', async () => {
    const { engine, repo } = await setUp([EDIT, FINAL], { args: ['--permission-mode', 'acceptEdits'] });
    fs.writeFileSync(path.join(repo, 'greeting.txt'), 'hello\nthe user is still typing\n');
    const a = add(engine, repo, 'first');
    const b = add(engine, repo, 'second');
    await until(() => (engine.get(a.id).job.status === 'running' && engine.get(b.id).job.status === 'running') || undefined, 30_000, 'both running');
    const [da, db] = await Promise.all([waitFor(engine, a.id, undefined, 90_000), waitFor(engine, b.id, undefined, 90_000)]);
    expect([da.status, db.status]).toEqual(['succeeded', 'succeeded']);
    expect(engine.approvals()).toEqual([]);
    for (const id of [a.id, b.id]) expect(patchOf(engine, id).patch).toContain('-hello\n+goodbye');
    expect(engine.get(a.id).isolation!.worktree).not.toBe(engine.get(b.id).isolation!.worktree);
    expect(fs.readFileSync(path.join(repo, 'greeting.txt'), 'utf8')).toBe('hello\nthe user is still typing\n');
    expect(git(repo, 'status', '--porcelain')).toBe(' M greeting.txt\n');
  }, 120_000);
});
