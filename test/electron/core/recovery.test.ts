import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openEngine } from '../../helpers/test-api';
import { groupAlive } from '../../../electron/core/runners/process-group';
import { processGone, readText, storeOf, until, waitFor } from '../../helpers/engine';
import { buildEngineBundle } from '../../helpers/engine-bundle.mjs';
import { tempHome } from '../../helpers/temp-home';

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/recovery-host.mjs');

let bundle: { file: string; dispose: () => void };
let home: string;
let cleanup: () => void;
let work: string;
const strays: number[] = [];

beforeAll(async () => {
  bundle = await buildEngineBundle();
  ({ home, cleanup } = tempHome('errand-recovery-'));
  work = path.join(home, 'work');
  fs.mkdirSync(work);
});

afterAll(() => {
  // belt and braces: never leave a test's processes behind, whatever failed
  for (const pid of strays) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  bundle?.dispose();
  cleanup?.();
});

/** Starts the fixture host and resolves with what it prints once its jobs run. */
let hostStderr = '';

/** Live processes whose environment names this data dir (Linux /proc). */
function processesOf(dir: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const env = fs.readFileSync(`/proc/${name}/environ`, 'latin1');
      if (!env.split('\0').includes(`ERRAND_HOME=${dir}`) || processGone(Number(name))) continue;
      out.push(`${name}: ${fs.readFileSync(`/proc/${name}/cmdline`, 'latin1').replace(/\0/g, ' ')} (${env.split('\0').filter((e) => e.startsWith('ERRAND_')).join(' ')})`);
    } catch {
      // gone, or not ours
    }
  }
  return out;
}

