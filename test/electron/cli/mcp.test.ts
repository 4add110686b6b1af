import fs from 'node:fs';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { type CallToolResult, CallToolResultSchema, type Progress, ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Job, JobDetail } from '../../../electron/contract/job';
import { BIN, alive, errand, json, stopHost } from '../../helpers/cli';
import { tempHome, until } from '../../helpers/temp-home';

// `errand mcp` black-box: the SDK's own client spawns the built CLI over stdio, against a
// real host in a temp home (the server starts it as any CLI command would).

interface Server {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
}

async function connect(home: string, name = 'vitest-client', env?: Record<string, string>): Promise<Server> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', '--home', home], cwd: home, stderr: 'pipe', ...(env ? { env: { ...getDefaultEnvironment(), ...env } } : {}) });
  let err = '';
  transport.stderr?.on('data', (d) => (err += d));
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  return { client, transport, stderr: () => err };
}

const text = (r: unknown): string => ((r as CallToolResult).content[0] as { text: string }).text;
const data = <T = Record<string, unknown>>(r: unknown): T => (r as CallToolResult).structuredContent as T;
const listed = (home: string, id: number): Job => json<Job[]>(errand(home, ['ls', '--json'])).find((j) => j.id === id)!;
const shown = (home: string, id: number): JobDetail => json<JobDetail>(errand(home, ['show', String(id), '--json']));

let home: string;
let cleanup: () => void;
let s: Server;
const call = (name: string, args: Record<string, unknown>) => s.client.callTool({ name, arguments: args });
const enqueue = async (shell: string, extra: Record<string, unknown> = {}): Promise<number> => {
  const r = await call('enqueue', { command: { shell }, cwd: '.', ...extra });
  expect(r.isError, text(r)).toBeFalsy();
  return data<{ id: number }>(r).id;
};

beforeAll(async () => {
  ({ home, cleanup } = tempHome('errand-mcp-'));
  s = await connect(home);
});
afterAll(async () => {
  await s?.client.close();
  stopHost(home);
  cleanup();
});

