import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { closeAttempt, recordLeaderExit } from '../../../electron/core/store/attempts';
import { decideApproval } from '../../../electron/core/store/approvals';
import { cancelJob, succeedJob } from '../../../electron/core/store/job-transitions';
import { markRead, setJobPgid, setPlan, setResult, writeProgress } from '../../../electron/core/store/job-updates';
import { removeJobs } from '../../../electron/core/store/jobs';
import { openTestEngine, storeOf, storeState, type TestEngine, until, waitFor } from '../../helpers/engine';

// Every write the store makes is guarded: a transition only from its legal statuses, and
// the writes that belong to a run (plan, result, progress, pgid) only while that very
// attempt is live, so a late report from an ended attempt changes nothing.

let t: TestEngine;
afterEach(() => t.dispose());

describe('guarded writes', () => {
  test('writes of an ended attempt change nothing', async () => {
    t = openTestEngine();
    const job = t.engine.add({ command: { argv: ['true'] }, cwd: t.home });
    await waitFor(t.engine, job.id);
    const { sql } = storeOf(t.engine);
    const before = storeState(t.engine);
    expect(setPlan(sql, job.id, 1, ['late'])).toBe(false);
    expect(setResult(sql, job.id, 1, JSON.stringify({ type: 'none', summary: 'late' }))).toBe(false);
    writeProgress(sql, [[job.id, { attempt: 1, progress: { done: 1, total: 2, unit: null, label: null } }]]);
    setJobPgid(sql, job.id, 1, 4242);
    expect(closeAttempt(sql, job.id, 1, { status: 'failed', finishedAt: 1, exitCode: 9, signal: null, error: 'late', result: null })).toBe(false);
    recordLeaderExit(sql, job.id, 1, { exitCode: 9, signal: null, at: 1 });
    expect(storeState(t.engine)).toEqual(before);
  });

  test('a live attempt takes its own writes, not those of another attempt number', async () => {
    t = openTestEngine();
    const gate = path.join(t.home, 'go');
    const job = t.engine.add({ command: { shell: `while [ ! -e ${gate} ]; do sleep 0.02; done` }, cwd: t.home });
    await waitFor(t.engine, job.id, ['running']);
    const { sql } = storeOf(t.engine);
    expect(setPlan(sql, job.id, 2, ['other attempt'])).toBe(false);
    expect(setPlan(sql, job.id, 1, ['mine'])).toBe(true);
    expect(t.engine.get(job.id).job.plan).toEqual(['mine']);
    expect(() => t.engine.jobPlan({ jobId: job.id, attempt: 2, steps: ['x'] })).toThrow(/attempt 2 is not running/);
    fs.writeFileSync(gate, '');
    await waitFor(t.engine, job.id);
  });

  test('a transition applies once: the second of two racing ends is refused and changes nothing', async () => {
    t = openTestEngine();
    t.engine.pause();
    const job = t.engine.add({ command: { argv: ['true'] }, cwd: t.home });
    const { sql } = storeOf(t.engine);
    cancelJob(sql, job.id, 'a', null, Date.now());
    const before = storeState(t.engine);
    expect(() => cancelJob(sql, job.id, 'b', null, Date.now())).toThrow(/it is cancelled/);
    expect(() => succeedJob(sql, job.id, { exitCode: 0, signal: null }, null, Date.now())).toThrow(/it is cancelled/);
    expect(storeState(t.engine)).toEqual(before);
  });

  test('mark read only marks finished jobs; remove only removes finished ones; a decision is made once', async () => {
    t = openTestEngine();
    t.engine.pause();
    const queued = t.engine.add({ command: { argv: ['true'] }, cwd: t.home });
    const { sql } = storeOf(t.engine);
    expect(markRead(sql, [queued.id], Date.now())).toEqual([]);
    expect(removeJobs(sql, [queued.id])).toEqual([]);
    expect(t.engine.get(queued.id).job.status).toBe('queued');
    t.engine.resume();
    await waitFor(t.engine, queued.id);
    expect(t.engine.get(queued.id).job.unread).toBe(true); // looked at while queued: still unread once done
    const asking = t.engine.add({ command: { shell: 'sleep 30' }, cwd: t.home });
    const running = await waitFor(t.engine, asking.id, ['running']);
    const approvalId = t.engine.jobAsk({ jobId: asking.id, attempt: running.attempt, question: 'ok?' });
    t.engine.approve(asking.id);
    expect(decideApproval(sql, approvalId, 'denied', null, 'late', Date.now())).toBe(false);
    expect(t.engine.get(asking.id).approvals[0]).toMatchObject({ decision: 'approved' });
    await t.engine.cancel([asking.id]);
  });
});

describe('approval waiters', () => {
  test('a waiter whose caller goes away is dropped, not left behind', async () => {
    t = openTestEngine();
    const job = t.engine.add({ command: { shell: 'sleep 30' }, cwd: t.home });
    const running = await waitFor(t.engine, job.id, ['running']);
    const approvalId = t.engine.jobAsk({ jobId: job.id, attempt: running.attempt, question: 'Deploy?' });
    const gone = new AbortController();
    const stays = t.engine.awaitDecision(approvalId);
    const leaves = t.engine.awaitDecision(approvalId, gone.signal);
    expect(t.engine.diagnostics().decisionWaiters).toBe(2);
    gone.abort();
    await expect(leaves).rejects.toMatchObject({ code: 'busy' });
    expect(t.engine.diagnostics().decisionWaiters).toBe(1);
    t.engine.approve(job.id, 'fine');
    await expect(stays).resolves.toEqual({ decision: 'approved', note: 'fine' });
    expect(t.engine.diagnostics().decisionWaiters).toBe(0);
    await t.engine.cancel([job.id]);
    await until(() => t.engine.diagnostics().idle || undefined, 5000, 'idle');
  });
});
