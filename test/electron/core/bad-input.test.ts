import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ErrandError } from '../../../electron/contract/errors';
import type { TestApi as Engine } from '../../helpers/test-api';
import { openTestEngine, storeState, type TestEngine, waitFor } from '../../helpers/engine';

// One engine with a few jobs in known states; every bad call must leave it exactly so.
let t: TestEngine;
let engine: Engine;
let done: number;
let queued: number;
beforeAll(async () => {
  t = openTestEngine();
  engine = t.engine;
  done = engine.add({ command: { argv: ['true'] }, cwd: t.home }).id;
  await waitFor(engine, done);
  engine.pause();
  queued = engine.add({ command: { argv: ['true'] }, cwd: t.home }).id;
});
afterAll(() => t.dispose());

type Expect = { code: string; field?: string | undefined; message?: RegExp };

async function rejects(fn: () => unknown, want: Expect): Promise<void> {
  const before = storeState(engine);
  let err: unknown = null;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'the call should have been refused').toBeInstanceOf(ErrandError);
  const e = err as ErrandError;
  expect(e.code).toBe(want.code);
  if ('field' in want) expect(e.field).toBe(want.field);
  if (want.message) expect(e.message).toMatch(want.message);
  expect(storeState(engine), 'a refused call changed the store').toEqual(before);
}

const cmd = (): { command: { argv: string[] }; cwd: string } => ({ command: { argv: ['true'] }, cwd: t.home });

