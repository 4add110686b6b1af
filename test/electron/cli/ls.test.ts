// `errand ls` on a store bigger than one page: --json streams every match in the same text
// as one JSON.stringify(jobs, null, 2); the table shows every unfinished job and the
// newest 50 finished, saying how many older ones --all would add.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connectSocket } from '../../../electron/client/node/socket';
import { socketPath } from '../../../electron/client/node/paths';
import type { Job } from '../../../electron/contract/job';
import { BIN, errand, stopHost } from '../../helpers/cli';
import { tempHome } from '../../helpers/temp-home';

let home: string;
let cleanup: () => void;
const QUEUED = 1540;
const CANCELLED = 60;

beforeAll(() => {
  ({ home, cleanup } = tempHome('errand-ls-'));
  expect(errand(home, ['pause']).code).toBe(0);
  const file = path.join(home, 'jobs.txt');
  fs.writeFileSync(file, Array.from({ length: QUEUED + CANCELLED }, (_, i) => `echo ${i}`).join('\n'));
  expect(errand(home, ['batch', file]).code).toBe(0);
  const ids = Array.from({ length: CANCELLED }, (_, i) => String(i + 1));
  expect(errand(home, ['cancel', ...ids]).code).toBe(0);
}, 60_000);
afterAll(() => {
  stopHost(home);
  cleanup();
});

const rows = (out: string): string[] => out.split('\n').filter((l) => /^#\d+ /.test(l));

test('--json streams every job, page by page, as the one array the host holds', async () => {
  const r = spawnSync(process.execPath, [BIN, 'ls', '--json'], { env: { ...process.env, ERRAND_HOME: home }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  expect(r.status).toBe(0);
  const session = await connectSocket(socketPath(home), { client: 'test' });
  const all = (await session.call('list', {})).jobs;
  session.close();
  expect(all).toHaveLength(QUEUED + CANCELLED);
  expect(r.stdout).toBe(`${JSON.stringify(all, null, 2)}\n`);
  const some = errand(home, ['ls', '--json', '--status', 'cancelled']);
  expect((JSON.parse(some.stdout) as Job[]).map((j) => j.id)).toEqual(Array.from({ length: CANCELLED }, (_, i) => i + 1));
  expect(errand(home, ['ls', '--json', '--status', 'failed']).stdout).toBe('[]\n');
});

test('the table: every unfinished job, the newest 50 finished, and a line about the older ones', () => {
  const r = errand(home, ['ls']);
  expect(r.code).toBe(0);
  const lines = rows(r.stdout);
  expect(lines).toHaveLength(QUEUED + 50);
  expect(lines[0]).toMatch(/^#11 +cancelled/);
  expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('… and 10 older finished jobs: errand ls --all shows them');
  const all = errand(home, ['ls', '--all']);
  expect(rows(all.stdout)).toHaveLength(QUEUED + CANCELLED);
  expect(all.stdout).not.toMatch(/older finished/);
  const done = errand(home, ['ls', '--status', 'cancelled']);
  expect(rows(done.stdout)).toHaveLength(50);
  expect(done.stdout).toMatch(/… and 10 older finished jobs/);
});

test('a reader that stops early (| head) ends the listing quietly', () => {
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" ls --json | head -c 100 >/dev/null`], { env: { ...process.env, ERRAND_HOME: home }, encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stderr).toBe('');
});
