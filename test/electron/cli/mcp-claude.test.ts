import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Job } from '../../../electron/contract/job';
import { startFakeAnthropic } from '../../fixtures/mcp/fake-anthropic.mjs';
import { notInstalled, pinnedAgentBin } from '../../helpers/agents';
import { errand, json, stopHost } from '../../helpers/cli';
import { tempHome } from '../../helpers/temp-home';

// The real Claude Code (the pinned CLI) with `--mcp-config` from `errand mcp --print-config
// claude`, talking to a scripted fake Messages API on 127.0.0.1 whose model calls
// mcp__errand__enqueue, then mcp__errand__wait on the id it got, then answers: the job runs
// in Errand, says it was added by mcp:claude-code, and its outcome comes back in Claude's stream.

const CLAUDE = pinnedAgentBin('claude');

interface StreamMessage {
  type: string;
  subtype?: string;
  result?: string;
  message?: { content: { type: string; name?: string; input?: unknown; text?: string; content?: unknown }[] };
}

function runClaude(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; messages: StreamMessage[]; stderr: string }> {
  return new Promise((resolve) => {
    // async, never spawnSync: the fake model server answers from this same process
    const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const messages = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as StreamMessage);
      resolve({ code, messages, stderr: err });
    });
  });
}

let home: string;
let cleanup: () => void;
beforeAll(() => {
  ({ home, cleanup } = tempHome('errand-mcp-claude-'));
});
afterAll(() => {
  stopHost(home);
  cleanup();
});

describe.skipIf(!CLAUDE)(CLAUDE ? 'errand mcp with the real Claude Code' : notInstalled('claude'), () => {
  test('Claude enqueues a job over MCP and waits for it; the job runs in Errand and its outcome comes back in the stream', async () => {
    const work = path.join(home, 'project');
    fs.mkdirSync(work);
    const fake = await startFakeAnthropic({ command: `echo built; echo '{"ok":true}' | errand set-result --json - --summary 'build ok'`, cwd: work, title: 'build via claude' });
    try {
      const config = path.join(home, 'mcp.json');
      fs.writeFileSync(config, errand(home, ['mcp', '--print-config', 'claude']).stdout);
      const r = await runClaude(
        CLAUDE!,
        ['-p', 'Build the project in Errand and tell me how it went.', '--mcp-config', config, '--strict-mcp-config', '--allowedTools', 'mcp__errand__enqueue,mcp__errand__wait', '--output-format', 'stream-json', '--verbose', '--no-session-persistence'],
        work,
        {
          PATH: process.env.PATH,
          HOME: home,
          // its settings and sessions in the temp home; nothing but the fake model is called
          CLAUDE_CONFIG_DIR: path.join(home, 'claude'),
          ANTHROPIC_BASE_URL: fake.url,
          ANTHROPIC_API_KEY: 'sk-ant-fake-key-for-tests',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          DISABLE_AUTOUPDATER: '1',
          DISABLE_TELEMETRY: '1',
          DISABLE_ERROR_REPORTING: '1',
          // MCP tools in the first request rather than behind Claude Code's tool search
          ENABLE_TOOL_SEARCH: 'false',
        },
      );
      expect(r.code, r.stderr).toBe(0);
      const init = r.messages.find((m) => m.type === 'system' && m.subtype === 'init') as unknown as { mcp_servers: { name: string; status: string }[] };
      expect(init.mcp_servers).toContainEqual({ name: 'errand', status: 'connected', source: 'dynamic' });
      const blocks = r.messages.filter((m) => m.message).flatMap((m) => m.message!.content.map((b) => ({ role: m.type, ...b })));
      expect(blocks.filter((b) => b.type === 'tool_use').map((b) => b.name)).toEqual(['mcp__errand__enqueue', 'mcp__errand__wait']);
      const results = blocks.filter((b) => b.type === 'tool_result').map((b) => String(typeof b.content === 'string' ? b.content : JSON.stringify(b.content)));
      expect(results[0]).toMatch(/Enqueued job #1 \(queued\): build via claude/);
      expect(results[1]).toMatch(/#1 succeeded.*build ok/);
      const final = r.messages.find((m) => m.type === 'result')!;
      expect(final.result).toMatch(/^Errand says: #1 succeeded.*build ok/);

      // the model was offered every Errand tool and none that approves
      const offered = fake.requests.find((q) => q.tools.includes('mcp__errand__enqueue'))!.tools.filter((t: string) => t.startsWith('mcp__errand__'));
      expect(offered.sort()).toEqual(['cancel', 'enqueue', 'get', 'list', 'logs', 'result', 'retry', 'status', 'wait'].map((t) => `mcp__errand__${t}`));

      const job = json<Job[]>(errand(home, ['ls', '--json'])).find((j) => j.id === 1)!;
      expect(job).toMatchObject({ title: 'build via claude', status: 'succeeded', addedBy: 'mcp:claude-code', cwd: work, resultSummary: { type: 'json', summary: 'build ok' } });
      expect(errand(home, ['logs', '1']).stdout).toBe('built\n');
    } finally {
      await fake.close();
    }
  }, 120_000);
});
