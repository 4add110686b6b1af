// CLI benchmarks (issue: contract, host and CLI). Run by `npm run bench` after a build.
//   1. `errand add -- true` end to end vs `node -e 0`, same run (goal ≤ 2×)
//   2. 1000 jobs enqueued by 1000 CLI calls, and by one `errand batch`, vs task-spooler (tsp) when installed
//   3. `errand ls --json --all` on a 100k-job store vs a script reading the same rows from SQLite
//      and printing them (goal ≤ 2×), with the host's responsiveness meanwhile (goal: no
//      request blocks its event loop > 50 ms)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'electron/cli/bin/errand');

function timeRuns(n, fn) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function runCliBench({ log = console.log, n = 1000 } = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'errand-clibench-'));
  const env = { ...process.env, ERRAND_HOME: home };
  const errand = (...args) => execFileSync(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const rows = [];
  try {
    errand('pause'); // measure enqueueing, not running
    errand('add', '--', 'true');
    // interleave so background noise hits both sides alike
    const nodeTimes = [];
    const addTimes = [];
    for (let i = 0; i < 15; i++) {
      nodeTimes.push(timeRuns(1, () => execFileSync(process.execPath, ['-e', '0'])));
      addTimes.push(timeRuns(1, () => errand('add', '--', 'true')));
    }
    const med = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const nodeMs = med(nodeTimes);
    const addMs = med(addTimes);
    rows.push({ bench: '`errand add -- true` (median ms)', value: addMs.toFixed(1), baseline: `node -e 0: ${nodeMs.toFixed(1)}`, ratio: (addMs / nodeMs).toFixed(2), goal: '≤ 2×' });

    let t = Date.now();
    for (let i = 0; i < n; i++) errand('add', '--', 'true');
    const cliMs = Date.now() - t;
    const file = path.join(home, 'batch.txt');
    fs.writeFileSync(file, Array.from({ length: n }, (_, i) => `echo ${i}`).join('\n'));
    t = Date.now();
    errand('batch', file);
    const batchMs = Date.now() - t;

    const tsp = spawnSync('sh', ['-c', 'command -v tsp'], { encoding: 'utf8' }).stdout.trim();
    // task-spooler keeps a connection per queued job and refuses past ~1000 of them, so it
    // enqueues at most 900 (with -B, never blocking) and is compared per job
    const tspN = Math.min(n, 900);
    let tspMs = null;
    if (tsp) {
      const tenv = { ...process.env, TS_SOCKET: path.join(home, 'tsp.sock'), TS_MAXFINISHED: String(n * 2), TS_SAVELIST: '' };
      const ts = (...a) => execFileSync(tsp, a, { env: tenv, stdio: ['ignore', 'pipe', 'pipe'] });
      ts('-S', '1');
      ts('sleep', '600'); // hold the single slot so nothing else runs
      t = Date.now();
      for (let i = 0; i < tspN; i++) ts('-B', 'true');
      tspMs = Date.now() - t;
      ts('-K');
    }
    const perJob = (ms, count) => ms / count;
    const tspPer = tspMs === null ? null : perJob(tspMs, tspN);
    const base = tspPer === null ? 'tsp not installed' : `tsp: ${tspPer.toFixed(2)} ms/job`;
    rows.push({ bench: `${n} jobs by ${n} CLI calls (ms/job)`, value: perJob(cliMs, n).toFixed(2), baseline: base, ratio: tspPer === null ? '—' : (perJob(cliMs, n) / tspPer).toFixed(2), goal: 'report' });
    rows.push({ bench: `${n} jobs by one errand batch (ms/job)`, value: perJob(batchMs, n).toFixed(3), baseline: base, ratio: tspPer === null ? '—' : (perJob(batchMs, n) / tspPer).toFixed(3), goal: 'report' });
  } finally {
    try {
      errand('shutdown');
    } catch {
      // the host may already be gone; the temp home goes either way
    }
    fs.rmSync(home, { recursive: true, force: true });
  }
  rows.push(...(await benchLs({ log })));
  for (const r of rows) log(`${r.bench.padEnd(40)} ${String(r.value).padStart(9)}   baseline ${String(r.baseline).padEnd(20)} ratio ${r.ratio}  (goal ${r.goal})`);
  return rows;
}

