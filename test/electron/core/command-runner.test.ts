import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { TestApi as Engine } from '../../helpers/test-api';
import { startCommand } from '../../../electron/core/runners/command-runner';
import { groupAlive, liveMembers, reapOrphanGroups, signalGroup } from '../../../electron/core/runners/process-group';
import { openTestEngine, storeOf, processGone, readText, type TestEngine, until, waitFor } from '../../helpers/engine';

let t: TestEngine;
let engine: Engine;
/** Whether the engine starts jobs through its spawner helper (the default) or directly. */
let viaSpawner = true;
beforeEach(() => {
  t = openTestEngine({ spawner: viaSpawner });
  engine = t.engine;
});
afterEach(() => t.dispose());

const pidFrom = (name: string): Promise<number> => until(() => Number(readText(path.join(t.home, name)).trim()) || undefined, 10_000, name);
const pgidOf = (pid: number): number => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);

describe.each([
  ['through the spawner helper', true],
  ['spawned directly', false],
])('command jobs, %s', (_how, spawner) => {
  beforeEach(async () => {
    if (viaSpawner === spawner) return;
    viaSpawner = spawner;
    await t.dispose();
    t = openTestEngine({ spawner });
    engine = t.engine;
  });
  afterEach(() => {
    viaSpawner = true;
  });

  test('argv runs the program directly, no shell', async () => {
    const job = engine.add({ command: { argv: ['printf', '%s|', 'a b', '$HOME', '*'] }, cwd: t.home });
    expect(job.command).toBe(`printf '%s|' 'a b' '$HOME' '*'`);
    await waitFor(engine, job.id);
    expect(engine.readLog({ id: job.id }).data.toString()).toBe('a b|$HOME|*|');
  });

  test('a shell line runs through /bin/sh with its own cwd and env', async () => {
    const sub = path.join(t.home, 'sub');
    fs.mkdirSync(sub);
    const job = engine.add({ command: { shell: 'echo "$GREETING from $(pwd)" | tr a-z A-Z' }, cwd: sub, env: { GREETING: 'hello' } });
    await waitFor(engine, job.id);
    expect(engine.readLog({ id: job.id }).data.toString()).toBe(`HELLO FROM ${sub.toUpperCase()}\n`);
  });

  test('the log is byte-exact: binary, stdout and stderr interleaved in order, no trailing newline added', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    fs.writeFileSync(path.join(t.home, 'all.bin'), bytes);
    const job = engine.add({ command: { shell: 'cat all.bin; printf E1 >&2; printf O1; printf E2 >&2' }, cwd: t.home });
    await waitFor(engine, job.id);
    const log = engine.readLog({ id: job.id });
    expect(log.data.equals(Buffer.concat([bytes, Buffer.from('E1O1E2')]))).toBe(true);
    expect(log).toMatchObject({ size: 262, done: true, attempt: 1 });
    // paging: offset + limit
    expect(engine.readLog({ id: job.id, offset: 256, limit: 4 }).data.toString()).toBe('E1O1');
    expect(engine.readLog({ id: job.id, offset: 256, limit: 4 }).done).toBe(false);
  });

  test('ERRAND_JOB_ID, ERRAND_ATTEMPT and ERRAND_HOME are set in the job', async () => {
    const job = engine.add({ command: { shell: 'echo "$ERRAND_JOB_ID $ERRAND_ATTEMPT $ERRAND_HOME"' }, cwd: t.home });
    await waitFor(engine, job.id);
    expect(engine.readLog({ id: job.id }).data.toString()).toBe(`${job.id} 1 ${engine.home}\n`);
    engine.retry([job.id]);
    await waitFor(engine, job.id);
    expect(engine.readLog({ id: job.id }).data.toString()).toBe(`${job.id} 2 ${engine.home}\n`);
  });

  test('the exit code decides; a signal is recorded', async () => {
    const ok = engine.add({ command: { shell: 'echo fine; exit 0' }, cwd: t.home });
    const bad = engine.add({ command: { shell: 'exit 42' }, cwd: t.home });
    const killed = engine.add({ command: { shell: 'kill -USR1 $$' }, cwd: t.home });
    expect(await waitFor(engine, ok.id)).toMatchObject({ status: 'succeeded', exitCode: 0, signal: null });
    expect(await waitFor(engine, bad.id)).toMatchObject({ status: 'failed', exitCode: 42, error: 'exited with code 42' });
    expect(await waitFor(engine, killed.id)).toMatchObject({ status: 'failed', exitCode: null, signal: 'SIGUSR1', error: 'killed by SIGUSR1' });
    expect(engine.get(killed.id).attempts[0]).toMatchObject({ signal: 'SIGUSR1', status: 'failed' });
  });

  test('each job leads its own process group', async () => {
    const job = engine.add({ command: { shell: 'echo $$ > leader.pid; sleep 0.2 & echo $! > child.pid; wait' }, cwd: t.home });
    const leader = await pidFrom('leader.pid');
    const child = await pidFrom('child.pid');
    expect(pgidOf(leader)).toBe(leader);
    expect(pgidOf(child)).toBe(leader);
    expect(pgidOf(leader)).not.toBe(pgidOf(process.pid));
    await waitFor(engine, job.id);
  });

  test('cancel ends the whole group: SIGTERM, then SIGKILL for what ignores it; no orphans', async () => {
    // a grandchild in the background that ignores SIGTERM, and a foreground sleep
    const job = engine.add({ command: { shell: '(trap "" TERM; exec sleep 300) & echo $! > gc.pid; sleep 300' }, cwd: t.home });
    const gc = await pidFrom('gc.pid');
    const running = await waitFor(engine, job.id, ['running']);
    expect(processGone(gc)).toBe(false);
    const [cancelled] = await engine.cancel([job.id], 'cli');
    expect(cancelled).toMatchObject({ status: 'cancelled', error: 'cancelled by cli', signal: 'SIGTERM' });
    expect(processGone(gc)).toBe(true);
    const pgid = pgidOfJob(job.id)!;
    expect(pgid).toBeGreaterThan(1);
    expect(processGone(pgid)).toBe(true);
    expect(groupAlive(pgid)).toBe(false);
    expect(liveMembers(pgid)).toEqual([]);
    expect(engine.get(job.id).events.at(-1)).toMatchObject({ type: 'cancelled', by: 'cli' });
    expect(running.startedAt).not.toBeNull();
  });

  test('a job that exits leaves nothing running behind (background children end with it)', async () => {
    const job = engine.add({ command: { shell: '(trap "" TERM; exec sleep 300) & echo $! > bg.pid; echo done' }, cwd: t.home });
    const done = await waitFor(engine, job.id);
    expect(done.status).toBe('succeeded');
    expect(processGone(await pidFrom('bg.pid'))).toBe(true);
  });

  test('a program that cannot start fails with the reason', async () => {
    fs.writeFileSync(path.join(t.home, 'not-executable'), 'x', { mode: 0o644 });
    const job = engine.add({ command: { argv: ['./not-executable'] }, cwd: t.home });
    expect((await waitFor(engine, job.id)).error).toMatch(/^could not start \.\/not-executable: .*EACCES/);
    const gone = path.join(t.home, 'gone');
    fs.mkdirSync(gone);
    engine.pause();
    const later = engine.add({ command: { argv: ['true'] }, cwd: gone });
    fs.rmdirSync(gone);
    engine.resume();
    expect((await waitFor(engine, later.id)).error).toBe(`working directory ${gone} no longer exists`);
  });
});

