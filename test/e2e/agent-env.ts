import fs from 'node:fs';
import path from 'node:path';
import type { Settings, ToolKind } from '../../electron/contract/job';
import { Engine } from '../../electron/core/engine';
import { silentLogger } from '../../electron/core/logger';
import { agentRunner } from '../../electron/core/runners/agent/agent-runner';
import type { AgentPreset } from '../../electron/core/runners/agent/preset';
import { createHandlers, dispatch } from '../../electron/host/api';
import type { Host } from '../../electron/host/host';
import { serveUi } from '../../electron/host/http-server';
import { tempHome } from '../helpers/temp-home';
import { type Env, STATIC_DIR } from './harness';

// A real engine and the HTTP + WebSocket transport, with a stand-in "codex": the scripted
// agent of test/fixtures prints a JSON event stream from a script given as its task, and
// this preset reads it into steps, usage, a plan, questions and a report. The window's
// e2e tests so stay independent of the real Codex adapter (written in parallel).

const SCRIPT = path.resolve(import.meta.dirname, '../fixtures/agents/scripted-agent.mjs');

export const standIn: AgentPreset = {
  name: 'codex',
  pkg: '@example/scripted-agent',
  bin: 'node',
  launch: (c) => ({ argv: [c.bin, SCRIPT, c.task], env: {}, stdin: true }),
  adapter: (io) => {
    let last: string | null = null;
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
        else if (e.t === 'usage') io.report.usage({ inputTokens: Number(e.in), outputTokens: Number(e.out), cachedTokens: e.cached === undefined ? null : Number(e.cached), costUsd: e.cost === undefined ? null : Number(e.cost) });
        else if (e.t === 'retry') io.report.note(`model API: retry ${e.n} of ${e.of}`);
        else if (e.t === 'todo') io.report.plan(e.items as string[]);
        else if (e.t === 'ask') void io.report.ask(String(e.q), e.context === undefined ? null : String(e.context), { tool: String(e.tool) }).then((d) => io.send(JSON.stringify(d)));
      },
      finish: () => ({ error: null, report: last }),
    };
  },
};

/** Like harness.startEnv, with the stand-in agent as the host's codex. */
export async function startAgentEnv(): Promise<Env> {
  const { home, cleanup } = tempHome('errand-e2e-agent-');
  const work = path.join(home, 'work');
  fs.mkdirSync(work);
  // the stored settings (setSettings works as in the app), with the stand-in as codex's binary
  let engine: Engine | null = null;
  const settings = (): Settings => {
    const s = engine?.settings() ?? { agents: {} };
    return { ...s, agents: { ...s.agents, codex: { ...s.agents.codex, bin: process.execPath } } };
  };
  engine = Engine.open({
    home,
    logger: silentLogger,
    killGraceMs: 500,
    runners: [agentRunner({ home, presets: { codex: standIn }, settings, env: process.env })],
  });
  const open = engine;
  const handlers = createHandlers(open, { shutdown: () => undefined });
  let closing: Promise<void> | null = null;
  const host: Host = {
    home,
    socketPath: null,
    handlers,
    call: (method, input, ctx = { by: 'host' }) => dispatch(handlers, method, input, ctx) as never,
    listen: (fn) => open.listen(fn),
    close: () => (closing ??= open.close()),
    closed: new Promise(() => undefined),
  };
  const ui = await serveUi({ handlers, listen: host.listen, home, port: 0, staticDir: STATIC_DIR, log: silentLogger });
  return {
    home,
    work,
    host,
    ui,
    async cleanup() {
      await ui.close();
      await host.close();
      cleanup();
    },
  };
}

/** An agent job's task for the stand-in: its script. */
export const script = (steps: object[]): string => JSON.stringify(steps);
