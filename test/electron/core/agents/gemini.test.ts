import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { JobResult } from '../../../../electron/contract/job';
import { GEMINI } from '../../../../electron/core/runners/agent/gemini';
import { type FakeGemini, GEMINI_ERROR, type GeminiPart, startGeminiServer } from '../../../fixtures/fake-models/gemini.mjs';
import { git, jobProcesses, makeRepo, notInstalled, openAgentEngine, pinnedAgentBin } from '../../../helpers/agents';
import { type TestEngine, until, waitFor } from '../../../helpers/engine';

// Gemini CLI (the pinned @google/gemini-cli) for real, pointed at a scripted fake Gemini
// API on 127.0.0.1: its stream-json events become steps, usage and a report; the
// worktree's changes come back as a patch; an API failure, a silent endpoint and a
// cancel end the job and leave nothing running.

const BIN = pinnedAgentBin('gemini');
const MODEL = 'gemini-2.5-flash';
const KEY = { GEMINI_API_KEY: 'fake-gemini-key-for-tests' };

const call = (name: string, args: Record<string, unknown>): GeminiPart[] => [{ functionCall: { name, args } }];
const EDIT = call('replace', { file_path: 'greeting.txt', instruction: 'Say goodbye instead of hello.', old_string: 'hello', new_string: 'goodbye' });

let t: TestEngine | null = null;
let server: FakeGemini | null = null;
afterEach(async () => {
  await t?.dispose();
  await server?.close();
  t = null;
  server = null;
});

async function setUp(steps: GeminiPart[][], opts: { mode?: 'ok' | '500' | 'hang'; stallSeconds?: number } = {}) {
  server = await startGeminiServer({ steps, mode: opts.mode });
  t = openAgentEngine(GEMINI, BIN!, { endpoint: server.url, model: MODEL, ...(opts.stallSeconds ? { stallSeconds: opts.stallSeconds } : {}) });
  const repo = makeRepo(t.home, { 'greeting.txt': 'hello\n', 'README.md': '# demo\n' });
  return { engine: t.engine, home: t.home, repo, server };
}

const steps = (engine: TestEngine['engine'], id: number) =>
  engine
    .get(id)
    .steps.filter((s) => s.status !== 'planned')
    .map((s) => ({ name: s.name, tool: s.tool, status: s.status, detail: s.detail }));

function patchOf(engine: TestEngine['engine'], id: number): Extract<JobResult, { type: 'patch' }> {
  const r = engine.get(id).result;
  if (r?.type !== 'patch') throw new Error(`job #${id} has no patch: ${JSON.stringify(r)}`);
  return r;
}

describe.skipIf(!BIN)(BIN ? 'Gemini CLI (real CLI, fake Gemini API)' : notInstalled('gemini'), () => {
  test('a task that edits a file and runs a command: one step per tool call, usage, the patch and the final message as its report', async () => {
    const { engine, repo, server } = await setUp([EDIT, call('run_shell_command', { command: 'cat greeting.txt && echo checked > check.txt' }), [{ text: '# Greeting changed\n' }, { text: 'The file now says goodbye.' }]]);
    const job = engine.add({ kind: 'agent', agent: { with: 'gemini', task: 'Change hello to goodbye in greeting.txt' }, cwd: repo, isolate: 'auto', secretEnv: KEY });
    const done = await waitFor(engine, job.id, undefined, 90_000);
    expect(done).toMatchObject({ status: 'succeeded', agent: { with: 'gemini', model: MODEL, usage: { inputTokens: 330, outputTokens: 60, cachedTokens: 150, costUsd: null } } });
    // --yolo held (folder trust off): the command ran, not silently refused
    expect(steps(engine, job.id)).toEqual([
      { name: 'edit greeting.txt', tool: 'edit', status: 'done', detail: '--- a/greeting.txt\n+++ b/greeting.txt\n@@ -1 +1 @@\n-hello\n+goodbye' },
      { name: 'run cat greeting.txt && echo checked > check.txt', tool: 'run', status: 'done', detail: 'cat greeting.txt && echo checked > check.txt' },
    ]);
    const patch = patchOf(engine, job.id);
    expect(patch.report).toBe('# Greeting changed\nThe file now says goodbye.');
    expect(patch.patch).toContain('-hello\n+goodbye');
    expect(patch.patch).toContain('+checked');
    // the user's tree is untouched; the API was asked three times with the key from the job's environment
    expect(fs.readFileSync(path.join(repo, 'greeting.txt'), 'utf8')).toBe('hello\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(server.requests.map((r) => [r.path, r.step, r.apiKey])).toEqual([0, 1, 2].map((s) => [`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`, s, KEY.GEMINI_API_KEY]));
    expect(server.requests[0]!.tools).toEqual(expect.arrayContaining(['replace', 'write_file', 'run_shell_command']));
    // the stream stays whole in the log, the key nowhere in it
    const log = engine.readLog({ id: job.id }).data.toString();
    for (const type of ['init', 'message', 'tool_use', 'tool_result', 'result']) expect(log).toContain(`"type":"${type}"`);
    expect(log).not.toContain(KEY.GEMINI_API_KEY);
  }, 120_000);

  test('the endpoint answers 500: after its few retries the job fails with the API’s error', async () => {
    const { engine, repo, server } = await setUp([EDIT], { mode: '500' });
    const job = engine.add({ kind: 'agent', agent: { with: 'gemini', task: 'anything' }, cwd: repo, isolate: 'none', secretEnv: KEY });
    const done = await waitFor(engine, job.id, undefined, 90_000);
    expect(done).toMatchObject({ status: 'failed', error: `Gemini API: 500 INTERNAL: ${GEMINI_ERROR}` });
    expect(done.exitCode).not.toBe(0);
    // maxAttempts 3 in its settings (its default is 10, minutes of backoff)
    expect(server.requests.length).toBe(3);
  }, 120_000);

  test('the endpoint never answers: the stall detector fails the job within its limit and nothing of it is left running', async () => {
    // long enough for the CLI to start on a busy machine and ask the endpoint first
    const { engine, home, repo, server } = await setUp([EDIT], { mode: 'hang', stallSeconds: 10 });
    const started = Date.now();
    const job = engine.add({ kind: 'agent', agent: { with: 'gemini', task: 'anything' }, cwd: repo, isolate: 'none', secretEnv: KEY });
    const done = await waitFor(engine, job.id, undefined, 60_000);
    expect(done).toMatchObject({ status: 'failed', error: 'stalled: no sign of life for 10s' });
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(server.requests.length).toBe(1);
    await until(() => jobProcesses(home, job.id).length === 0 || undefined, 5_000, 'no process of the job');
  }, 60_000);

  test('cancel mid-run ends Gemini CLI and the command it runs: no process of the job is left', async () => {
    const { engine, home, repo } = await setUp([call('run_shell_command', { command: 'sleep 120' }), [{ text: 'never here' }]]);
    const job = engine.add({ kind: 'agent', agent: { with: 'gemini', task: 'wait' }, cwd: repo, isolate: 'none', secretEnv: KEY });
    await until(() => (engine.get(job.id).job.activity === 'run sleep 120' ? true : undefined), 60_000, 'the sleep step');
    await until(() => jobProcesses(home, job.id).some((p) => /(^|\s|\/)sleep 120/.test(p.cmd)) || undefined, 20_000, 'sleep to run');
    const [after] = await engine.cancel([job.id]);
    expect(after!.status).toBe('cancelled');
    await until(() => jobProcesses(home, job.id).length === 0 || undefined, 10_000, 'no process of the job');
  }, 90_000);
});
