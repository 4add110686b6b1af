import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import type { ToolKind } from '../../../electron/contract/job';
import { agentRunner } from '../../../electron/core/runners/agent/agent-runner';
import type { AgentPreset } from '../../../electron/core/runners/agent/preset';
import { openTestEngine, readText, type TestEngine, until, waitFor } from '../../helpers/engine';

// The agent runner's machinery with a scripted stand-in agent: the stream is read into
// steps, usage, notes and a report; a question goes through the approvals inbox and its
// answer back on stdin; the log keeps every byte; a silent agent is stopped as stalled.

const SCRIPT = path.resolve(import.meta.dirname, '../../fixtures/agents/scripted-agent.mjs');

/** A preset whose "agent" is the scripted stand-in, its task a JSON script of events. */
const scripted: AgentPreset = {
  name: 'codex',
  pkg: '@example/scripted-agent',
  bin: 'node',
  launch: (c) => ({ argv: [c.bin, SCRIPT, c.task], env: { SCRIPTED_MODEL: c.model ?? '' }, stdin: true }),
  adapter: (io) => {
    let last: string | null = null;
    let failed: string | null = null;
    const names = new Map<string, string>();
    return {
      line(text) {
        let e: { t?: string; [k: string]: unknown };
        try {
          e = JSON.parse(text) as typeof e;
        } catch {
          return;
        }
        if (e.t === 'tool') {
          names.set(String(e.id), String(e.summary));
          io.report.step(String(e.summary), 'running', { tool: e.kind as ToolKind, detail: (e.detail as string) ?? null });
        } else if (e.t === 'tool_done') io.report.step(names.get(String(e.id))!, e.ok ? 'done' : 'failed');
        else if (e.t === 'msg') last = String(e.text);
        else if (e.t === 'usage') io.report.usage({ inputTokens: Number(e.in), outputTokens: Number(e.out), cachedTokens: null, costUsd: null });
        else if (e.t === 'retry') io.report.note(`model API: retry ${e.n} of ${e.of}`);
        else if (e.t === 'todo') io.report.plan(e.items as string[]);
        else if (e.t === 'ask')
          void io.report.ask(String(e.q), String(e.context), { tool: String(e.tool) }).then((d) => io.send(JSON.stringify(d)));
        else if (e.t === 'fail') failed = String(e.error);
      },
      finish: () => ({ error: failed, report: last }),
    };
  },
};

let t: TestEngine;
afterEach(() => t.dispose());

function open(settings: { stallSeconds?: number } = {}): TestEngine {
  return (t = openTestEngine((home) => ({
    runners: [agentRunner({ home, presets: { codex: scripted }, settings: () => ({ agents: { codex: { bin: process.execPath, ...settings } } }), env: process.env })],
  })));
}

const agentJob = (steps: object[], over: Record<string, unknown> = {}) =>
  t.engine.add({ kind: 'agent', agent: { with: 'codex', task: JSON.stringify(steps), ...over }, cwd: t.home, isolate: 'none' });

