// CLI benchmarks (issue: contract, host and CLI). Run by `npm run bench` after a build.
//   1. `errand add -- true` end to end vs `node -e 0`, same run (goal ≤ 2×)
//   2. 1000 jobs enqueued by 1000 CLI calls, and by one `errand batch`, vs task-spooler (tsp) when installed
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
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
  for (const r of rows) log(`${r.bench.padEnd(40)} ${String(r.value).padStart(9)}   baseline ${String(r.baseline).padEnd(20)} ratio ${r.ratio}  (goal ${r.goal})`);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await runCliBench({ n: Number(process.argv[2] ?? 1000) });
