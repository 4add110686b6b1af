#!/usr/bin/env node
// `prepare`: npm runs it on `npm ci`, and also every time `npx errand` resolves this
// checkout's own bin. Build only when a source is newer than the last build, so npx stays
// fast and never empties out/ under a host or CLI that is running from it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const STAMP = path.join(ROOT, 'out', '.build-stamp');
const INPUTS = ['electron', 'renderer', 'electron.vite.config.ts', 'package.json', 'package-lock.json', 'tsconfig.base.json'];

/** The newest modification time below a path (files only). */
export function newestMtime(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const name of fs.readdirSync(p)) if (name !== 'node_modules') max = Math.max(max, newestMtime(path.join(p, name)));
  return max;
}

export function upToDate(root = ROOT) {
  const stamp = path.join(root, 'out', '.build-stamp');
  if (!fs.existsSync(stamp)) return false;
  const built = fs.statSync(stamp).mtimeMs;
  return INPUTS.every((i) => newestMtime(path.join(root, i)) <= built);
}

function main() {
  if (upToDate()) return;
  const vite = path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const r = spawnSync(process.execPath, [vite, 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  fs.writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
