import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { openTestEngine, processGone, readText, storeOf, type TestEngine, until, waitFor } from '../../helpers/engine';
import { buildEngineBundle } from '../../helpers/engine-bundle.mjs';
import { openEngine } from '../../helpers/test-api';
import { tempHome } from '../../helpers/temp-home';

// A job whose own process exited 0 is a success, whatever lands while its leftovers drain
// or its patch is captured: a cancel, a shutdown, even a host crash. The leader's exit is
// recorded the moment it happens and decides (outcome.ts).

let t: TestEngine | null = null;
const strays: number[] = [];
afterEach(async () => {
  await t?.dispose();
  t = null;
});
afterAll(() => {
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

/** A job that exits 0 at once and leaves a child that ignores SIGTERM (pid in gc.pid). */
const LEAVES_A_CHILD = 'echo done >> f; (trap "" TERM; exec sleep 30) & echo $! > gc.pid; exit 0';

const leaderExited = (e: TestEngine, id: number): Promise<number> =>
  until(() => (storeOf(e.engine).db.prepare('SELECT leader_exited_at AS t FROM attempts WHERE job_id = ?').get(id) as { t: number | null } | undefined)?.t ?? undefined, 10_000, `job #${id}'s leader to exit`);

const pidIn = (dir: string, f: string): Promise<number> => until(() => Number(readText(path.join(dir, f)).trim()) || undefined, 10_000, f);

describe('the leader exited 0; then…', () => {
  test('a cancel while its leftovers drain: still succeeded, exit 0; the leftovers end', async () => {
    t = openTestEngine({ killGraceMs: 2000 });
    const job = t.engine.add({ command: { shell: LEAVES_A_CHILD }, cwd: t.home });
    const gc = await pidIn(t.home, 'gc.pid');
    strays.push(gc);
    await leaderExited(t, job.id);
    expect(t.engine.get(job.id).job.status).toBe('running'); // draining its group
    const [after] = await t.engine.cancel([job.id], 'cli');
    expect(after).toMatchObject({ status: 'succeeded', exitCode: 0, error: null });
    expect(processGone(gc)).toBe(true);
    expect(t.engine.get(job.id).events.map((e) => e.type)).not.toContain('cancelled');
  });

  test('a shutdown while its leftovers drain: a restartable job is recorded succeeded and never runs twice', async () => {
    t = openTestEngine({ killGraceMs: 2000 });
    const job = t.engine.add({ command: { shell: `echo run >> runs; ${LEAVES_A_CHILD}` }, cwd: t.home, restartable: true });
    const gc = await pidIn(t.home, 'gc.pid');
    strays.push(gc);
    await leaderExited(t, job.id);
    await t.engine.close();
    expect(processGone(gc)).toBe(true);
    const again = openEngine({ home: t.home, killGraceMs: 300 });
    try {
      await new Promise((r) => setTimeout(r, 300)); // a second run would have started by now
      expect(again.get(job.id).job).toMatchObject({ status: 'succeeded', exitCode: 0, attempt: 1 });
      expect(readText(path.join(t.home, 'runs'))).toBe('run\n');
    } finally {
      await again.close();
    }
  });

  test('a cancel while its patch is captured (leftovers draining first): succeeded, and the patch kept', async () => {
    t = openTestEngine({ killGraceMs: 2000 });
    const repo = path.join(t.home, 'repo');
    fs.mkdirSync(repo);
    const git = (...args: string[]) =>
      spawnSyncOk('git', args, repo, { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1', HOME: repo });
    await git('init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(repo, 'a.txt'), 'one\n');
    fs.writeFileSync(path.join(repo, '.gitignore'), 'f\ngc.pid\n');
    await git('add', '-A');
    await git('commit', '-qm', 'base');
    const job = t.engine.add({ command: { shell: `echo two >> a.txt; ${LEAVES_A_CHILD}` }, cwd: repo, capturePatch: true });
    strays.push(await pidIn(path.join(t.home, 'worktrees', String(job.id)), 'gc.pid')); // it runs in its own worktree
    await leaderExited(t, job.id);
    const [after] = await t.engine.cancel([job.id], 'cli');
    expect(after).toMatchObject({ status: 'succeeded', exitCode: 0, resultSummary: { type: 'patch' } });
    const { result } = t.engine.result({ id: job.id });
    expect(result).toMatchObject({ type: 'patch', patch: expect.stringContaining('+two') });
  });

  test('the host is SIGKILLed while its leftovers drain: recovery records it succeeded, a restartable job runs once', async () => {
    const bundle = await buildEngineBundle();
    const { home, cleanup } = tempHome('errand-drain-crash-');
    const work = path.join(home, 'work');
    fs.mkdirSync(work);
    try {
      const child = spawn(process.execPath, [path.resolve(import.meta.dirname, '../../fixtures/drain-crash-host.mjs'), bundle.file, home, work], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      const info = await new Promise<{ pid: number; job: number }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fixture host not ready: ${err}`)), 30_000);
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as { pid: number; job: number });
          }
        });
      });
      const gc = await pidIn(work, 'gc.pid');
      strays.push(gc);
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(info.pid, 'SIGKILL');
      await exited;
      expect(processGone(gc)).toBe(false); // the orphan is still there for recovery to end
      const engine = openEngine({ home, killGraceMs: 300, recoveryGraceMs: 300 });
      try {
        expect(processGone(gc)).toBe(true);
        const detail = engine.get(info.job);
        expect(detail.job).toMatchObject({ status: 'succeeded', exitCode: 0, attempt: 1 });
        expect(detail.events.at(-1)).toMatchObject({ type: 'finished', data: { from: 'running', to: 'succeeded' } });
        await new Promise((r) => setTimeout(r, 300));
        expect(readText(path.join(work, 'runs'))).toBe('once\n');
        expect(engine.get(info.job).job.attempt).toBe(1);
      } finally {
        await engine.close();
      }
    } finally {
      bundle.dispose();
      cleanup();
    }
  });
});

describe('a cancel that lands before the leader exits still cancels', () => {
  test('cancelled, with the signal', async () => {
    t = openTestEngine();
    const job = t.engine.add({ command: { shell: 'echo started > s; exec sleep 30' }, cwd: t.home });
    await until(() => readText(path.join(t!.home, 's')) || undefined, 10_000, 'start');
    const [after] = await t.engine.cancel([job.id], 'cli');
    expect(after).toMatchObject({ status: 'cancelled', error: 'cancelled by cli', signal: 'SIGTERM' });
    await waitFor(t.engine, job.id);
  });
});

function spawnSyncOk(cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: 'ignore' });
    c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
}
