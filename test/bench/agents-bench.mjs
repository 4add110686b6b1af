// Agents benchmark (issue 9): Errand's cost per agent event. A stream recorded from the
// real Claude Code and Codex (test/fixtures/fake-models/*-recorded-*.jsonl), repeated to
// ~20k events with fresh ids, is printed at full speed by `cat` as an agent job: read line
// by line, parsed by the real adapter, every tool call recorded as steps in SQLite, usage
// written, events out to a subscriber (as the tray has). The baseline is the same job with
// an adapter that only parses each line, measured in the same run, interleaved.
// Goal: < 0.2 ms per event all in. A second figure has the store on tmpfs (/dev/shm):
// the cost without the disk's fsync per step record.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'test/fixtures/fake-models');

async function bundle() {
  const { build } = await import('vite');
  const base = path.join(ROOT, 'node_modules/.cache/errand-agents-bench');
  fs.mkdirSync(base, { recursive: true });
  // bundles left by runs that were killed before they could clean up (an hour is plenty)
  for (const name of fs.readdirSync(base)) {
    const dir = path.join(base, name);
    try {
      if (Date.now() - fs.statSync(dir).mtimeMs > 3_600_000) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // another run removed it
    }
  }
  const outDir = fs.mkdtempSync(path.join(base, 'b-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    build: {
      ssr: path.join(ROOT, 'test/bench/agents-bench-entry.ts'),
      outDir,
      emptyOutDir: false,
      target: 'node20',
      minify: false,
      write: true,
      copyPublicDir: false,
      rolldownOptions: { output: { format: 'es', entryFileNames: 'agents.mjs' } },
    },
  });
  return { mod: await import(path.join(outDir, 'agents.mjs')), dispose: () => fs.rmSync(outDir, { recursive: true, force: true }) };
}

/** The recorded stream repeated `times` times, every tool call and item with an id of its own. */
function stream(agent, times) {
  const lines = fs.readFileSync(path.join(FIXTURES, agent === 'claude' ? 'anthropic-recorded-claude.jsonl' : 'responses-recorded-codex.jsonl'), 'utf8').split('\n').filter(Boolean);
  const head = lines.filter((l) => /"subtype":"init"|"type":"thread\.started"/.test(l));
  const tail = lines.filter((l) => /^\{"type":"result"|"type":"result"/.test(l) && agent === 'claude');
  const body = lines.filter((l) => !head.includes(l) && !tail.includes(l));
  const out = [...head];
  for (let k = 0; k < times; k++) for (const l of body) out.push(l.replace(/toolu_fake_(\d+)/g, `toolu_${k}_$1`).replace(/msg_fake_(\d+)_/g, `msg_${k}_$1_`).replace(/"item_(\d+)"/g, `"item_${k}_$1"`));
  out.push(...tail);
  return `${out.join('\n')}\n`;
}

async function runJob(mod, agent, file, adapter, where = os.tmpdir()) {
  const home = fs.mkdtempSync(path.join(where, 'errand-agents-bench-'));
  const base = agent === 'claude' ? mod.CLAUDE : mod.CODEX;
  const preset = { ...base, bin: 'cat', launch: (c) => ({ argv: [c.bin, file], env: {} }), ...(adapter ? { adapter } : {}) };
  const engine = mod.openEngine({
    home,
    runners: [mod.agentRunner({ home, presets: { [agent]: preset }, settings: () => ({ agents: { [agent]: { bin: '/bin/cat' } } }), env: process.env })],
  });
  let events = 0;
  engine.listen(() => events++); // a subscriber, as the tray and the window are
  globalThis.gc?.();
  const t = performance.now();
  const job = engine.add({ kind: 'agent', agent: { with: agent, task: 'replay' }, cwd: home, isolate: 'none' });
  const end = await new Promise((resolve) => {
    const off = engine.listen((e) => {
      if (e.type === 'job' && e.job.id === job.id && ['succeeded', 'failed', 'cancelled'].includes(e.job.status)) {
        off();
        resolve(e.job);
      }
    });
  });
  const ms = performance.now() - t;
  const steps = engine.get(job.id).steps.length;
  await engine.close();
  fs.rmSync(home, { recursive: true, force: true });
  if (end.status !== 'succeeded') throw new Error(`${agent} replay job ${end.status}: ${end.error}`);
  return { ms, steps, events };
}

const parseOnly = () => ({
  line(text) {
    JSON.parse(text);
  },
  finish: () => ({ error: null, report: null }),
});

export async function runAgentsBench({ log = console.log, rounds = 3 } = {}) {
  const { mod, dispose } = await bundle();
  const rows = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'errand-agents-stream-'));
  try {
    for (const [agent, times] of [
      ['claude', 200],
      ['codex', 230],
    ]) {
      const file = path.join(dir, `${agent}.jsonl`);
      fs.writeFileSync(file, stream(agent, times));
      const n = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
      await runJob(mod, agent, file, parseOnly); // warm up
      const full = [];
      const bare = [];
      let info = null;
      for (let r = 0; r < rounds; r++) {
        bare.push((await runJob(mod, agent, file, parseOnly)).ms);
        info = await runJob(mod, agent, file, null);
        full.push(info.ms);
      }
      const f = Math.min(...full);
      const b = Math.min(...bare);
      const perEvent = f / n;
      log(`${agent}: ${n} events, ${info.steps} steps recorded, ${info.events} engine events out; full ${full.map(Math.round).join(', ')} ms; parse only ${bare.map(Math.round).join(', ')} ms`);
      rows.push({
        bench: `${agent} stream replay, ms per event (${n} events)`,
        value: perEvent.toFixed(3),
        baseline: `parse only: ${(b / n).toFixed(4)}`,
        ratio: (f / b).toFixed(1),
        goal: '< 0.2 ms per event',
        ok: perEvent < 0.2,
      });
      // the same with the store in memory: what is left without the disk's fsync per step
      if (fs.existsSync('/dev/shm')) {
        const mem = (await runJob(mod, agent, file, null, '/dev/shm')).ms;
        log(`  ${agent} with the store on tmpfs (no fsync): ${(mem / n).toFixed(3)} ms per event`);
        rows.push({ bench: `${agent} replay, store on tmpfs, ms per event`, value: (mem / n).toFixed(3), baseline: `parse only: ${(b / n).toFixed(4)}`, ratio: (mem / b).toFixed(1), goal: 'report' });
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    dispose();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runAgentsBench();
  for (const r of rows) console.log(`${r.bench}: ${r.value} (baseline ${r.baseline}, ratio ${r.ratio}, goal ${r.goal})${r.ok === false ? ' ✗ MISSED' : ''}`);
}
