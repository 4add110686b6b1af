// `npm run bench` (node --expose-gc test/bench/run.mjs [name…]): the benchmarks of
// DESIGN.md §8. Each prints its value, a baseline measured in the same run, and the
// ratio, then a summary table. Pick some by name: enqueue spawn output open cli.
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
  if (pick('cli')) {
    console.log('\ncli…');
    if (fs.existsSync(path.join(ROOT, 'out/main/cli.js'))) {
      try {
        const { runCliBench } = await import('./cli-bench.mjs');
        rows.push(...(await runCliBench({ log: (l) => console.log(`  ${l}`) })));
      } catch (e) {
        console.log(`  skipped: ${e.message.split('\n')[0]}`);
      }
    } else {
      console.log('  skipped: build first (npm run build) for the CLI benchmark');
    }
  }
} finally {
  bundle.dispose();
}

console.log(`\nsummary (${Math.round((Date.now() - started) / 1000)} s, node ${process.version}, ${(await import('node:os')).cpus().length} cpus)`);
console.log(`| ${'benchmark'.padEnd(46)} | ${'value'.padStart(9)} | ${'baseline'.padEnd(28)} | ratio | goal |`);
console.log(`|${'-'.repeat(48)}|${'-'.repeat(11)}|${'-'.repeat(30)}|-------|------|`);
for (const r of rows) console.log(`| ${r.bench.padEnd(46)} | ${String(r.value).padStart(9)} | ${String(r.baseline).padEnd(28)} | ${String(r.ratio).padStart(5)} | ${r.goal}${r.ok === false ? ' ✗' : ''} |`);
