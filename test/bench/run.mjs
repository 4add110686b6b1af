// `npm run bench` (node --expose-gc test/bench/run.mjs [name…]): the benchmarks of
// DESIGN.md §8. Each prints its value, a baseline measured in the same run, and the
// ratio, then a summary table. Pick some by name: enqueue spawn output open, and the
// other layers' <name>-bench.mjs (cli, ui, …).
import fs from 'node:fs';
import path from 'node:path';
import { buildEngineBundle } from '../helpers/engine-bundle.mjs';
import { benchEnqueue, benchOpen, benchOutput, benchSpawn } from './engine-bench.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const wanted = process.argv.slice(2);
const pick = (name) => !wanted.length || wanted.includes(name);
if (!globalThis.gc) console.log('(run with --expose-gc for steadier numbers)');

const rows = [];
const print = (rs) => {
  for (const r of rs) console.log(`  ${r.bench.padEnd(46)} ${String(r.value).padStart(9)}   baseline ${String(r.baseline).padEnd(28)} ratio ${String(r.ratio).padStart(5)}  goal ${r.goal}${r.ok === false ? '  ✗ MISSED' : ''}`);
  rows.push(...rs);
};

const started = Date.now();
const bundle = await buildEngineBundle();
try {
  const core = await import(bundle.file);
  const benches = [
    ['enqueue', () => benchEnqueue(core)],
    ['spawn', () => benchSpawn(core, { log: (l) => console.log(`  ${l}`) })],
    ['output', () => benchOutput(core)],
    ['open', () => benchOpen(core)],
  ];
  for (const [name, run] of benches) {
    if (!pick(name)) continue;
    console.log(`\n${name}…`);
    print(await run());
  }
  // the other layers' benchmarks (test/bench/<name>-bench.mjs exporting run<Name>Bench),
  // e.g. cli (`errand add` end to end) and ui (first paint of a 100k list); they need a build
  for (const file of fs.readdirSync(import.meta.dirname).filter((f) => /^[a-z]+-bench\.mjs$/.test(f) && f !== 'engine-bench.mjs').sort()) {
    const name = file.replace(/-bench\.mjs$/, '');
    if (!pick(name)) continue;
    console.log(`\n${name}…`);
    if (!fs.existsSync(path.join(ROOT, 'out/main/cli.js'))) {
      console.log('  skipped: build first (npm run build)');
      continue;
    }
    try {
      const mod = await import(`./${file}`);
      const run = Object.entries(mod).find(([k, v]) => /^run\w*Bench$/.test(k) && typeof v === 'function')?.[1];
      if (!run) throw new Error(`${file} exports no run…Bench function`);
      rows.push(...((await run({ log: (l) => console.log(`  ${l}`) })) ?? []));
    } catch (e) {
      console.log(`  skipped: ${String(e?.message ?? e).split('\n')[0]}`);
    }
  }
} finally {
  bundle.dispose();
}

console.log(`\nsummary (${Math.round((Date.now() - started) / 1000)} s, node ${process.version}, ${(await import('node:os')).cpus().length} cpus)`);
console.log(`| ${'benchmark'.padEnd(46)} | ${'value'.padStart(9)} | ${'baseline'.padEnd(28)} | ratio | goal |`);
console.log(`|${'-'.repeat(48)}|${'-'.repeat(11)}|${'-'.repeat(30)}|-------|------|`);
for (const r of rows) console.log(`| ${r.bench.padEnd(46)} | ${String(r.value).padStart(9)} | ${String(r.baseline).padEnd(28)} | ${String(r.ratio).padStart(5)} | ${r.goal}${r.ok === false ? ' ✗' : ''} |`);
