import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { JobResult } from '../../../../electron/contract/job';
import { OPENCODE } from '../../../../electron/core/runners/agent/opencode';
import { CHAT_ERROR, type ChatStep, type FakeChat, startChatServer } from '../../../fixtures/fake-models/openai-chat.mjs';
import { git, jobProcesses, makeRepo, notInstalled, openAgentEngine, pinnedAgentBin } from '../../../helpers/agents';
import { type TestEngine, until, waitFor } from '../../../helpers/engine';

// opencode (the pinned opencode-ai) for real, pointed at a scripted fake OpenAI-compatible
// chat completions API on 127.0.0.1: its JSON events become steps (recorded once each
// tool has finished: that is when opencode reports it), a plan, usage and a report; the
// worktree's changes come back as a patch; an API failure, a silent endpoint and a
// cancel end the job and leave nothing running.

const BIN = pinnedAgentBin('opencode');
const MODEL = 'fake-model';
const KEY = { OPENAI_API_KEY: 'sk-fake-key-for-opencode-tests' };

const tool = (name: string, args: Record<string, unknown>): ChatStep => ({ tools: [{ name, args }] });

let t: TestEngine | null = null;
let server: FakeChat | null = null;
afterEach(async () => {
  await t?.dispose();
  await server?.close();
  t = null;
  server = null;
});

