// One owner per data dir, tried the way users hit it: many `errand serve` at once, many
// cold-start `errand add` at once (each starting a host), and a parallel start after a
// host was SIGKILLed with a job running. Every round must end with exactly one host, the
// others refused before they open the store (so none of them runs recovery).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { tempHome, until } from '../../helpers/temp-home';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const CLI = path.join(ROOT, 'out/main/cli.js');
const RUNNING = 'errand host running';
const homes: { home: string; cleanup: () => void }[] = [];
const started = new Set<ChildProcess>();
let gateDir = '';
let gate = '';

beforeAll(() => {
  // npm test builds before vitest; a lone run of this file may find no build yet
  if (!fs.existsSync(CLI)) execFileSync('npx', ['electron-vite', 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  // A starting gate, preloaded into every `errand serve` (also those `errand add` starts):
  // a host stops at its first mkdir of the data dir (just before it takes the lock) until
  // the round's N hosts are all there, then all go at one instant, so they reach the lock
  // together as they would on a machine with more cores, not staggered by start-up.
  gateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'errand-gate-'));
  gate = path.join(gateDir, 'gate.cjs');
  fs.writeFileSync(
    gate,
    `const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.ERRAND_TEST_GATE;
const n = Number(process.env.ERRAND_TEST_GATE_N);
const home = process.argv[process.argv.indexOf('--home') + 1];
const sleep = (ms) => ms > 0 && Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
if (dir && process.argv.includes('serve') && home) {
  const mkdirSync = fs.mkdirSync;
  fs.mkdirSync = function (p, ...rest) {
    if (path.resolve(String(p)) === path.resolve(home)) {
      fs.mkdirSync = mkdirSync;
      fs.writeFileSync(path.join(dir, 'at-' + process.pid), '');
      const go = path.join(dir, 'go');
      // the last to arrive sets the instant; nobody waits more than 5 s
      if (fs.readdirSync(dir).filter((f) => f.startsWith('at-')).length >= n) {
        fs.writeFileSync(go + '.' + process.pid, String(Date.now() + 30));
        fs.renameSync(go + '.' + process.pid, go);
      }
      let at = Date.now() + 5000;
      for (const end = at; Date.now() < end; sleep(3)) {
        try { at = Number(fs.readFileSync(go, 'utf8')); break; } catch {}
      }
      sleep(at - Date.now() - 2);
      while (Date.now() < at);
    }
    return mkdirSync.call(this, p, ...rest);
  };
}
`,
  );
}, 120_000);

/** The environment of a round's processes: a fresh gate for n hosts. */
function gated(n: number): NodeJS.ProcessEnv {
  const opts = [process.env.NODE_OPTIONS, `--require ${gate}`].filter(Boolean).join(' ');
  return { ...process.env, NO_COLOR: '1', NODE_OPTIONS: opts, ERRAND_TEST_GATE: fs.mkdtempSync(path.join(gateDir, 'round-')), ERRAND_TEST_GATE_N: String(n) };
}

afterAll(async () => {
  for (const c of started) c.kill('SIGKILL');
  for (const h of homes) for (const pid of hostsOf(h.home)) kill(pid, 'SIGKILL');
  await until(() => homes.every((h) => hostsOf(h.home).length === 0), 10_000, 'every host to end').catch(() => {});
  for (const h of homes) h.cleanup();
  if (gateDir) fs.rmSync(gateDir, { recursive: true, force: true });
});

function home(): string {
  const h = tempHome('errand-race-');
  homes.push(h);
  return h.home;
}

function kill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

/** True while the process exists and is not a zombie (PID 1 here never reaps orphans). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Fully exited: only then has the kernel dropped its locks. A SIGKILLed multi-threaded
 * process can show its main thread as a zombie while its other threads are still exiting.
 */
function gone(pid: number): boolean {
  if (alive(pid)) return false;
  try {
    return fs.readdirSync(`/proc/${pid}/task`).length <= 1;
  } catch {
    return true;
  }
}

