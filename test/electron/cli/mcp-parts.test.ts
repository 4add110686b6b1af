import { describe, expect, test } from 'vitest';
import type { Job } from '../../../electron/contract/job';
import { mcpConfig } from '../../../electron/cli/mcp/config';
import { callerName } from '../../../electron/cli/mcp/host-link';
import { leadingPartial, wholeEnd } from '../../../electron/cli/mcp/logs';
import { enqueueInput, listInput, waitInput } from '../../../electron/cli/mcp/schemas';
import { jobLine } from '../../../electron/cli/mcp/views';
import { nextProgress } from '../../../electron/cli/mcp/wait';
import { validate } from '../../../electron/contract/validate';

// The pure parts of `errand mcp`: progress values, UTF-8 cuts, caller names, schemas, wording.

const job = (over: Partial<Job> = {}): Job =>
  ({
    id: 7,
    title: 'tests',
    kind: 'command',
    status: 'running',
    activity: 'running: npm test',
    progress: null,
    progressText: null,
    eta: { seconds: null, basis: 'unknown' },
    attention: null,
    resultSummary: null,
    ...over,
  }) as Job;

describe('progress notifications', () => {
  test('the percent when the job reports a total, else a count; always growing', () => {
    expect(nextProgress(0, job())).toEqual({ progress: 1 });
    expect(nextProgress(1, job())).toEqual({ progress: 2 });
    expect(nextProgress(0, job({ progress: { done: 1, total: 4, unit: null, label: null } }))).toEqual({ progress: 25, total: 100 });
    // a change that leaves the percent where it was still moves the value
    expect(nextProgress(25, job({ progress: { done: 1, total: 4, unit: null, label: null } }))).toEqual({ progress: 25.01, total: 100 });
    // a percent below what was sent (a new attempt) never goes back
    expect(nextProgress(60, job({ progress: { done: 1, total: 10, unit: null, label: null } }))).toEqual({ progress: 60.01, total: 100 });
    expect(nextProgress(100, job({ progress: { done: 4, total: 4, unit: null, label: null } }))).toEqual({ progress: 100.01 });
    let last = 0;
    for (const done of [0, 1, 1, 2, 0, 3, 3]) {
      const p = nextProgress(last, job({ progress: { done, total: 3, unit: null, label: null } })).progress;
      expect(p).toBeGreaterThan(last);
      last = p;
    }
  });
});

describe('log text on whole characters', () => {
  const bytes = (s: string) => new Uint8Array(Buffer.from(s));
  test('a cut inside a character is moved before it; whole text is left alone', () => {
    expect(wholeEnd(bytes('abc'))).toBe(3);
    expect(wholeEnd(bytes('aé'))).toBe(3);
    expect(wholeEnd(bytes('aé').subarray(0, 2))).toBe(1);
    expect(wholeEnd(bytes('a€').subarray(0, 3))).toBe(1);
    expect(wholeEnd(bytes('a😀').subarray(0, 4))).toBe(1);
    expect(wholeEnd(bytes('a😀'))).toBe(5);
    expect(wholeEnd(new Uint8Array())).toBe(0);
  });
  test('bytes that continue a character begun earlier are skipped', () => {
    expect(leadingPartial(bytes('é').subarray(1))).toBe(1);
    expect(leadingPartial(bytes('😀x').subarray(1))).toBe(3);
    expect(leadingPartial(bytes('abc'))).toBe(0);
  });
});

describe('who enqueued', () => {
  test('the MCP client name becomes the caller, printable and short', () => {
    expect(callerName('claude-code')).toBe('mcp:claude-code');
    expect(callerName('Cursor IDE\n')).toBe('mcp:Cursor-IDE');
    expect(callerName('')).toBe('mcp');
    expect(callerName(undefined)).toBe('mcp');
    expect(callerName('x'.repeat(100))).toHaveLength(60);
  });
});

describe('tool schemas come from the contract', () => {
  test("their checks are the contract's, naming the field", () => {
    expect(() => validate(enqueueInput, { cwd: '/', command: { shell: 'true' }, priority: 2000 }, 'enqueue input')).toThrow('Invalid enqueue input: priority must be at most 1000.');
    expect(() => validate(enqueueInput, { cwd: '/', command: { argv: [] } }, 'enqueue input')).toThrow(/command\.argv is empty/);
    expect(validate(enqueueInput, { cwd: '/', kind: 'agent', agent: { with: 'claude', task: 'fix it' } }, 'enqueue input')).toMatchObject({ kind: 'agent', isolate: 'auto', priority: 0 });
    expect(validate(waitInput, { id: 3 }, 'wait input')).toEqual({ id: 3, timeoutSeconds: 30 });
    expect(validate(listInput, {}, 'list input')).toEqual({ limit: 20 });
  });
});

describe('wording', () => {
  test('one line per job: state, progress, ETA with its basis, result, the person', () => {
    expect(jobLine(job({ progressText: '50%', eta: { seconds: 42, basis: 'progress' } }))).toBe('#7 running: npm test · 50% · ETA 50s (progress)');
    expect(jobLine(job({ status: 'succeeded', activity: 'done in 3s: 12 passed', resultSummary: { type: 'json', summary: '12 passed' } }))).toBe('#7 succeeded: done in 3s: 12 passed · result: json');
    expect(jobLine(job({ status: 'failed', activity: 'exit 1', resultSummary: { type: 'report', summary: 'two failures' } }))).toBe('#7 failed: exit 1 · result: report, two failures');
    expect(jobLine(job({ status: 'waiting', activity: 'waiting for approval: Deploy?', attention: 'needs-you' }))).toBe('#7 waiting for approval: Deploy? · waiting for the person to approve in Errand');
  });

  test('config snippets quote paths for their format', () => {
    const launch = { command: '/opt/node "22"/bin/node', args: ['C:\\errand\\bin', 'mcp'] };
    expect(JSON.parse(mcpConfig('claude', launch)).mcpServers.errand).toEqual({ type: 'stdio', ...launch });
    expect(JSON.parse(mcpConfig('cursor', launch)).mcpServers.errand).toEqual(launch);
    expect(mcpConfig('codex', launch)).toBe(
      '[mcp_servers.errand]\ncommand = "/opt/node \\"22\\"/bin/node"\nargs = ["C:\\\\errand\\\\bin", "mcp"]\n# wait blocks for up to 300 s; Codex\'s default tool timeout is 60 s\ntool_timeout_sec = 330\n',
    );
    expect(() => mcpConfig('goose', launch)).toThrow("--print-config takes claude, codex, cursor, not 'goose'.");
  });
});
