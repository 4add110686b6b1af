import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { JobResult } from '../../../../electron/contract/job';
import { CODEX } from '../../../../electron/core/runners/agent/codex';
import { RESPONSES_ERROR, startResponsesServer, type FakeServer, type ResponsesStep } from '../../../fixtures/fake-models/responses.mjs';
import { git, jobProcesses, makeRepo, notInstalled, openAgentEngine, pinnedAgentBin } from '../../../helpers/agents';
import { type TestEngine, until, waitFor } from '../../../helpers/engine';

// Codex (the pinned @openai/codex) for real, pointed at a scripted fake Responses API on
// 127.0.0.1: its JSON events become steps, usage and a report; the worktree's changes
// come back as a patch; API failures, a silent endpoint and a cancel end the job and
// leave nothing running.

const BIN = pinnedAgentBin('codex');
const MODEL = 'gpt-5.5'; // a model this Codex knows: an unknown one loses the apply_patch tool
const KEY = { OPENAI_API_KEY: 'sk-fake-key-for-tests' };

const EDIT: ResponsesStep = { reasoning: 'Change the greeting first.', patch: '*** Begin Patch\n*** Update File: greeting.txt\n@@\n-hello\n+goodbye\n*** End Patch\n' };

let t: TestEngine | null = null;
let server: FakeServer | null = null;
afterEach(async () => {
  await t?.dispose();
  await server?.close();
  t = null;
  server = null;
});