function procs(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

/** Live `errand serve` processes of a data dir, whoever started them. */
function hostsOf(h: string): number[] {
  return procs().filter((pid) => {
    try {
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv.includes('serve') && argv[argv.indexOf('--home') + 1] === h && alive(pid);
    } catch {
      return false;
    }
  });
}

/** Processes that have the data dir's database open (any descriptor, including -wal/-shm). */
function dbHolders(h: string): number[] {
  const db = path.join(h, 'errand.db');
  return procs().filter((pid) => {
    try {
      return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
        try {
          return fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(db);
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  });
}

interface Serve {
  child: ChildProcess;
  pid: number;
  /** Resolves once the host says it runs, or the process exits. */
  settled: Promise<{ running: boolean; code: number | null; stderr: string }>;
}

function serve(h: string, env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }): Serve {
  const child = spawn(process.execPath, [CLI, 'serve', '--home', h], { stdio: ['ignore', 'ignore', 'pipe'], env });
  started.add(child);
  child.once('exit', () => started.delete(child));
  let stderr = '';
  const settled = new Promise<{ running: boolean; code: number | null; stderr: string }>((resolve) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
      if (stderr.includes(RUNNING)) resolve({ running: true, code: null, stderr });
    });
    child.once('close', (code) => resolve({ running: false, code, stderr }));
  });
  return { child, pid: child.pid!, settled };
}

function ended(c: ChildProcess): Promise<void> {
  return c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));
}

function run(args: string[], env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }, timeoutMs = 45_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    started.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      started.delete(child);
      resolve({ code: code ?? (sig ? -1 : null), stdout, stderr });
    });
  });
}

const busy = (h: string, pid: number): string => `Another Errand host (pid ${pid}) already owns ${h}. Use it (errand status), or stop it with errand shutdown.`;

/** Ends the owner the way the next round wants to find it: stopped cleanly, SIGKILLed, or SIGKILLed with its pid file emptied. */
async function endOwner(h: string, pid: number, how: 'clean' | 'killed' | 'empty', child?: ChildProcess): Promise<void> {
  kill(pid, how === 'clean' ? 'SIGTERM' : 'SIGKILL');
  if (child) await ended(child);
  await until(() => gone(pid), 15_000, `host ${pid} to end`);
  if (how === 'empty') fs.writeFileSync(path.join(h, 'host.lock'), '');
}

const HOW = ['killed', 'clean', 'empty'] as const;

test('parallel `errand serve`: exactly one host owns the store, the others are refused, every round', async () => {
  const h = home();
  const rounds = 8;
  const contenders = 8;
  const failures: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const env = gated(contenders);
    const all = Array.from({ length: contenders }, () => serve(h, env));
    const results = await Promise.all(all.map((s) => s.settled));
    const owners = all.filter((s, i) => results[i]!.running && alive(s.pid));
    const problems: string[] = [];
    if (owners.length !== 1) problems.push(`${owners.length} hosts running`);
    const owner = owners[0];
    if (owner) {
      const refused = results.filter((r) => !r.running && r.code !== 0 && r.code !== null && r.stderr.includes(busy(h, owner.pid))).length;
      if (refused !== contenders - 1) problems.push(`${refused} refused with the busy message: ${results.filter((r) => !r.running).map((r) => `${r.code} ${r.stderr.trim()}`).join(' | ')}`);
      const holders = dbHolders(h);
      if (holders.length !== 1 || holders[0] !== owner.pid) problems.push(`errand.db open in ${holders.join(', ') || 'no process'}`);
    }
    if (problems.length) failures.push(`round ${round}: ${problems.join('; ')}`);
    // the next round starts from a clean stop, a SIGKILLed owner's lock, or an empty lock file
    for (const s of all) if (s !== owner) s.child.kill('SIGKILL');
    if (owner) await endOwner(h, owner.pid, HOW[round % 3]!, owner.child);
    await Promise.all(all.map((s) => ended(s.child)));
  }
  expect(failures).toEqual([]);
}, 120_000);