describe('add / addMany', () => {
  test.each<[string, () => unknown, Expect]>([
    ['empty argv', () => engine.add({ command: { argv: [] }, cwd: t.home }), { code: 'invalid_input', field: 'command.argv', message: /empty/ }],
    ['blank program', () => engine.add({ command: { argv: ['  '] }, cwd: t.home }), { code: 'invalid_input', field: 'command.argv.0', message: /empty/ }],
    ['empty shell line', () => engine.add({ command: { shell: '' }, cwd: t.home }), { code: 'invalid_input', field: 'command.shell' }],
    ['both argv and shell', () => engine.add({ command: { argv: ['true'], shell: 'true' }, cwd: t.home }), { code: 'invalid_input', field: 'command.argv', message: /exactly one/ }],
    ['no command', () => engine.add({ cwd: t.home } as never), { code: 'invalid_input', field: 'command' }],
    ['missing cwd', () => engine.add({ command: { argv: ['true'] } } as never), { code: 'invalid_input', field: 'cwd' }],
    ['empty cwd', () => engine.add({ command: { argv: ['true'] }, cwd: '' }), { code: 'invalid_input', field: 'cwd' }],
    ['nonexistent cwd', () => engine.add({ command: { argv: ['true'] }, cwd: path.join(t.home, 'nope') }), { code: 'invalid_input', field: 'cwd', message: /not an existing directory/ }],
    ['cwd is a file', () => engine.add({ command: { argv: ['true'] }, cwd: path.join(t.home, 'errand.db') }), { code: 'invalid_input', field: 'cwd' }],
    ['priority too high', () => engine.add({ ...cmd(), priority: 1001 }), { code: 'invalid_input', field: 'priority', message: /at most 1000/ }],
    ['priority too low', () => engine.add({ ...cmd(), priority: -1001 }), { code: 'invalid_input', field: 'priority' }],
    ['fractional priority', () => engine.add({ ...cmd(), priority: 1.5 }), { code: 'invalid_input', field: 'priority' }],
    ['nonexistent after', () => engine.add({ ...cmd(), after: [done, 9999] }), { code: 'not_found', field: 'after.1', message: /#9999/ }],
    ['after not an id', () => engine.add({ ...cmd(), after: [0] }), { code: 'invalid_input', field: 'after.0' }],
    ['negative retries', () => engine.add({ ...cmd(), retries: -1 }), { code: 'invalid_input', field: 'retries' }],
    ['zero timeout', () => engine.add({ ...cmd(), timeoutMs: 0 }), { code: 'invalid_input', field: 'timeoutMs' }],
    ['negative delay', () => engine.add({ ...cmd(), delayMs: -5 }), { code: 'invalid_input', field: 'delayMs' }],
    ['bad env', () => engine.add({ ...cmd(), env: { A: 1 as unknown as string } }), { code: 'invalid_input', field: 'env.A' }],
    ['empty label', () => engine.add({ ...cmd(), labels: [''] }), { code: 'invalid_input', field: 'labels.0' }],
    ['addMany: nothing', () => engine.addMany([]), { code: 'invalid_input', field: 'jobs' }],
    ['addMany: one bad cwd refuses all', () => engine.addMany([cmd(), { ...cmd(), cwd: '/no/such/dir' }]), { code: 'invalid_input', field: 'jobs.1.cwd' }],
    ['addMany: one bad dependency refuses all', () => engine.addMany([cmd(), cmd(), { ...cmd(), after: [424242] }]), { code: 'not_found', field: 'jobs.2.after.0' }],
    ['addMany: empty argv names the job', () => engine.addMany([cmd(), { command: { argv: [] }, cwd: t.home }]), { code: 'invalid_input', field: 'jobs.1.command.argv' }],
    ['addMany: schema error names the job', () => engine.addMany([cmd(), { ...cmd(), priority: 5000 }]), { code: 'invalid_input', field: 'jobs.1.priority' }],
  ])('%s', (_name, fn, want) => rejects(fn, want));
});

describe('reading', () => {
  test.each<[string, () => unknown, Expect]>([
    ['get: unknown id', () => engine.get(777), { code: 'not_found', field: 'id', message: /No job #777/ }],
    ['get: not an id', () => engine.get(-1), { code: 'invalid_input', field: 'id' }],
    ['get: not a number', () => engine.get('3' as unknown as number), { code: 'invalid_input', field: 'id' }],
    ['list: unknown status', () => engine.list({ status: ['bogus' as never] }), { code: 'invalid_input', field: 'status.0' }],
    ['list: zero limit', () => engine.list({ limit: 0 }), { code: 'invalid_input', field: 'limit' }],
    ['logs: unknown id', () => engine.readLog({ id: 777 }), { code: 'not_found', field: 'id' }],
    ['logs: attempt that never ran', () => engine.readLog({ id: done, attempt: 5 }), { code: 'not_found', field: 'attempt' }],
    ['logs: negative offset', () => engine.readLog({ id: done, offset: -1 }), { code: 'invalid_input', field: 'offset' }],
    ['result: unknown id', () => engine.result({ id: 777 }), { code: 'not_found', field: 'id' }],
    ['result: attempt that never ran', () => engine.result({ id: done, attempt: 3 }), { code: 'not_found', field: 'attempt' }],
  ])('%s', (_name, fn, want) => rejects(fn, want));
});

describe('steering', () => {
  test.each<[string, () => unknown, Expect]>([
    ['cancel: unknown id', () => engine.cancel([queued, 777]), { code: 'not_found', field: 'ids.1' }],
    ['cancel: no ids', () => engine.cancel([]), { code: 'invalid_input', field: 'ids' }],
    ['retry: unknown id', () => engine.retry([777]), { code: 'not_found', field: 'ids.0' }],
    ['retry: not finished', () => engine.retry([done, queued]), { code: 'illegal_transition', message: /it is queued/ }],
    ['hold: unknown id', () => engine.hold([777]), { code: 'not_found', field: 'ids.0' }],
    ['hold: finished', () => engine.hold([done]), { code: 'illegal_transition', message: /it is succeeded/ }],
    ['release: unknown id', () => engine.release([queued, 778]), { code: 'not_found', field: 'ids.1' }],
    ['prioritise: unknown id', () => engine.prioritise(777, 1), { code: 'not_found', field: 'id' }],
    ['prioritise: out of range', () => engine.prioritise(queued, 100_000), { code: 'invalid_input', field: 'priority' }],
    ['markRead: unknown id', () => engine.markRead([done, 777]), { code: 'not_found', field: 'ids.1' }],
    ['setConcurrency: zero', () => engine.setConcurrency(0), { code: 'invalid_input', field: 'concurrency', message: /at least 1/ }],
    ['setConcurrency: too many', () => engine.setConcurrency(65), { code: 'invalid_input', field: 'concurrency' }],
    ['setConcurrency: fraction', () => engine.setConcurrency(1.5), { code: 'invalid_input', field: 'concurrency' }],
    ['remove: unknown id', () => engine.remove([done, 777]), { code: 'not_found', field: 'ids.1' }],
    ['remove: unfinished', () => engine.remove([done, queued]), { code: 'illegal_transition', message: /Cancel it first/ }],
    ['clean: negative age', () => engine.clean(-1), { code: 'invalid_input', field: 'olderThanMs' }],
  ])('%s', (_name, fn, want) => rejects(fn, want));
});

describe('approvals and reports from jobs', () => {
  test.each<[string, () => unknown, Expect]>([
    ['approve: unknown id', () => engine.approve(777), { code: 'not_found', field: 'id' }],
    ['approve: not waiting', () => engine.approve(queued), { code: 'illegal_transition', message: /it is queued, not waiting/ }],
    ['deny: note too long', () => engine.deny(queued, 'x'.repeat(3000)), { code: 'invalid_input', field: 'note' }],
    ['awaitDecision: unknown approval', () => engine.awaitDecision(99), { code: 'not_found', field: 'approvalId' }],
    ['jobProgress: unknown job', () => engine.jobProgress({ jobId: 777, attempt: 1, done: 1 }), { code: 'not_found', field: 'jobId' }],
    ['jobProgress: negative', () => engine.jobProgress({ jobId: done, attempt: 1, done: -1 }), { code: 'invalid_input', field: 'done' }],
    ['jobProgress: job not running', () => engine.jobProgress({ jobId: done, attempt: 1, done: 1 }), { code: 'illegal_transition', message: /not running/ }],
    ['jobStep: empty name', () => engine.jobStep({ jobId: done, attempt: 1, name: '' }), { code: 'invalid_input', field: 'name' }],
    ['jobStep: "planned" is not a report', () => engine.jobStep({ jobId: done, attempt: 1, name: 'x', status: 'planned' as never }), { code: 'invalid_input', field: 'status' }],
    ['jobPlan: not running', () => engine.jobPlan({ jobId: queued, attempt: 0 as never, steps: [] }), { code: 'invalid_input', field: 'attempt' }],
    ['jobAsk: empty question', () => engine.jobAsk({ jobId: done, attempt: 1, question: '' }), { code: 'invalid_input', field: 'question' }],
    ['jobAsk: not running', () => engine.jobAsk({ jobId: done, attempt: 1, question: 'ok?' }), { code: 'illegal_transition' }],
    ['jobResult: bad result', () => engine.jobResult({ jobId: done, attempt: 1, result: { type: 'patch' } as never }), { code: 'invalid_input', field: 'result.summary' }],
    ['jobResult: unknown job', () => engine.jobResult({ jobId: 777, attempt: 1, result: { type: 'none', summary: '' } }), { code: 'not_found', field: 'jobId' }],
  ])('%s', (_name, fn, want) => rejects(fn, want));
});

test('the good path still works on the same engine afterwards', async () => {
  engine.resume();
  expect((await waitFor(engine, queued)).status).toBe('succeeded');
  expect(engine.list().map((j) => j.id)).toEqual([done, queued]);
});