describe('errand mcp: tools', () => {
  test('lists every tool with its contract schema, and none that approves', async () => {
    const { tools } = await s.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['enqueue', 'status', 'list', 'get', 'logs', 'wait', 'result', 'cancel', 'retry']);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    const add = byName.enqueue!.inputSchema as { properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(add.properties.priority).toMatchObject({ type: 'integer', minimum: -1000, maximum: 1000 });
    expect(add.properties.kind).toMatchObject({ enum: ['command', 'agent'] });
    expect((add.properties.agent as { properties: Record<string, { enum?: string[] }> }).properties.with!.enum).toEqual(['codex', 'claude', 'gemini', 'opencode']);
    expect(add.required).toEqual(['cwd']);
    expect(byName.enqueue!.execution).toEqual({ taskSupport: 'optional' });
    expect((byName.wait!.inputSchema as { properties: Record<string, unknown> }).properties.timeoutSeconds).toMatchObject({ maximum: 300, default: 30 });
    expect((byName.list!.inputSchema as { properties: Record<string, unknown> }).properties.limit).toMatchObject({ maximum: 100 });
    expect((byName.logs!.inputSchema as { properties: Record<string, unknown> }).properties.limit).toMatchObject({ maximum: 65536 });
    expect(byName.enqueue!.description).toMatch(/Approvals are for the person/);
    expect(byName.wait!.description).toMatch(/no tool here approves or denies/);
    for (const t of tools) expect(t.description!.length).toBeGreaterThan(20);
    expect(s.client.getInstructions()).toMatch(/no tool here approves or denies/);
  });

  test('enqueue → status, list, get, logs, result; the job says it was added by the MCP client', async () => {
    const id = await enqueue(`printf 'one\\ntwo\\n'; echo '{"passed":12}' | errand set-result --json - --summary '12 passed'`, { title: 'unit tests', labels: ['mcp'] });
    const w = await call('wait', { id, timeoutSeconds: 20 });
    expect(data(w)).toMatchObject({ ended: true, job: { id, status: 'succeeded', title: 'unit tests', addedBy: 'mcp:vitest-client', labels: ['mcp'], cwd: home } });
    expect(data<{ summary: string }>(w).summary).toMatch(new RegExp(`^#${id} succeeded: done in \\d+s: 12 passed · result: json\\. Read it with result \\{"id": ${id}\\}\\.$`));
    expect(JSON.parse(text(w))).toEqual(data(w)); // the text is the same data, for clients without structuredContent

    const got0 = await call('get', { id });
    expect(data<{ addedBy: string; recentEvents: { type: string; by: string }[] }>(got0).recentEvents.find((e) => e.type === 'created')!.by).toBe('mcp:vitest-client');

    const st = await call('status', {});
    expect(data(st)).toMatchObject({ counts: { succeeded: 1 }, queue: { paused: false } });
    expect(data<{ summary: string; line: string }>(st).summary).toBe(data<{ line: string }>(st).line);

    const ls = await call('list', { status: ['succeeded'] });
    expect(data(ls)).toMatchObject({ jobs: [{ id, status: 'succeeded' }], nextBeforeId: null });

    const got = await call('get', { id });
    expect(data(got)).toMatchObject({ id, status: 'succeeded', exitCode: 0, result: { type: 'json', summary: '12 passed' }, attempts: [{ n: 1, status: 'succeeded' }], waitingFor: [] });

    expect(text(await call('logs', { id }))).toBe(`one\ntwo\n[#${id} attempt 1: bytes 0–8 of 8; the whole log]`);
    expect(text(await call('logs', { id, tail: 4 }))).toBe(`two\n[#${id} attempt 1: bytes 4–8 of 8; the whole log]`);
    expect(text(await call('logs', { id, offset: 0, limit: 4 }))).toBe(`one\n[#${id} attempt 1: bytes 0–4 of 8; continue with offset 4]`);

    expect(text(await call('result', { id }))).toBe(`#${id} attempt 1 json: 12 passed\n{\n  "passed": 12\n}`);
    // the agent read it; the person's inbox still holds it (`errand show` would mark it read)
    expect(listed(home, id)).toMatchObject({ unread: true, attention: 'unread-result', addedBy: 'mcp:vitest-client' });
  });

  test('logs are capped and cut on whole UTF-8 characters', async () => {
    const id = await enqueue(`node -e "process.stdout.write('é'.repeat(50000))"`);
    await call('wait', { id, timeoutSeconds: 20 });
    expect(text(await call('logs', { id, limit: 65536 }))).toMatch(/^(é){32768}\n\[#\d+ attempt 1: bytes 0–65536 of 100000; continue with offset 65536\]$/);
    // an offset inside a character moves past it; an end inside one stops before it
    expect(text(await call('logs', { id, offset: 1, limit: 6 }))).toMatch(/^éé\n\[.*bytes 2–6 of 100000; continue with offset 6\]$/);
    expect(text(await call('logs', { id, offset: 0, limit: 5 }))).toMatch(/^éé\n\[.*bytes 0–4 of/);
    expect(text(await call('logs', { id, tail: 5 }))).toMatch(/^éé\n\[.*bytes 99996–100000 of 100000; the whole log\]$/);
    expect(text(await call('logs', { id, limit: 65537 }))).toBe('Invalid logs input: limit must be at most 65536 bytes.');
  });

  test('cancel and retry', async () => {
    const id = await enqueue('sleep 30');
    await until(async () => shown(home, id).job.status === 'running', 10_000, 'running');
    const c = await call('cancel', { ids: [id] });
    expect(data(c)).toMatchObject({ jobs: [{ id, status: 'cancelled' }] });
    const r = await call('retry', { ids: [id] });
    expect(data(r)).toMatchObject({ jobs: [{ id }] });
    expect(shown(home, id).job.attempt).toBeGreaterThanOrEqual(1);
    await call('cancel', { ids: [id] });
    expect(text(await call('retry', { ids: [999] }))).toMatch(/999/);
  });

  test('bad input is a tool error that names the field', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['enqueue', { cwd: '.', priority: 5000, command: { shell: 'true' } }, 'Invalid enqueue input: priority must be at most 1000.'],
      ['enqueue', { cwd: '.' }, 'Invalid enqueue input: command is missing: give the command to run.'],
      ['enqueue', { command: { shell: 'true' } }, 'Invalid enqueue input: cwd '],
      ['enqueue', { cwd: '.', kind: 'agent', agent: { with: 'cursor', task: 'x' } }, 'Invalid enqueue input: agent.with '],
      ['get', { id: -1 }, 'Invalid get input: id must be a job id (a positive integer).'],
      ['wait', { id: 1, timeoutSeconds: 900 }, 'Invalid wait input: timeoutSeconds must be at most 300 (call wait again to keep waiting).'],
      ['list', { limit: 1000 }, 'Invalid list input: limit must be at most 100.'],
      ['list', { status: ['done'] }, 'Invalid list input: status.0 '],
      ['cancel', { ids: [] }, 'Invalid cancel input: ids name at least one job id.'],
    ];
    for (const [name, args, message] of cases) {
      const r = await call(name, args);
      expect(r.isError, name).toBe(true);
      expect(text(r).startsWith(message), `${text(r)} ⊉ ${message}`).toBe(true);
      expect(data<{ error: { code: string; field: string } }>(r).error).toMatchObject({ code: 'invalid_input' });
    }
    const missing = await call('get', { id: 424242 });
    expect(missing.isError).toBe(true);
    expect(data<{ error: { code: string } }>(missing).error.code).toBe('not_found');
    await expect(call('approve', { id: 1 })).rejects.toThrow(/No tool approve/);
  });
});

describe('errand mcp: wait', () => {
  test('sends progress notifications while it waits, and returns when the job ends', async () => {
    const id = await enqueue('for i in 1 2 3; do errand progress $i/3 files; sleep 0.4; done; echo done');
    const seen: Progress[] = [];
    const r = await s.client.callTool({ name: 'wait', arguments: { id, timeoutSeconds: 30 } }, CallToolResultSchema, { onprogress: (p) => seen.push(p) });
    expect(data(r)).toMatchObject({ ended: true, job: { status: 'succeeded', progress: '100%' } });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    const values = seen.map((p) => p.progress);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(new Set(values).size).toBe(values.length); // strictly growing, as MCP requires
    expect(seen.some((p) => p.total === 100 && p.message?.includes('files'))).toBe(true);
    expect(seen.at(-1)!.message).toMatch(new RegExp(`^#${id} `));
  });

  test('returns the state when the timeout passes first; the job goes on', async () => {
    const id = await enqueue('sleep 5');
    const t = Date.now();
    const r = await call('wait', { id, timeoutSeconds: 1 });
    expect(Date.now() - t).toBeLessThan(4000);
    expect(data(r)).toMatchObject({ ended: false, job: { id } });
    expect(data<{ summary: string }>(r).summary).toMatch(/Still going after 1s: call wait again/);
    expect(['queued', 'running']).toContain(shown(home, id).job.status);
    await call('cancel', { ids: [id] });
  });
});

describe('errand mcp: resources', () => {
  test('a job and its log as resources; a subscription hears of changes, others do not', async () => {
    const id = await enqueue('sleep 0.5; echo hello; sleep 0.3');
    const other = await enqueue('sleep 0.2');
    const updates: string[] = [];
    s.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
    await s.client.subscribeResource({ uri: `errand://jobs/${id}` });
    await s.client.subscribeResource({ uri: `errand://jobs/${id}/log` });
    await call('wait', { id, timeoutSeconds: 20 });
    await call('wait', { id: other, timeoutSeconds: 20 });
    await until(() => updates.includes(`errand://jobs/${id}/log`), 5000, 'log update');
    expect(updates).toContain(`errand://jobs/${id}`);
    expect(updates.some((u) => u.includes(`/jobs/${other}`))).toBe(false);

    const job = await s.client.readResource({ uri: `errand://jobs/${id}` });
    expect(JSON.parse((job.contents[0] as { text: string }).text)).toMatchObject({ id, status: 'succeeded' });
    const log = await s.client.readResource({ uri: `errand://jobs/${id}/log` });
    expect(log.contents[0]).toMatchObject({ mimeType: 'text/plain', text: 'hello\n' });
    const { resources } = await s.client.listResources();
    expect(resources.map((r) => r.uri)).toContain(`errand://jobs/${id}`);
    const { resourceTemplates } = await s.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(['errand://jobs/{id}', 'errand://jobs/{id}/log']);

    await s.client.unsubscribeResource({ uri: `errand://jobs/${id}` });
    await s.client.unsubscribeResource({ uri: `errand://jobs/${id}/log` });
    updates.length = 0;
    await call('retry', { ids: [id] });
    await call('wait', { id, timeoutSeconds: 20 });
    expect(updates).toEqual([]);

    await expect(s.client.readResource({ uri: 'errand://jobs/424242' })).rejects.toThrow(/424242/);
    await expect(s.client.subscribeResource({ uri: 'errand://elsewhere' })).rejects.toThrow(/Not a job resource/);
  });
});

describe('errand mcp: enqueue as a task', () => {
  test('the task ends with the job, its result the job outcome; cancelling the task cancels the job', async () => {
    const messages: string[] = [];
    let taskId = '';
    let result: CallToolResult | undefined;
    const stream = s.client.experimental.tasks.callToolStream({ name: 'enqueue', arguments: { command: { shell: 'sleep 0.5; echo out' }, cwd: '.', title: 'as a task' } }, CallToolResultSchema, { task: { ttl: 60_000 } });
    for await (const m of stream) {
      messages.push(m.type);
      if (m.type === 'taskCreated') taskId = m.task.taskId;
      if (m.type === 'result') result = m.result as CallToolResult;
      if (m.type === 'error') throw m.error;
    }
    expect(messages[0]).toBe('taskCreated');
    expect(result!.isError).toBe(false);
    expect(JSON.parse(text(result))).toMatchObject({ ended: true, job: { title: 'as a task', status: 'succeeded', addedBy: 'mcp:vitest-client' } });
    expect((await s.client.experimental.tasks.getTask(taskId)).status).toBe('completed');

    // a task the client cancels cancels its job
    const created = await s.client.request(
      { method: 'tools/call', params: { name: 'enqueue', arguments: { command: { shell: 'sleep 30' }, cwd: '.', title: 'cancel me' }, task: { ttl: 60_000 } } },
      (await import('@modelcontextprotocol/sdk/experimental/tasks/types.js')).CreateTaskResultSchema,
    );
    const jobId = json<{ id: number; title: string }[]>(errand(home, ['ls', '--json'])).find((j) => j.title === 'cancel me')!.id;
    await s.client.experimental.tasks.cancelTask(created.task.taskId);
    await until(() => shown(home, jobId).job.status === 'cancelled', 10_000, 'job cancelled');

    // a refused enqueue creates no task
    await expect(
      s.client.request(
        { method: 'tools/call', params: { name: 'enqueue', arguments: { cwd: '.', priority: 9999, command: { shell: 'true' } }, task: {} } },
        (await import('@modelcontextprotocol/sdk/experimental/tasks/types.js')).CreateTaskResultSchema,
      ),
    ).rejects.toThrow(/priority must be at most 1000/);
  });
});

describe('errand mcp: bounds', () => {
  test('a client that goes away leaves its jobs running', async () => {
    const other = await connect(home, 'short-lived');
    const r = await other.client.callTool({ name: 'enqueue', arguments: { command: { shell: 'sleep 1; echo survived' }, cwd: '.' } });
    const id = data<{ id: number }>(r).id;
    const pid = other.transport.pid!;
    process.kill(pid, 'SIGKILL');
    await until(() => !alive(pid), 5000, 'server gone');
    await other.client.close().catch(() => {});
    const w = errand(home, ['wait', String(id)]);
    expect(w.code).toBe(0);
    expect(errand(home, ['logs', String(id)]).stdout).toBe('survived\n');
    expect(shown(home, id).job.addedBy).toBe('mcp:short-lived');
  });

  test("jobs get the server's environment; its API keys reach them as secrets, never stored", async () => {
    const other = await connect(home, 'env-check', { OPENAI_API_KEY: 'sk-test-never-stored', MY_FLAG: 'on' });
    const r = await other.client.callTool({ name: 'enqueue', arguments: { command: { shell: 'echo "$MY_FLAG ${OPENAI_API_KEY:+has-key}"' }, cwd: '.' } });
    const id = data<{ id: number }>(r).id;
    await other.client.callTool({ name: 'wait', arguments: { id, timeoutSeconds: 20 } });
    await other.client.close();
    expect(errand(home, ['logs', String(id)]).stdout).toBe('on has-key\n');
    const stored = ['errand.db', 'errand.db-wal'].map((f) => (fs.existsSync(path.join(home, f)) ? fs.readFileSync(path.join(home, f), 'latin1') : '')).join('');
    expect(stored).toContain('MY_FLAG');
    expect(stored).not.toContain('sk-test-never-stored');
  });

  test('a server ends when its client closes stdin', async () => {
    const other = await connect(home, 'closer');
    const pid = other.transport.pid!;
    await other.client.callTool({ name: 'status', arguments: {} });
    await other.client.close();
    await until(() => !alive(pid), 5000, 'server exit');
  });

  test('--home scopes a server to one data dir', async () => {
    const b = tempHome('errand-mcp-b-');
    try {
      fs.writeFileSync(path.join(b.home, 'marker'), '');
      const other = await connect(b.home, 'scoped');
      const ls = data<{ jobs: unknown[] }>(await other.client.callTool({ name: 'list', arguments: {} }));
      expect(ls.jobs).toEqual([]);
      const mine = await other.client.callTool({ name: 'get', arguments: { id: 1 } });
      expect(mine.isError).toBe(true);
      expect(text(mine)).toMatch(/#1/);
      await other.client.close();
    } finally {
      stopHost(b.home);
      b.cleanup();
    }
  });

  test('--print-config prints each client its snippet', () => {
    const claude = JSON.parse(errand(home, ['mcp', '--print-config', 'claude']).stdout);
    expect(claude.mcpServers.errand).toEqual({ type: 'stdio', command: process.execPath, args: [fs.realpathSync(BIN), 'mcp', '--home', home] });
    const cursor = JSON.parse(errand(home, ['mcp', '--print-config', 'cursor']).stdout);
    expect(cursor.mcpServers.errand.args.slice(1)).toEqual(['mcp', '--home', home]);
    const codex = errand(home, ['mcp', '--print-config', 'codex']).stdout;
    expect(codex).toContain('[mcp_servers.errand]\n');
    expect(codex).toContain(`command = ${JSON.stringify(process.execPath)}\n`);
    expect(codex).toContain(`args = [${JSON.stringify(fs.realpathSync(BIN))}, "mcp", "--home", ${JSON.stringify(home)}]\n`);
    expect(codex).toMatch(/tool_timeout_sec = 330/);
    expect(errand(home, ['mcp', '--print-config', 'goose'])).toMatchObject({ code: 2, stderr: "errand: --print-config takes claude, codex, cursor, not 'goose'.\n" });
  });
});
