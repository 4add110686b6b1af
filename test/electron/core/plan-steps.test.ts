import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { TestApi as Engine } from '../../helpers/test-api';
import { jobOf, openTestEngine, type TestEngine, waitFor } from '../../helpers/engine';

let t: TestEngine;
let engine: Engine;
beforeEach(() => {
  t = openTestEngine();
  engine = t.engine;
});
afterEach(() => t.dispose());

const gated = (name: string, then = 'true'): string => `while [ ! -e ${name} ]; do sleep 0.02; done; ${then}`;
const steps = (id: number): string[] => engine.get(id).steps.map((s) => `${s.attempt}:${s.index}:${s.name}:${s.status}`);

describe('plan and record', () => {
  test('planned steps and recorded steps are kept apart; the plan may change, the record never rewrites', async () => {
    const job = engine.add({ command: { shell: gated('go', 'exit 1') }, cwd: t.home, plan: ['fetch', 'build', 'test'] });
    expect(job.plan).toEqual(['fetch', 'build', 'test']);
    expect(steps(job.id)).toEqual(['1:0:fetch:planned', '1:1:build:planned', '1:2:test:planned']);
    await waitFor(engine, job.id, ['running']);
    const at = { jobId: job.id, attempt: 1 };
    engine.jobStep({ ...at, name: 'fetch' });
    expect(jobOf(engine, job.id).activity).toBe('step: fetch');
    engine.jobStep({ ...at, name: 'build' }); // closes fetch as done
    engine.jobStep({ ...at, name: 'build', status: 'done' });
    engine.jobStep({ ...at, name: 'lint', status: 'skipped' }); // unplanned, recorded as it came
    expect(steps(job.id)).toEqual(['1:0:fetch:done', '1:1:build:done', '1:2:lint:skipped', '1:3:test:planned']);
    const recordBefore = engine.get(job.id).steps.filter((s) => s.status !== 'planned');

    // the job revises its plan: the record stays exactly as it was
    engine.jobPlan({ ...at, steps: ['fetch', 'build', 'test', 'package'] });
    expect(jobOf(engine, job.id).plan).toEqual(['fetch', 'build', 'test', 'package']);
    expect(engine.get(job.id).steps.filter((s) => s.status !== 'planned')).toEqual(recordBefore);
    // reporting on a finished step again appends; it does not rewrite the old entry
    engine.jobStep({ ...at, name: 'build', status: 'failed' });
    expect(engine.get(job.id).steps.filter((s) => s.status !== 'planned').slice(0, 3)).toEqual(recordBefore);
    expect(steps(job.id)).toEqual(['1:0:fetch:done', '1:1:build:done', '1:2:lint:skipped', '1:3:build:failed', '1:4:test:planned', '1:5:package:planned']);
    engine.jobStep({ ...at, name: 'test' });
    fs.writeFileSync(path.join(t.home, 'go'), '');
    await waitFor(engine, job.id);
    // the job failed: its open step is closed as failed; planned ones not taken are not shown as done
    expect(steps(job.id)).toEqual(['1:0:fetch:done', '1:1:build:done', '1:2:lint:skipped', '1:3:build:failed', '1:4:test:failed']);
    const events = engine.get(job.id).events;
    expect(events.filter((e) => e.type === 'plan').map((e) => e.data.steps)).toEqual([['fetch', 'build', 'test', 'package']]);
    expect(events.filter((e) => e.type === 'step').map((e) => `${e.data.name}:${e.data.status}`)).toEqual([
      'fetch:running',
      'build:running',
      'build:done',
      'lint:skipped',
      'build:failed',
      'test:running',
    ]);
  });

  test('a retry records its steps under the new attempt and keeps the old ones', async () => {
    const job = engine.add({ command: { shell: gated('go-$ERRAND_ATTEMPT') }, cwd: t.home, plan: ['only'] });
    await waitFor(engine, job.id, ['running']);
    engine.jobStep({ jobId: job.id, attempt: 1, name: 'only' });
    fs.writeFileSync(path.join(t.home, 'go-1'), '');
    await waitFor(engine, job.id);
    expect(steps(job.id)).toEqual(['1:0:only:done']);
    engine.retry([job.id]);
    expect(steps(job.id)).toEqual(['1:0:only:done', '2:0:only:planned']);
    await waitFor(engine, job.id, ['running']);
    engine.jobStep({ jobId: job.id, attempt: 2, name: 'only' });
    fs.writeFileSync(path.join(t.home, 'go-2'), '');
    await waitFor(engine, job.id);
    expect(steps(job.id)).toEqual(['1:0:only:done', '2:0:only:done']);
  });

  test('reports for an attempt that is not running are refused', async () => {
    const job = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    await waitFor(engine, job.id);
    expect(() => engine.jobStep({ jobId: job.id, attempt: 1, name: 'late' })).toThrow(/attempt 1 is not running \(the job is succeeded, attempt 1\)/);
    expect(() => engine.jobPlan({ jobId: job.id, attempt: 1, steps: ['x'] })).toThrow(/not running/);
    expect(steps(job.id)).toEqual([]);
  });
});
