import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { type TestEngine, openTestEngine, waitFor } from '../../helpers/engine';

let t: TestEngine;
afterEach(async () => t.dispose());

test('lists carry a result summary only; get and result carry the result itself', async () => {
  t = openTestEngine();
  const big = 'x'.repeat(200_000);
  const gate = path.join(t.home, 'go');
  const job = t.engine.add({ command: { shell: `while [ ! -e ${gate} ]; do sleep 0.02; done` }, cwd: t.home });
  const running = await waitFor(t.engine, job.id, ['running']);
  t.engine.jobResult({ jobId: job.id, attempt: running.attempt, result: { type: 'report', summary: 'big report', markdown: big } });
  fs.writeFileSync(gate, '');
  expect((await waitFor(t.engine, job.id)).status).toBe('succeeded');
  // an unread result is kept in the snapshot whatever the finished limit
  expect(t.engine.snapshot({ finishedLimit: 0 }).jobs.map((j) => j.id)).toEqual([job.id]);
  const listed = t.engine.list().find((j) => j.id === job.id)!;
  expect(listed.resultSummary).toEqual({ type: 'report', summary: 'big report' });
  expect(JSON.stringify(listed).length).toBeLessThan(5000);
  expect(JSON.stringify(t.engine.snapshot().jobs).length).toBeLessThan(5000);
  expect(t.engine.get(job.id).result).toEqual({ type: 'report', summary: 'big report', markdown: big });
  expect(t.engine.result({ id: job.id }).result).toMatchObject({ markdown: big });
});

test('snapshot: every unfinished job and unread failure, plus the newest finished ones; list pages back by id', async () => {
  t = openTestEngine();
  t.engine.pause();
  const ids = t.engine.addMany(Array.from({ length: 12 }, (_, i) => ({ command: { argv: ['sh', '-c', `exit ${i % 3 === 0 ? 1 : 0}`] }, cwd: t.home })));
  t.engine.resume();
  for (const id of ids) await waitFor(t.engine, id);
  const failed = ids.filter((_, i) => i % 3 === 0);
  // plain successes stay unread: nothing in them to miss, so only the newest are kept
  t.engine.markRead([failed[0]!]); // one failure already looked at
  t.engine.pause();
  const queued = t.engine.add({ command: { argv: ['true'] }, cwd: t.home });

  const snap = t.engine.snapshot({ finishedLimit: 2 });
  expect(snap.finishedTotal).toBe(12);
  expect(snap.cursor).toBeNull();
  const got = snap.jobs.map((j) => j.id).sort((a, b) => a - b);
  // sorted by id; the queued job; the unread failures; the two newest finished
  expect(got).toEqual([...new Set([...failed.slice(1), ids[10]!, ids[11]!, queued.id])].sort((a, b) => a - b));

  const newest = t.engine.list({ status: ['succeeded', 'failed'], order: 'newest', limit: 5 });
  expect(newest.map((j) => j.id)).toEqual(ids.slice(-5).reverse());
  const older = t.engine.list({ status: ['succeeded', 'failed'], order: 'newest', limit: 5, beforeId: newest.at(-1)!.id });
  expect(older.map((j) => j.id)).toEqual(ids.slice(2, 7).reverse());
  expect(t.engine.list({ unread: true, status: ['failed'] }).map((j) => j.id)).toEqual(failed.slice(1));
  expect(t.engine.list({ unread: true }).length).toBe(11);
  expect(() => t.engine.list({ beforeId: -3 })).toThrow(/beforeId must be a job id/);
});
