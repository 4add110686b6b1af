// Bundles the TypeScript engine into one .mjs that plain `node` can import, for child
// processes (a host the recovery test kills, benchmarks). Dependencies (better-sqlite3,
// zod) stay external, so the bundle is written inside the repo's node_modules/.cache
// where Node resolves them. Each call gets its own directory: engineers share a checkout.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = path.join(ROOT, 'test/helpers/core-bundle-entry.ts');

/** Builds the bundle; returns its path and a function removing it. */
export async function buildEngineBundle() {
  const { build } = await import('vite');
  const base = path.join(ROOT, 'node_modules/.cache/errand-core-bundle');
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
      ssr: ENTRY,
      outDir,
      emptyOutDir: false,
      target: 'node20',
      minify: false,
      write: true,
      copyPublicDir: false,
      rolldownOptions: { output: { format: 'es', entryFileNames: 'engine.mjs' } },
    },
  });
  const file = path.join(outDir, 'engine.mjs');
  if (!fs.existsSync(file)) throw new Error(`engine bundle missing: ${file}`);
  return { file, dispose: () => fs.rmSync(outDir, { recursive: true, force: true }) };
}