test('parallel cold-start `errand add`: every call succeeds, every job is stored once, one host remains', async () => {
  const h = home();
  const rounds = 6;
  const callers = 6;
  const failures: string[] = [];
  const ids: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const problems: string[] = [];
    const env = gated(callers);
    const results = await Promise.all(Array.from({ length: callers }, () => run(['add', '--home', h, '--', 'true'], env)));
    for (const r of results) {
      if (r.code === 0 && /^\d+\n$/.test(r.stdout)) ids.push(Number(r.stdout));
      else problems.push(`add exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    }
    // hosts that lost the start race exit on their own; give slow starters time to get there
    const hosts = await until(
      () => {
        const live = hostsOf(h);
        return live.length <= 1 ? live : null;
      },
      15_000,
      'the losing hosts to exit',
    ).catch(() => hostsOf(h));
    if (hosts.length !== 1) problems.push(`${hosts.length} hosts running (${hosts.join(', ')})`);
    const holders = dbHolders(h);
    if (holders.length !== 1 || holders[0] !== hosts[0]) problems.push(`errand.db open in ${holders.join(', ') || 'no process'}`);
    const ls = await run(['ls', '--json', '--home', h]);
    const listed = ls.code === 0 ? (JSON.parse(ls.stdout) as { id: number }[]).map((j) => j.id) : [];
    if (ls.code !== 0) problems.push(`ls exited ${ls.code}: ${ls.stderr.trim()}`);
    else if (JSON.stringify([...listed].sort((a, b) => a - b)) !== JSON.stringify([...ids].sort((a, b) => a - b))) problems.push(`listed ${listed.join(',')} but added ${ids.join(',')}`);
    if (problems.length) failures.push(`round ${round}: ${problems.join('; ')}`);
    // next round: cold start again, after a clean stop, a SIGKILLed host or an emptied lock
    for (const pid of hostsOf(h)) await endOwner(h, pid, HOW[round % 3]!);
  }
  expect(failures).toEqual([]);
}, 120_000);

test('a parallel start after a host died with a job running: the winner alone recovers it, no loser kills its jobs', async () => {
  const h = home();
  const trace = path.join(h, 'trace');
  const rounds = 3;
  const contenders = 8;
  const failures: string[] = [];
  const lines = (): string[] => (fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8').trim().split('\n') : []);
  const startsOf = (ls: string[]): number[] => ls.filter((l) => l.startsWith('start ')).map((l) => Number(l.slice(6)));
  // A restartable job in its own process group: the shell is the group leader, logs each
  // start and each SIGTERM to its group; recovery requeues it, so each round's winner
  // starts it again and the next round finds it running under a dead host.
  let owner = serve(h);
  expect((await owner.settled).running).toBe(true);
  const script = `echo "start $$" >> ${JSON.stringify(trace)}; trap 'echo "term $$" >> ${JSON.stringify(trace)}; exit 143' TERM; sleep 60 & wait`;
  const add = await run(['add', '--home', h, '--restartable', '--', 'sh', '-c', script]);
  expect(add.code, add.stderr).toBe(0);
  let job = await until(() => startsOf(lines())[0], 15_000, 'the job to start');
  for (let round = 0; round < rounds; round++) {
    const problems: string[] = [];
    // the owner dies with the job running: its group outlives it, recorded in the store
    owner.child.kill('SIGKILL');
    await ended(owner.child);
    await until(() => gone(owner.pid), 10_000, 'the owner to die');
    if (!alive(job)) problems.push(`job ${job} died with its host`);
    const before = lines().length;
    const env = gated(contenders);
    const all = Array.from({ length: contenders }, () => serve(h, env));
    const results = await Promise.all(all.map((s) => s.settled));
    const owners = all.filter((s, i) => results[i]!.running && alive(s.pid));
    if (owners.length !== 1) problems.push(`${owners.length} hosts running`);
    // the winner's recovery ended the old group, then started the job again
    const next = await until(() => startsOf(lines().slice(before))[0], 15_000, 'the job to start again').catch(() => 0);
    // let any host that wrongly got past the lock finish its own recovery
    await new Promise((r) => setTimeout(r, 600));
    const now = lines().slice(before);
    const terms = now.filter((l) => l === `term ${job}`).length;
    if (terms !== 1) problems.push(`old group ${job} got ${terms} SIGTERMs`);
    if (startsOf(now).length !== 1) problems.push(`job started ${startsOf(now).length} times: ${now.join(' | ')}`);
    if (!next || !alive(next)) problems.push(`the winner's job ${next} is not running`);
    if (now.some((l) => l === `term ${next}`)) problems.push(`a loser killed the winner's job ${next}`);
    if (problems.length) failures.push(`round ${round}: ${problems.join('; ')}`);
    for (const s of all) if (!owners.includes(s)) s.child.kill('SIGKILL');
    for (const extra of owners.slice(1)) extra.child.kill('SIGKILL');
    await Promise.all(all.filter((s) => s !== owners[0]).map((s) => ended(s.child)));
    if (!owners[0] || !next) break;
    owner = owners[0];
    job = next;
  }
  // leave nothing behind: the last owner (its shutdown stops the job), then any job group left
  owner.child.kill('SIGTERM');
  await ended(owner.child);
  await until(() => !alive(job), 10_000, 'the last job to end').catch(() => {});
  for (const pid of startsOf(lines())) if (alive(pid)) kill(-pid, 'SIGKILL');
  expect(failures).toEqual([]);
}, 120_000);
