import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { TestApi as Engine } from '../../helpers/test-api';
import { startCommand } from '../../../electron/core/runners/command-runner';
import { findJobLeader, groupAlive } from '../../../electron/core/runners/process-group';
import { Spawner } from '../../../electron/core/runners/spawner';
import { openTestEngine, processGone, readText, type TestEngine, until, waitFor } from '../../helpers/engine';

let t: TestEngine;
let engine: Engine;
beforeEach(() => {
  t = openTestEngine();
  engine = t.engine;
});
afterEach(() => t.dispose());

const helperOf = (e: Engine): ChildProcess | null => (e.engine as unknown as { spawners: { spawner: { child: ChildProcess } | null } }).spawners.spawner?.child ?? null;

describe('the spawner helper', () => {
  test('jobs are children of the helper, not of the host, and still lead their own groups', async () => {
    const job = engine.add({ command: { shell: 'echo $$ $PPID > ids' }, cwd: t.home });
    await waitFor(engine, job.id);
    const [pid, ppid] = readText(path.join(t.home, 'ids')).trim().split(' ').map(Number);
    const helper = helperOf(engine);
    expect(helper?.pid).toBeGreaterThan(0);
    expect(ppid).toBe(helper!.pid);
    expect(ppid).not.toBe(process.pid);
    expect(pid).toBeGreaterThan(0);
    expect(engine.get(job.id).job).toMatchObject({ status: 'succeeded', exitCode: 0 });
  });

  test("a job holds no end of the helper's pipes to the host (it cannot write into the host's stream)", async () => {
    const job = engine.add({ command: { shell: 'for f in /proc/$$/fd/*; do readlink $f; done' }, cwd: t.home });
    await waitFor(engine, job.id);
    const helper = helperOf(engine)!;
    const helperPipes = ['0', '1'].map((fd) => fs.readlinkSync(`/proc/${helper.pid}/fd/${fd}`));
    for (const p of helperPipes) expect(p).toMatch(/^(pipe|socket):\[\d+\]$/);
    const jobFds = engine.readLog({ id: job.id }).data.toString().trim().split('\n');
    expect(jobFds.length).toBeGreaterThanOrEqual(3);
    for (const p of helperPipes) expect(jobFds).not.toContain(p);
  });

  test('if the helper dies mid-job: the job is reported lost, its processes ended, and the next job still runs', async () => {
    const job = engine.add({ command: { shell: 'echo $$ > leader.pid; sleep 300' }, cwd: t.home });
    await waitFor(engine, job.id, ['running']);
    const leader = await until(() => Number(readText(path.join(t.home, 'leader.pid')).trim()) || undefined, 10_000, 'leader');
    helperOf(engine)!.kill('SIGKILL');
    const lost = await waitFor(engine, job.id);
    expect(lost).toMatchObject({ status: 'failed', error: 'lost track of the job: the helper process that started it exited' });
    expect(processGone(leader)).toBe(true);
    expect(groupAlive(leader)).toBe(false);
    const next = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    expect((await waitFor(engine, next.id)).status).toBe('succeeded');
  });

  test('a helper that cannot start: jobs are started directly', async () => {
    const spawner = new Spawner({ execPath: path.join(t.home, 'no-such-node') });
    const log = path.join(t.home, 'z.log');
    const cmd = startCommand({ argv: ['sh', '-c', 'echo direct'], cwd: t.home, env: process.env, logFile: log, onOutput: () => {}, spawner });
    expect(await cmd.exited).toEqual({ exitCode: 0, signal: null, spawnError: null });
    expect(await cmd.started).toBeGreaterThan(0);
    expect(readText(log)).toBe('direct\n');
    expect(spawner.running).toBe(false);
    await spawner.close();
  });

  test('a program the helper cannot start fails with the same reason as a direct start', async () => {
    const spawner = new Spawner();
    try {
      const cmd = startCommand({ argv: ['no-such-program-xyz'], cwd: t.home, env: process.env, logFile: path.join(t.home, 'x.log'), onOutput: () => {}, spawner });
      expect(await cmd.exited).toEqual({ exitCode: null, signal: null, spawnError: 'command not found: no-such-program-xyz' });
      expect(await cmd.started).toBe(-1);
    } finally {
      await spawner.close();
    }
    expect(spawner.running).toBe(false);
  });

  test('terminate before the helper has reported the start still ends the job', async () => {
    const spawner = new Spawner();
    try {
      const cmd = startCommand({ argv: ['sleep', '300'], cwd: t.home, env: process.env, logFile: path.join(t.home, 's.log'), onOutput: () => {}, spawner });
      cmd.terminate(200); // the pid is not known yet
      expect(await cmd.exited).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
      expect(groupAlive(await cmd.started)).toBe(false);
    } finally {
      await spawner.close();
    }
  });

  test('findJobLeader tells whether a job attempt is already running (never start one twice)', async () => {
    const env = { ...process.env, ERRAND_JOB_ID: '41', ERRAND_ATTEMPT: '2', ERRAND_HOME: t.home };
    const c = spawn('sleep', ['30'], { detached: true, stdio: 'ignore', env });
    try {
      await until(() => findJobLeader(env) === c.pid, 5000, 'the leader to be found');
      expect(findJobLeader({ ...env, ERRAND_ATTEMPT: '3' })).toBe(0);
      expect(findJobLeader({ ...env, ERRAND_HOME: '/elsewhere' })).toBe(0);
    } finally {
      c.kill('SIGKILL');
    }
  });

  test('closing the engine stops the helper', async () => {
    const job = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    await waitFor(engine, job.id);
    const helper = helperOf(engine)!;
    expect(processGone(helper.pid!)).toBe(false);
    await engine.close();
    expect(helper.exitCode !== null || helper.signalCode !== null).toBe(true);
  });
});