function startHost(): Promise<{ child: ChildProcess; info: { pid: number; long: number; restartable: number; queued: number; dependant: number } }> {
  const child = spawn(process.execPath, [FIXTURE, bundle.file, home, work], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    hostStderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fixture host did not get ready; stderr: ${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve({ child, info: JSON.parse(out.slice(0, nl)) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fixture host exited early (${code}); stderr: ${err}`));
    });
  });
}

const pidIn = (f: string): number => Number(readText(path.join(work, f)).trim());
const pgrpOf = (pid: number): number => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2]);

describe('recovery after the host is SIGKILLed mid-run', () => {
  test('running → interrupted (restartable → queued), orphans ended, queued jobs run once, logs kept', async () => {
    const { child, info } = await startHost();
    const gc = pidIn('gc.pid');
    const r1 = pidIn('r1.pid');
    strays.push(r1);
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(info.pid, 'SIGKILL');
    await exited;

    // the dead host's jobs are still running, orphaned, in their own process groups
    // (recorded in the store, unless the host died before it could write them down:
    // recovery then finds them by the job's environment)
    expect(processGone(gc)).toBe(false);
    expect(processGone(r1)).toBe(false);
    const pgids = [pgrpOf(gc), pgrpOf(r1)];
    expect(pgids[1]).toBe(r1); // the restartable job's shell leads its group
    for (const r of storeOfDb(home)) if (r.pgid !== null) expect(pgids).toContain(r.pgid);
    strays.push(...pgids);

    const engine = openEngine({ home, killGraceMs: 300 });
    try {
      // --- synchronously after open: recovery has run, nothing new has started yet ---
      const long = engine.get(info.long);
      expect(long.job).toMatchObject({ status: 'interrupted', attempt: 1 });
      expect(long.job.error).toMatch(/^interrupted: the host stopped while it ran; its leftover processes were (killed|terminated)$/);
      expect(long.events.at(-1)).toMatchObject({ type: 'interrupted', by: 'recovery', data: { from: 'running', to: 'interrupted', processes: 'killed' } });
      expect(long.attempts).toMatchObject([{ n: 1, status: 'interrupted' }]);
      // its processes, including the grandchild that ignores SIGTERM, are gone
      expect(processGone(gc)).toBe(true);
      for (const p of pgids) expect(groupAlive(p)).toBe(false);
      expect(processGone(r1)).toBe(true);
      // logs written before the crash are readable
      expect(engine.readLog({ id: info.long }).data.toString()).toBe('before the crash\n');
      expect(engine.readLog({ id: info.long }).done).toBe(true);

      const restartable = engine.get(info.restartable);
      expect(restartable.job).toMatchObject({ status: 'queued', attempt: 1 });
      expect(restartable.events.at(-1)).toMatchObject({ type: 'requeued', by: 'recovery', data: { from: 'running', to: 'queued', restartable: true } });
      expect(engine.get(info.queued).job.status).toBe('queued');
      expect(engine.get(info.dependant).job).toMatchObject({ status: 'failed', error: `dependency #${info.long} was interrupted` });

      // --- then the queue carries on ---
      expect((await waitFor(engine, info.queued)).status).toBe('succeeded');
      const again = await waitFor(engine, info.restartable, ['running']);
      expect(again.attempt).toBe(2);
      await until(() => readText(path.join(work, 'r2.pid')).trim(), 10_000, 'the restarted attempt');
      strays.push(pidIn('r2.pid'));
      // nothing ran twice silently: the queued job once, the interrupted one not again,
      // the restartable one exactly once more, as a recorded new attempt
      expect(readText(path.join(work, 'queued.runs'))).toBe('once\n');
      expect(readText(path.join(work, 'restartable.runs'))).toBe('run 1\nrun 2\n');
      expect(engine.get(info.long).job).toMatchObject({ status: 'interrupted', attempt: 1 });
      expect(engine.get(info.queued).job.attempt).toBe(1);
      expect(engine.get(info.restartable).attempts.map((a) => a.status)).toEqual(['interrupted', 'running']);
      expect(engine.readLog({ id: info.restartable, attempt: 1 }).done).toBe(true);
      expect(storeOf(engine).counts().interrupted).toBe(1);
      await engine.cancel([info.restartable]);
      expect(processGone(pidIn('r2.pid'))).toBe(true);
      // and nothing of this store's jobs runs any more: no duplicate, no survivor
      expect(processesOf(home), `fixture host said: ${hostStderr}`).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});

describe('recovery finds the processes of a dead host', () => {
  test('by the recorded pgid, and by the job\'s environment when the host died before recording it', async () => {
    const { home: h, cleanup: done } = tempHome('errand-recovery-');
    try {
      let engine = openEngine({ home: h, killGraceMs: 300 });
      engine.pause();
      const a = engine.add({ command: { argv: ['true'] }, cwd: h });
      const b = engine.add({ command: { argv: ['true'] }, cwd: h });
      // what a host killed just after starting them leaves behind
      const orphan = (id: number) =>
        spawn('sh', ['-c', 'trap "" TERM; sleep 300 & wait'], { detached: true, stdio: 'ignore', env: { ...process.env, ERRAND_JOB_ID: String(id), ERRAND_ATTEMPT: '1', ERRAND_HOME: engine.home } });
      const pa = orphan(a.id);
      const pb = orphan(b.id);
      strays.push(pa.pid!, pb.pid!);
      const db = storeOf(engine).db;
      db.prepare("UPDATE jobs SET status = 'running', attempt = 1, started_at = ?, pgid = ? WHERE id = ?").run(Date.now(), pa.pid, a.id);
      db.prepare("UPDATE jobs SET status = 'running', attempt = 1, started_at = ?, pgid = NULL WHERE id = ?").run(Date.now(), b.id);
      db.prepare("INSERT INTO attempts (job_id, n, status, started_at) VALUES (?, 1, 'running', ?), (?, 1, 'running', ?)").run(a.id, Date.now(), b.id, Date.now());
      await engine.close();
      await until(() => groupAlive(pa.pid!) && groupAlive(pb.pid!), 5000, 'the orphans');

      engine = openEngine({ home: h, killGraceMs: 300 });
      try {
        for (const [id, pid] of [
          [a.id, pa.pid!],
          [b.id, pb.pid!],
        ] as const) {
          expect(engine.get(id).job.status).toBe('interrupted');
          expect(engine.get(id).events.at(-1)).toMatchObject({ type: 'interrupted', by: 'recovery', data: { processes: 'killed' } });
          expect(groupAlive(pid)).toBe(false);
        }
      } finally {
        await engine.close();
      }
    } finally {
      done();
    }
  });
});

/** Running jobs and their process groups, read straight from the store file. */
function storeOfDb(dir: string): { id: number; pgid: number | null }[] {
  // a read-only peek; recovery has not run yet
  const db = new Database(path.join(dir, 'errand.db'), { readonly: true });
  try {
    return db.prepare("SELECT id, pgid FROM jobs WHERE status = 'running' ORDER BY id").all() as { id: number; pgid: number | null }[];
  } finally {
    db.close();
  }
}