async function setUp(steps: ChatStep[], opts: { mode?: 'ok' | '500' | 'hang'; retryAfterMs?: number; stallSeconds?: number } = {}) {
  server = await startChatServer({ steps, mode: opts.mode, retryAfterMs: opts.retryAfterMs, model: MODEL });
  t = openAgentEngine(OPENCODE, BIN!, { endpoint: server.url, model: MODEL, ...(opts.stallSeconds ? { stallSeconds: opts.stallSeconds } : {}) });
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

describe.skipIf(!BIN)(BIN ? 'opencode (real CLI, fake chat completions API)' : notInstalled('opencode'), () => {
  test('a task that edits a file and runs a command: one step per tool call, a plan, usage, the patch and the final message as its report', async () => {
    const { engine, repo, server } = await setUp([
      tool('todowrite', {
        todos: [
          { id: '1', content: 'Change the greeting', status: 'in_progress', priority: 'high' },
          { id: '2', content: 'Check it', status: 'pending', priority: 'medium' },
        ],
      }),
      tool('read', { filePath: 'greeting.txt' }),
      { text: 'Changing it now.', tools: [{ name: 'edit', args: { filePath: 'greeting.txt', oldString: 'hello', newString: 'goodbye' } }] },
      tool('bash', { command: 'cat greeting.txt && echo checked > check.txt', description: 'Check the greeting' }),
      tool('bash', { command: 'exit 3', description: 'A command that fails' }),
      { text: '# Greeting changed\nThe file now says goodbye.' },
    ]);
    const job = engine.add({ kind: 'agent', agent: { with: 'opencode', task: 'Change hello to goodbye in greeting.txt' }, cwd: repo, isolate: 'auto', secretEnv: KEY });
    const done = await waitFor(engine, job.id, undefined, 120_000);
    expect(done).toMatchObject({ status: 'succeeded', agent: { with: 'opencode', model: MODEL, usage: { inputTokens: 750, outputTokens: 120, cachedTokens: 300, costUsd: null } } });
    expect(done.plan).toEqual(['Change the greeting', 'Check it']);
    expect(steps(engine, job.id)).toEqual([
      { name: 'read greeting.txt', tool: 'read', status: 'done', detail: null },
      { name: 'edit greeting.txt', tool: 'edit', status: 'done', detail: expect.stringContaining('--- a/greeting.txt\n+++ b/greeting.txt\n@@ -1,1 +1,1 @@\n-hello\n+goodbye') },
      { name: 'run cat greeting.txt && echo checked > check.txt', tool: 'run', status: 'done', detail: 'cat greeting.txt && echo checked > check.txt' },
      { name: 'run exit 3', tool: 'run', status: 'failed', detail: 'exit 3' },
    ]);
    const patch = patchOf(engine, job.id);
    expect(patch.report).toBe('# Greeting changed\nThe file now says goodbye.');
    expect(patch.patch).toContain('-hello\n+goodbye');
    expect(patch.patch).toContain('+checked');
    // the user's tree is untouched (opencode worked in $PWD: the worktree, not the test's directory)
    expect(fs.readFileSync(path.join(repo, 'greeting.txt'), 'utf8')).toBe('hello\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    // one request per step, with the key from the job's environment; no title asked for (--title)
    expect(server.requests.map((r) => [r.method, r.path, r.step, r.model, r.authorization])).toEqual([0, 1, 2, 3, 4, 5].map((s) => ['POST', '/v1/chat/completions', s, MODEL, `Bearer ${KEY.OPENAI_API_KEY}`]));
    expect(server.requests[0]!.tools).toEqual(expect.arrayContaining(['bash', 'edit', 'write', 'read']));
    // the stream stays whole in the log, the key nowhere in it
    const log = engine.readLog({ id: job.id }).data.toString();
    for (const type of ['step_start', 'text', 'tool_use', 'step_finish']) expect(log).toContain(`"type":"${type}"`);
    expect(log).not.toContain(KEY.OPENAI_API_KEY);
  }, 150_000);

  test('the endpoint answers 500: after its retries the job fails with the API’s error', async () => {
    // the API asks for retries 100 ms apart (retry-after-ms): opencode's own backoff is
    // 2 s doubling to 30 s over 5 retries, and it has no setting for them
    const { engine, repo, server } = await setUp([], { mode: '500', retryAfterMs: 100 });
    const job = engine.add({ kind: 'agent', agent: { with: 'opencode', task: 'anything' }, cwd: repo, isolate: 'none', secretEnv: KEY });
    const done = await waitFor(engine, job.id, undefined, 90_000);
    expect(done).toMatchObject({ status: 'failed', error: `model API: 500: ${CHAT_ERROR}`, exitCode: 1 });
    expect(server.requests.length).toBe(6);
  }, 120_000);

  test('the endpoint never answers: the stall detector fails the job within its limit and nothing of it is left running', async () => {
    // opencode prints nothing before the model's first answer: the limit covers its start too
    const { engine, home, repo, server } = await setUp([], { mode: 'hang', stallSeconds: 20 });
    const started = Date.now();
    const job = engine.add({ kind: 'agent', agent: { with: 'opencode', task: 'anything' }, cwd: repo, isolate: 'none', secretEnv: KEY });
    const done = await waitFor(engine, job.id, undefined, 60_000);
    expect(done).toMatchObject({ status: 'failed', error: 'stalled: no sign of life for 20s' });
    expect(Date.now() - started).toBeLessThan(50_000);
    expect(server.requests.length).toBe(1);
    await until(() => jobProcesses(home, job.id).length === 0 || undefined, 5_000, 'no process of the job');
  }, 60_000);

  test('cancel mid-run ends opencode and the command it runs: no process of the job is left', async () => {
    const { engine, home, repo } = await setUp([tool('bash', { command: 'sleep 100', description: 'Wait' }), { text: 'never here' }]);
    const job = engine.add({ kind: 'agent', agent: { with: 'opencode', task: 'wait' }, cwd: repo, isolate: 'none', secretEnv: KEY });
    await until(() => jobProcesses(home, job.id).some((p) => /(^|\s|\/)sleep 100/.test(p.cmd)) || undefined, 60_000, 'sleep to run');
    const [after] = await engine.cancel([job.id]);
    expect(after!.status).toBe('cancelled');
    await until(() => jobProcesses(home, job.id).length === 0 || undefined, 10_000, 'no process of the job');
  }, 90_000);
});