describe('startCommand', () => {
  test('reports when nothing of the group is left', async () => {
    const log = path.join(t.home, 'x.log');
    let outputs = 0;
    const cmd = startCommand({ shell: 'echo hi; sleep 0.1 & exit 3', cwd: t.home, env: process.env, logFile: log, onOutput: () => outputs++, leftoverGraceMs: 200 });
    expect(cmd.pgid).toBe(cmd.pid);
    const exit = await cmd.exited;
    expect(exit).toEqual({ exitCode: 3, signal: null, spawnError: null });
    expect(groupAlive(cmd.pgid)).toBe(false);
    expect(fs.readFileSync(log, 'utf8')).toBe('hi\n');
    expect(outputs).toBeGreaterThan(0);
  });

  test('news of a growing log is rate-limited: a torrent of writes wakes the host ≤ 10 times a second', async () => {
    const log = path.join(t.home, 'y.log');
    const calls: number[] = [];
    const started = Date.now();
    const cmd = startCommand({
      shell: 'i=0; while [ $i -lt 40 ]; do head -c 100000 /dev/zero; i=$((i+1)); sleep 0.01; done',
      cwd: t.home,
      env: process.env,
      logFile: log,
      onOutput: () => calls.push(Date.now()),
      outputIntervalMs: 100,
    });
    await cmd.exited;
    const span = (Date.now() - started) / 1000;
    expect(fs.statSync(log).size).toBe(4_000_000);
    expect(calls.length).toBeGreaterThan(1);
    expect(calls.length).toBeLessThanOrEqual(Math.ceil(span * 10) + 2);
  });

  test('reaping orphans: every group at once; a group that is not the job\'s own is left alone', async () => {
    const start = (jobId: number, home: string) =>
      spawn('sh', ['-c', 'trap "" TERM; sleep 30 & wait'], { detached: true, stdio: 'ignore', env: { ...process.env, ERRAND_JOB_ID: String(jobId), ERRAND_HOME: home } });
    const a = start(1, t.home);
    const b = start(2, t.home);
    const stranger = start(3, '/some/other/home');
    try {
      await until(() => [a, b, stranger].every((c) => (liveMembers(c.pid!) ?? [0]).length >= 2), 5000, 'the groups to start');
      const result = reapOrphanGroups(
        [
          { pgid: a.pid!, jobId: 1 },
          { pgid: b.pid!, jobId: 2 },
          { pgid: stranger.pid!, jobId: 3 },
        ],
        200,
        t.home,
      );
      expect(Object.fromEntries(result)).toEqual({ [a.pid!]: 'killed', [b.pid!]: 'killed', [stranger.pid!]: 'absent' });
      expect(groupAlive(a.pid!)).toBe(false);
      expect(groupAlive(b.pid!)).toBe(false);
      expect(groupAlive(stranger.pid!)).toBe(true); // another home's job #3: not ours to touch
    } finally {
      signalGroup(stranger.pid!, 'SIGKILL');
    }
  });

  test('signalGroup refuses the special pids', () => {
    expect(signalGroup(0, 0)).toBe(false);
    expect(signalGroup(1, 0)).toBe(false);
    expect(signalGroup(-1, 0)).toBe(false);
  });
});

/** The process group recorded for a job's latest attempt (kept for recovery). */
function pgidOfJob(id: number): number | null {
  const r = storeOf(engine).db.prepare('SELECT pgid FROM attempts WHERE job_id = ? ORDER BY n DESC LIMIT 1').get(id) as { pgid: number | null } | undefined;
  return r?.pgid ?? null;
}