/** Runs a command to completion with stdout to /dev/null; resolves with its wall time in ms. */
function timed(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t) / 1e6) : reject(new Error(`${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/**
 * Asks the host for its status over and over on its own connection until stop(), timing
 * each round trip: the longest one bounds how long any request held the host's loop.
 */
async function probeHost(sock) {
  const s = net.createConnection(sock);
  await new Promise((r, j) => s.once('connect', r).once('error', j));
  let buf = '';
  let waiting = null;
  s.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) !== -1) {
      buf = buf.slice(nl + 1);
      const w = waiting;
      waiting = null;
      w?.();
    }
  });
  let id = 0;
  const ask = (method, params) => new Promise((r) => ((waiting = r), s.write(`${JSON.stringify({ id: ++id, method, params })}\n`)));
  await ask('hello', { protocolVersion: 2, client: 'bench-probe' });
  let running = true;
  const times = [];
  const loop = (async () => {
    while (running) {
      const t = process.hrtime.bigint();
      await ask('queue', {});
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      s.destroy();
      times.sort((a, b) => a - b);
      return { max: times.at(-1) ?? 0, p99: times[Math.floor(times.length * 0.99)] ?? 0, n: times.length };
    },
  };
}

/** `errand ls --json --all` on an n-job store against reading and printing the same rows straight from SQLite. */
export async function benchLs({ log = console.log, n = 100_000, runs = 3 } = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'errand-lsbench-'));
  // a small environment: every job stores the one it was added from
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ERRAND_HOME: home };
  const errand = (...args) => execFileSync(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const rows = [];
  try {
    errand('pause');
    const file = path.join(home, 'jobs.txt');
    const words = ['build', 'test', 'lint', 'deploy', 'resize', 'backup', 'summarise', 'fetch'];
    fs.writeFileSync(file, Array.from({ length: n }, (_, i) => `echo ${words[i % words.length]} ${i}`).join('\n'));
    let t = Date.now();
    errand('batch', '--label', 'bench', file);
    log(`enqueued ${n} jobs in ${Date.now() - t} ms`);
    const db = path.join(home, 'errand.db');
    const baselineScript = `const D=require(${JSON.stringify(path.join(ROOT, 'node_modules/better-sqlite3'))});const db=new D(${JSON.stringify(db)},{readonly:true});` + "process.stdout.write(JSON.stringify(db.prepare('SELECT * FROM jobs ORDER BY id').all(),null,2)+'\\n')";
    const base = [];
    const cli = [];
    let probe = null;
    for (let i = 0; i < runs; i++) {
      base.push(await timed(process.execPath, ['-e', baselineScript], env));
      const p = await probeHost(path.join(home, 'errand.sock'));
      cli.push(await timed(process.execPath, [BIN, 'ls', '--json', '--all'], env));
      const r = await p.stop();
      if (!probe || r.max > probe.max) probe = r;
    }
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ratio = med(cli) / med(base);
    rows.push({ bench: `errand ls --json --all, ${n / 1000}k jobs (ms)`, value: med(cli).toFixed(0), baseline: `SQLite read+print: ${med(base).toFixed(0)}`, ratio: ratio.toFixed(2), goal: '≤ 2×', ok: ratio <= 2 });
    rows.push({ bench: 'host round trip during that ls (max ms)', value: probe.max.toFixed(1), baseline: `p99 ${probe.p99.toFixed(1)} of ${probe.n}`, ratio: '—', goal: '< 50 ms', ok: probe.max < 50 });
    log(`ls --json --all: ${cli.map((x) => x.toFixed(0)).join(', ')} ms; SQLite baseline ${base.map((x) => x.toFixed(0)).join(', ')} ms; host round trips meanwhile max ${probe.max.toFixed(1)} ms`);
  } finally {
    try {
      errand('shutdown');
    } catch {
      // already gone
    }
    fs.rmSync(home, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const which = process.argv[2];
  if (which === 'ls') for (const r of await benchLs({ n: Number(process.argv[3] ?? 100_000) })) console.log(r);
  else await runCliBench({ n: Number(process.argv[2] ?? 1000) });
}