describe('the agent runner', () => {
  test('a stream becomes tool steps, usage, a plan and the final message as the report; the log keeps every byte', async () => {
    open();
    const job = agentJob([
      { t: 'todo', items: ['read the code', 'fix it'] },
      { t: 'tool', id: 1, kind: 'read', summary: 'read src/a.ts', detail: 'src/a.ts' },
      { t: 'tool_done', id: 1, ok: true },
      { t: 'raw', text: 'not json at all\n' },
      { t: 'stderr', text: 'a warning on stderr' },
      { t: 'tool', id: 2, kind: 'edit', summary: 'edit src/a.ts', detail: '@@ -1 +1 @@' },
      { t: 'write', path: 'a.ts', text: 'fixed\n' },
      { t: 'tool_done', id: 2, ok: true },
      { t: 'tool', id: 3, kind: 'run', summary: 'run npm test', detail: 'npm test' },
      { t: 'tool_done', id: 3, ok: false },
      { t: 'usage', in: 1200, out: 340 },
      { t: 'unknown-event', x: 1 },
      { t: 'msg', text: '# Fixed the bug\nAll tests pass.' },
    ]);
    expect(job.kind).toBe('agent');
    expect(job.command).toMatch(/^codex: \[/);
    const done = await waitFor(t.engine, job.id);
    expect(done).toMatchObject({ status: 'succeeded', agent: { with: 'codex', usage: { inputTokens: 1200, outputTokens: 340 } }, resultSummary: { type: 'report', summary: 'Fixed the bug' } });
    expect(done.plan).toEqual(['read the code', 'fix it']);
    const steps = t.engine.get(job.id).steps.filter((s) => s.status !== 'planned');
    expect(steps.map((s) => [s.name, s.tool, s.status, s.detail])).toEqual([
      ['read src/a.ts', 'read', 'done', 'src/a.ts'],
      ['edit src/a.ts', 'edit', 'done', '@@ -1 +1 @@'],
      ['run npm test', 'run', 'failed', 'npm test'],
    ]);
    const log = t.engine.readLog({ id: job.id }).data.toString();
    expect(log).toContain('not json at all\n');
    expect(log).toContain('a warning on stderr\n');
    expect(log).toContain('"t":"unknown-event"');
    expect(readText(path.join(t.home, 'a.ts'))).toBe('fixed\n');
  });

  test('the current tool call is the activity; a retry note shows until the next step', async () => {
    open();
    const gate = path.join(t.home, 'gate');
    const job = agentJob([{ t: 'tool', id: 1, kind: 'run', summary: 'run npm test' }, { t: 'sleep', ms: 400 }, { t: 'retry', n: 2, of: 5 }, { t: 'sleep', ms: 400 }, { t: 'write', path: gate, text: '' }, { t: 'sleep', ms: 100 }]);
    await until(() => (t.engine.get(job.id).job.activity === 'run npm test' ? true : undefined), 10_000, 'tool activity');
    await until(() => (t.engine.get(job.id).job.activity === 'model API: retry 2 of 5' ? true : undefined), 10_000, 'retry note');
    expect((await waitFor(t.engine, job.id)).status).toBe('succeeded');
    expect(fs.existsSync(gate)).toBe(true);
  });

  test('a permission request waits in the inbox; the answer reaches the agent; approved for the job, it is not asked again', async () => {
    open();
    const job = agentJob([
      { t: 'ask', q: 'Run rm -rf build?', context: 'rm -rf build (in the project)', tool: 'Bash' },
      { t: 'ask', q: 'Run npm test?', context: 'npm test', tool: 'Bash' },
      { t: 'msg', text: 'done' },
    ]);
    await waitFor(t.engine, job.id, ['waiting']);
    expect(t.engine.approvals()).toMatchObject([{ jobId: job.id, question: 'Run rm -rf build?', tool: 'Bash' }]);
    expect(t.engine.get(job.id).job.activity).toBe('waiting for approval: Run rm -rf build?');
    t.engine.engine.approve({ id: job.id, scope: 'job' }, { by: 'cli' });
    expect((await waitFor(t.engine, job.id)).status).toBe('succeeded');
    const d = t.engine.get(job.id);
    expect(d.approvals).toMatchObject([{ decision: 'approved', scope: 'job', tool: 'Bash' }]);
    expect(d.events.map((e) => e.type)).toContain('approval-granted');
    expect(t.engine.readLog({ id: job.id }).data.toString()).toContain('"answer":{"decision":"approved","note":"approved for the rest of this job"}');
  });

  test('a denied request: the agent hears it and ends as it decides; an error in the stream fails the job even with exit 0', async () => {
    open();
    const asking = agentJob([{ t: 'ask', q: 'Delete it?', context: 'x', tool: 'Bash' }, { t: 'msg', text: 'never here' }]);
    await waitFor(t.engine, asking.id, ['waiting']);
    t.engine.deny(asking.id, 'no');
    expect(await waitFor(t.engine, asking.id)).toMatchObject({ status: 'succeeded', resultSummary: null });
    const failing = agentJob([{ t: 'fail', error: 'model API: 500 Internal Server Error' }, { t: 'exit', code: 0 }]);
    expect(await waitFor(t.engine, failing.id)).toMatchObject({ status: 'failed', error: 'model API: 500 Internal Server Error', exitCode: 0 });
  });

  test('an agent that goes silent is stopped as stalled within its limit; cancel ends it', async () => {
    open({ stallSeconds: 1 });
    const silent = agentJob([{ t: 'tool', id: 1, kind: 'run', summary: 'run a loop' }, { t: 'sleep', ms: 60_000 }]);
    expect(await waitFor(t.engine, silent.id)).toMatchObject({ status: 'failed', error: 'stalled: no sign of life for 1s' });
    const busy = agentJob([{ t: 'sleep', ms: 60_000 }]);
    await waitFor(t.engine, busy.id, ['running']);
    const [after] = await t.engine.cancel([busy.id]);
    expect(after!.status).toBe('cancelled');
  });

  test('a missing binary is refused when the job is added, naming the npm package to install', () => {
    t = openTestEngine((home) => ({ runners: [agentRunner({ home, presets: { codex: { ...scripted, bin: 'no-such-agent-xyz' } }, settings: () => ({ agents: {} }), env: { PATH: '/nonexistent', ERRAND_AGENTS_DIR: '/nonexistent' } })] }));
    expect(() => agentJob([])).toThrow('codex is not installed: install it with npm install -g @example/scripted-agent, or point Errand at it with errand config set agents.codex.bin PATH.');
  });
});
