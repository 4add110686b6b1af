import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Job } from '../../../electron/contract/job';
import { type TestApi as Engine, openEngine } from '../../helpers/test-api';
import { tempHome, until } from '../../helpers/temp-home';

let home: string;
let cleanup: () => void;
let engine: Engine;

beforeEach(() => {
  ({ home, cleanup } = tempHome());
  engine = openEngine({ home, killGraceMs: 500 });
});
afterEach(async () => {
  await engine.close();
  cleanup();
});

const settled = (id: number): Promise<Job> =>
  until(() => {
    const j = engine.list().find((x) => x.id === id);
    return j && ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(j.status) ? j : undefined;
  }, 15_000, `job #${id} to finish`);

describe('engine basics', () => {
  test('runs a shell command, records exit code and byte-exact log', async () => {
    const job = engine.add({ command: { shell: "printf 'a\\0b\\377\\n'; echo err >&2" }, cwd: home });
    expect(job.id).toBe(1);
    expect(job.status).toBe('queued');
    const done = await settled(job.id);
    expect(done.status).toBe('succeeded');
    expect(done.exitCode).toBe(0);
    const log = engine.readLog({ id: job.id });
    expect(log.data).toEqual(Buffer.concat([Buffer.from([0x61, 0, 0x62, 0xff, 0x0a]), Buffer.from('err\n')]));
    expect(log.done).toBe(true);
  });

  test('a failing command fails with its exit code in the error', async () => {
    const job = engine.add({ command: { argv: ['sh', '-c', 'exit 3'] }, cwd: home });
    const done = await settled(job.id);
    expect(done.status).toBe('failed');
    expect(done.exitCode).toBe(3);
    expect(done.error).toBe('exited with code 3');
  });

  test('a missing program fails with a clear reason', async () => {
    const job = engine.add({ command: { argv: ['definitely-not-a-program-xyz'] }, cwd: home });
    const done = await settled(job.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/command not found: definitely-not-a-program-xyz/);
  });

  test('ids are monotonic and never reused after removal', async () => {
    const a = engine.add({ command: { argv: ['true'] }, cwd: home });
    await settled(a.id);
    engine.remove([a.id]);
    expect(fs.existsSync(`${home}/logs/${a.id}`)).toBe(false);
    const b = engine.add({ command: { argv: ['true'] }, cwd: home });
    expect(b.id).toBe(a.id + 1);
  });
});
