import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { METHOD_NAMES, type MethodName, methods } from '../../../electron/contract/api';
import { HostEvent } from '../../../electron/contract/events';
import { type Host, startHost } from '../../../electron/host/host';
import { tempHome, until } from '../../helpers/temp-home';

// Every handler's output and every event the host sends must match the contract's
// schema exactly (no field missing, none extra, no wrong type): the window, the CLI and
// the tray trust these shapes without parsing them again.

let host: Host;
let home: string;
let cleanup: () => void;
const events: unknown[] = [];
const called = new Set<MethodName>();

/** Calls through the host (input validated as at dispatch) and checks the output against its schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test step reads the fields it needs
async function call<K extends MethodName>(method: K, input: unknown): Promise<any> {
  const out = await host.call(method, input as never, { by: 'test' });
  const parsed = methods[method].output.safeParse(out);
  if (!parsed.success) throw new Error(`${method} output does not match its schema: ${JSON.stringify(parsed.error.issues.slice(0, 3))}\n${JSON.stringify(out).slice(0, 500)}`);
  // zod drops keys the schema does not know: equal means nothing extra was sent
  expect(JSON.parse(JSON.stringify(parsed.data)), `${method} sends fields the contract does not name`).toEqual(JSON.parse(JSON.stringify(out)));
  called.add(method);
  return out;
}

beforeAll(async () => {
  ({ home, cleanup } = tempHome('errand-conformance-'));
  host = await startHost({ home, socket: false, killGraceMs: 300, coalesceMs: 10 });
  host.listen((e) => events.push(e));
});
afterAll(async () => {
  await host?.close();
  cleanup?.();
});

test('every method and every event conforms to the contract', async () => {
  const cwd = home;
  await call('hello', { protocolVersion: (await import('../../../electron/contract/protocol')).PROTOCOL_VERSION, client: 'test' });
  await call('pause', {});
  const a = await call('add', { title: 'a', command: { shell: 'echo hi; sleep 0.2' }, cwd, labels: ['x'], plan: ['one', 'two'] });
  const { ids } = await call('addMany', { jobs: [{ command: { argv: ['true'] }, cwd }, { command: { argv: ['false'] }, cwd, after: [a.id] }] });
  await call('hold', { ids: [ids[0]] });
  await call('release', { ids: [ids[0]] });
  await call('prioritise', { id: ids[0], priority: 5 });
  await call('setConcurrency', { concurrency: 3 });
  await call('queue', {});
  await call('resume', {});
  await until(async () => ((await host.call('get', { id: a.id })).job.status === 'running' ? true : undefined), 10_000, 'a running');
  const running = (await call('get', { id: a.id })).job;
  await call('jobProgress', { jobId: a.id, attempt: running.attempt, done: 1, total: 2, unit: 'files' });
  await call('jobStep', { jobId: a.id, attempt: running.attempt, name: 'one' });
  await call('jobPlan', { jobId: a.id, attempt: running.attempt, steps: ['one', 'two', 'three'] });
  await call('jobResult', { jobId: a.id, attempt: running.attempt, result: { type: 'json', summary: 'data', value: { n: 1 } } });
  const { approvalId } = await call('jobAsk', { jobId: a.id, attempt: running.attempt, question: 'ok?', context: 'diff' });
  await call('approvals', {});
  const waiting = call('awaitDecision', { approvalId });
  await call('approve', { id: a.id, note: 'yes' });
  await waiting;
  await until(async () => ((await host.call('get', { id: a.id })).job.status === 'succeeded' ? true : undefined), 10_000, 'a done');
  await call('list', {});
  await call('list', { status: ['succeeded'], order: 'newest', limit: 1 });
  await call('logs', { id: a.id });
  await call('get', { id: a.id });
  await call('status', {});
  const snap = await call('snapshot', { pageSize: 1 });
  expect(snap.cursor).not.toBeNull();
  await call('snapshotPage', { cursor: snap.cursor, pageSize: 1 });
  await call('result', { id: a.id });
  await call('markRead', { ids: [a.id] });
  await call('retry', { ids: [a.id] });
  await call('cancel', { ids: [a.id] });
  // a second question, denied
  const b = await call('add', { command: { shell: 'sleep 5' }, cwd });
  await until(async () => ((await host.call('get', { id: b.id })).job.status === 'running' ? true : undefined), 10_000, 'b running');
  await call('jobAsk', { jobId: b.id, attempt: 1, question: 'sure?' });
  await call('deny', { id: b.id });
  await call('cancel', { ids: [b.id] });
  await until(async () => ((await host.call('list', {})).jobs.every((j) => ['succeeded', 'failed', 'cancelled'].includes(j.status)) ? true : undefined), 10_000, 'all finished');
  // a patch result, applied to the tree it came from
  const repo = path.join(home, 'repo');
  fs.mkdirSync(repo);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1', HOME: repo } });
  git('init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(repo, 'a.txt'), 'one\n');
  git('add', '-A');
  git('commit', '-qm', 'base');
  const p = await call('add', { command: { shell: 'echo two >> a.txt' }, cwd: repo, capturePatch: true });
  await until(async () => ((await host.call('get', { id: p.id })).job.status === 'succeeded' ? true : undefined), 10_000, 'patch job done');
  git('checkout', '--', 'a.txt'); // the user's tree as it was, whether or not the job ran in it
  expect(await call('apply', { id: p.id })).toMatchObject({ outcome: 'applied', files: ['a.txt'] });
  expect(fs.readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe('one\ntwo\n');
  await call('settings', {});
  expect(await call('setSettings', { values: { 'agents.codex.model': 'gpt-5.1' } })).toEqual({ agents: { codex: { model: 'gpt-5.1' } } });
  await call('remove', { ids: [b.id] });
  await call('clean', { olderThanMs: 0 });
  await call('shutdown', {});
  await host.closed;

  expect(METHOD_NAMES.filter((m) => !called.has(m))).toEqual([]);
  expect(events.length).toBeGreaterThan(10);
  const types = new Set<string>();
  for (const e of events) {
    const parsed = HostEvent.safeParse(e);
    if (!parsed.success) throw new Error(`event does not match the contract: ${JSON.stringify(parsed.error.issues.slice(0, 3))}\n${JSON.stringify(e).slice(0, 500)}`);
    expect(JSON.parse(JSON.stringify(parsed.data))).toEqual(JSON.parse(JSON.stringify(e)));
    types.add((e as { type: string }).type);
  }
  expect([...types].sort()).toEqual(['approval', 'job', 'log', 'queue', 'removed', 'status']);
  expect(fs.existsSync(path.join(home, 'errand.db'))).toBe(true);
});