async function setUp(steps: ResponsesStep[], opts: { mode?: 'ok' | '500' | 'hang'; status?: number; stallSeconds?: number; args?: string[] } = {}) {
  server = await startResponsesServer({ steps, mode: opts.mode, status: opts.status });
  t = openAgentEngine(CODEX, BIN!, { endpoint: server.url, model: MODEL, ...(opts.stallSeconds ? { stallSeconds: opts.stallSeconds } : {}), ...(opts.args ? { args: opts.args } : {}) });
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

describe.skipIf(!BIN)(BIN ? 'Codex (real CLI, fake Responses API)' : notInstalled('codex'), () => {
  test('a task that edits a file and runs a command: one step per tool call, usage, the patch and the final message as its report', async () => {
    const { engine, repo, server } = await setUp([EDIT, { exec: 'cat greeting.txt && echo checked > check.txt' }, { text: '# Greeting changed\nThe file now says goodbye.' }]);
    const job = engine.add({ kind: 'agent', agent: { with: 'codex', task: 'Change hello to goodbye in greeting.txt' }, cwd: repo, isolate: 'auto', secretEnv: KEY });
    const done = await waitFor(engine, job.id, undefined, 60_000);
    expect(done).toMatchObject({ status: 'succeeded', agent: { with: 'codex', model: MODEL, usage: { inputTokens: 330, outputTokens: 60, cachedTokens: 150, costUsd: null } } });
    expect(steps(engine, job.id)).toEqual([
      { name: 'edit greeting.txt', tool: 'edit', status: 'done', detail: 'update greeting.txt' },
      { name: 'run cat greeting.txt && echo checked > check.txt', tool: 'run', status: 'done', detail: "/bin/bash -lc 'cat greeting.txt && echo checked > check.txt'" },
    ]);
    const patch = patchOf(engine, job.id);
    expect(patch.report).toBe('# Greeting changed\nThe file now says goodbye.');
    expect(patch.patch).toContain('-hello\n+goodbye');
    expect(patch.patch).toContain('+checked');
    // the user's tree is untouched; the model was asked with the tools Codex offers for a known model
    expect(fs.readFileSync(path.join(repo, 'greeting.txt'), 'utf8')).toBe('hello\n');
    expect(server.requests.map((r) => [r.path, r.step, r.model])).toEqual([0, 1, 2].map((s) => ['/v1/responses', s, MODEL]));
    expect(server.requests[0]!.tools).toEqual(expect.arrayContaining(['apply_patch', 'exec_command']));
    // the stream stays whole in the log
    const log = engine.readLog({ id: job.id }).data.toString();
    for (const type of ['thread.started', 'turn.started', 'item.started', 'item.completed', 'turn.completed']) expect(log).toContain(`"type":"${type}"`);
    expect(log).toContain('"type":"reasoning"');
    expect(log).not.toContain(KEY.OPENAI_API_KEY);
  }, 90_000);

  test('the endpoint answers 500: the job fails with what Codex makes of it, after its retries; a 400 fails with the API’s own message', async () => {
    const args = ['-c', 'model_providers.errand.stream_max_retries=1', '-c', 'model_providers.errand.request_max_retries=0'];
    const { engine, repo } = await setUp([EDIT], { mode: '500', args });
    const job = engine.add({ kind: 'agent', agent: { with: 'codex', task: 'anything' }, cwd: repo, isolate: 'none', secretEnv: KEY });
    const done = await waitFor(engine, job.id, undefined, 60_000);
    // Codex 0.171 words every HTTP 500 this way and keeps the body to itself
    expect(done).toMatchObject({ status: 'failed', error: 'We’re currently experiencing high demand, which may cause temporary errors.', exitCode: 1 });
    const log = engine.readLog({ id: job.id }).data.toString();
    expect(log).toContain('Reconnecting... 1/1');
    await t!.dispose();
    await server!.close();

    const again = await setUp([EDIT], { mode: '500', status: 400, args });
    const bad = again.engine.add({ kind: 'agent', agent: { with: 'codex', task: 'anything' }, cwd: again.repo, isolate: 'none', secretEnv: KEY });
    const failed = await waitFor(again.engine, bad.id, undefined, 60_000);
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(RESPONSES_ERROR);
  }, 90_000);

  test('the endpoint never answers: the stall detector fails the job within its limit and nothing of it is left running', async () => {
    const { engine, home, repo, server } = await setUp([EDIT], { mode: 'hang', stallSeconds: 3 });
    const started = Date.now();
    const job = engine.add({ kind: 'agent', agent: { with: 'codex', task: 'anything' }, cwd: repo, isolate: 'none', secretEnv: KEY });
    const done = await waitFor(engine, job.id, undefined, 60_000);
    expect(done).toMatchObject({ status: 'failed', error: 'stalled: no sign of life for 3s' });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(server.requests.length).toBeGreaterThan(0);
    // what Codex left outside its group (its login shell's `pyenv rehash`, a sandboxed command) ends with the run
    await until(() => jobProcesses(home, job.id).length === 0 || undefined, 10_000, 'no process of the job');
  }, 60_000);

  test('cancel mid-run ends Codex and the command it runs: no process of the job is left', async () => {
    const { engine, home, repo } = await setUp([{ exec: 'sleep 120' }, { text: 'never here' }]);
    const job = engine.add({ kind: 'agent', agent: { with: 'codex', task: 'wait' }, cwd: repo, isolate: 'none', secretEnv: KEY });
    await until(() => (engine.get(job.id).job.activity === 'run sleep 120' ? true : undefined), 60_000, 'the sleep step');
    await until(() => jobProcesses(home, job.id).some((p) => /(^|\s|\/)sleep 120/.test(p.cmd)) || undefined, 20_000, 'sleep to run');
    const [after] = await engine.cancel([job.id]);
    expect(after!.status).toBe('cancelled');
    await until(() => jobProcesses(home, job.id).length === 0 || undefined, 10_000, 'no process of the job');
  }, 90_000);

  test('two Codex jobs on one repo run at once in two worktrees and give two independent patches; the user’s tree stays untouched', async () => {
    const { engine, repo } = await setUp([{ exec: 'sleep 2' }, EDIT, { text: 'Done.' }]);
    fs.writeFileSync(path.join(repo, 'greeting.txt'), 'hello\nthe user is still typing\n');
    const a = engine.add({ kind: 'agent', agent: { with: 'codex', task: 'first' }, cwd: repo, isolate: 'auto', secretEnv: KEY });
    const b = engine.add({ kind: 'agent', agent: { with: 'codex', task: 'second' }, cwd: repo, isolate: 'auto', secretEnv: KEY });
    await until(() => (engine.get(a.id).job.status === 'running' && engine.get(b.id).job.status === 'running') || undefined, 30_000, 'both running');
    const [da, db] = await Promise.all([waitFor(engine, a.id, undefined, 90_000), waitFor(engine, b.id, undefined, 90_000)]);
    expect([da.status, db.status]).toEqual(['succeeded', 'succeeded']);
    const [pa, pb] = [patchOf(engine, a.id), patchOf(engine, b.id)];
    expect(pa.patch).toBe(pb.patch);
    expect(pa.patch).toContain('-hello\n+goodbye');
    const [wa, wb] = [engine.get(a.id).isolation?.worktree, engine.get(b.id).isolation?.worktree];
    expect(wa && wb && wa !== wb).toBe(true);
    expect(fs.readFileSync(path.join(repo, 'greeting.txt'), 'utf8')).toBe('hello\nthe user is still typing\n');
    expect(git(repo, 'status', '--porcelain')).toBe(' M greeting.txt\n');
  }, 120_000);
});
