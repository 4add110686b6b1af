#!/usr/bin/env node
// npm start: build, make sure better-sqlite3 exists for Electron's ABI, run the tray app.
// Without Electron's binary (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or offline)
// it says so and how to get the same job window in a browser instead.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EnsureError, ensureElectronSqlite, resolveBin } from './ensure-electron-sqlite.mjs';

/** The Electron executable, or null when the package is installed without its binary. */
export function electronBinary(root) {
  const dir = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(dir, 'path.txt');
  if (!fs.existsSync(pathFile)) return null;
  const exe = path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH || path.join(dir, 'dist'), fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(exe) ? exe : null;
}

export const MISSING_ELECTRON = [
  "errand: Electron's binary isn't installed (node_modules/electron has no dist/), so the tray app cannot start.",
  '  To get it, reinstall with internet access and without ELECTRON_SKIP_BINARY_DOWNLOAD:  npm ci',
  '  Meanwhile `npx errand serve --ui` runs the same job window in a browser.',
].join('\n');

/** The environment Electron runs with: the Electron-ABI binding, and never in Node mode. */
export function electronEnv(env, bindingFile) {
  const out = { ...env, ERRAND_SQLITE_BINDING: bindingFile };
  delete out.ELECTRON_RUN_AS_NODE;
  return out;
}

function main() {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const exe = electronBinary(root);
  if (!exe) {
    process.stderr.write(`${MISSING_ELECTRON}\n`);
    process.exit(1);
  }
  const vite = resolveBin(root, 'electron-vite');
  const built = spawnSync(process.execPath, [vite, 'build'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) {
    process.stderr.write('errand: the build failed (see above); fix it and run npm start again.\n');
    process.exit(built.status ?? 1);
  }
  let file;
  try {
    ({ file } = ensureElectronSqlite({ root }));
  } catch (e) {
    process.stderr.write(`errand: ${e instanceof EnsureError ? e.message : (e?.stack ?? e)}\n`);
    process.exit(1);
  }
  const child = spawn(exe, [root, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env: electronEnv(process.env, file) });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) main();
