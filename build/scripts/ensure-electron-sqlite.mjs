#!/usr/bin/env node
// better-sqlite3 built for Electron's ABI, in its own folder.
//
// node_modules/better-sqlite3 stays built for Node: tests, the CLI and the headless host
// load it. The tray app loads this second build through better-sqlite3's nativeBinding
// option. We never rebuild node_modules/better-sqlite3 in place (electron-builder
// install-app-deps and @electron/rebuild delete the Node build first and, offline, leave
// none): we copy the package and build the copy.
//
//   node build/scripts/ensure-electron-sqlite.mjs [--arch A] [--platform P]
//
// prints the path of the .node file; also copies it to a fixed per-platform path that
// build/electron-builder.yml ships as an extra resource.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CACHE = path.join('node_modules', '.cache', 'errand-electron-sqlite');
const BINDING = path.join('build', 'Release', 'better_sqlite3.node');

/** Installed versions: electron (the runtime we build for) and better-sqlite3 (what we build). */
export function readVersions(root) {
  const version = (pkg) => JSON.parse(fs.readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  return { electronVersion: version('electron'), sqliteVersion: version('better-sqlite3') };
}

/** One folder per (better-sqlite3, electron, platform, arch): upgrading either builds anew. */
export function bindingDir(root, { sqliteVersion, electronVersion, platform, arch }) {
  return path.join(root, CACHE, `${sqliteVersion}-electron-${electronVersion}-${platform}-${arch}`);
}

export const bindingFile = (dir) => path.join(dir, BINDING);

/** The fixed path electron-builder copies from (${platform}-${arch} macros in its config). */
export const distBindingFile = (root, platform, arch) => path.join(root, CACHE, 'dist', `${platform}-${arch}`, 'better_sqlite3.node');

/** A package's bin script, from its package.json (so no shell and no PATH lookup). */
export function resolveBin(root, pkg, name = pkg) {
  const dir = path.join(root, 'node_modules', pkg);
  const manifest = path.join(dir, 'package.json');
  if (!fs.existsSync(manifest)) return null;
  const { bin } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  const rel = typeof bin === 'string' ? bin : bin?.[name];
  return rel ? path.join(dir, rel) : null;
}

/** node-gyp: the project's, else the one npm runs scripts with, else the one bundled with npm. */
export function findNodeGyp(root, env = process.env, execPath = process.execPath) {
  const candidates = [
    resolveBin(root, 'node-gyp'),
    env.npm_config_node_gyp,
    path.join(path.dirname(execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(path.dirname(execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && fs.existsSync(c)) ?? null;
}

/** The two ways to get the binary, in order: a prebuilt download, then a local compile. */
export function buildSteps({ root, electronVersion, platform, arch, env = process.env, execPath = process.execPath }) {
  const steps = [];
  const prebuild = resolveBin(root, 'prebuild-install');
  if (prebuild) {
    steps.push({
      label: 'prebuild-install (download a prebuilt binary for Electron)',
      cmd: execPath,
      args: [prebuild, '--runtime', 'electron', '--target', electronVersion, '--arch', arch, '--platform', platform, '--verbose'],
    });
  }
  const gyp = findNodeGyp(root, env, execPath);
  if (gyp) {
    steps.push({
      label: 'node-gyp (compile against Electron headers)',
      cmd: execPath,
      args: [gyp, 'rebuild', '--release', '--runtime=electron', `--target=${electronVersion}`, `--arch=${arch}`, '--dist-url=https://electronjs.org/headers'],
    });
  }
  return steps;
}

/** Copies the package without its build/ (the Node binary and object files). */
export function copyPackage(src, dest) {
  fs.rmSync(dest, { recursive: true, force: true });
  fs.cpSync(src, dest, {
    recursive: true,
    filter: (p) => {
      const rel = path.relative(src, p);
      return rel !== 'build' && !rel.startsWith(`build${path.sep}`);
    },
  });
}

/** Runs a step with its output on stderr, so stdout carries only the resulting path. */
export const defaultRun = (cmd, args, opts) => spawnSync(cmd, args, { stdio: ['ignore', 2, 2], ...opts }).status ?? 1;

export class EnsureError extends Error {}

/**
 * Returns { file, built }. Already built → no work at all. Otherwise builds in a
 * temporary copy and moves it into place only when the binary exists, so an
 * interrupted or failed build never looks finished.
 */
export function ensureElectronSqlite({ root, platform = process.platform, arch = process.arch, run = defaultRun, log = (m) => process.stderr.write(`${m}\n`), env = process.env } = {}) {
  const versions = readVersions(root);
  const dir = bindingDir(root, { ...versions, platform, arch });
  const file = bindingFile(dir);
  if (fs.existsSync(file)) return { file, built: false };

  const src = path.join(root, 'node_modules', 'better-sqlite3');
  const tmp = `${dir}.tmp-${process.pid}`;
  log(`errand: building better-sqlite3 ${versions.sqliteVersion} for Electron ${versions.electronVersion} (${platform}-${arch}) in ${path.relative(root, dir)}`);
  copyPackage(src, tmp);
  const steps = buildSteps({ root, electronVersion: versions.electronVersion, platform, arch, env });
  const tried = [];
  try {
    for (const step of steps) {
      log(`errand: trying ${step.label}`);
      const code = run(step.cmd, step.args, { cwd: tmp, env: { ...env, npm_config_runtime: 'electron', npm_config_target: versions.electronVersion } });
      if (code === 0 && fs.existsSync(bindingFile(tmp))) {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(tmp, dir);
        return { file, built: true };
      }
      tried.push(`${step.label.split(' ')[0]} ${code === 0 ? 'produced no binary' : `exited ${code}`}`);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  throw new EnsureError(
    `could not get better-sqlite3 for Electron ${versions.electronVersion} (${tried.join('; ') || 'no prebuild-install or node-gyp found'}). ` +
      `It needs internet access to github.com (prebuilt binary) or electronjs.org (headers for a local compile, plus a C++ toolchain): ` +
      `connect and run \`node build/scripts/ensure-electron-sqlite.mjs\` again.`,
  );
}

/** Copies the binary to the fixed path the packager reads. */
export function stageForDist(root, file, platform, arch) {
  const out = distBindingFile(root, platform, arch);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.copyFileSync(file, out);
  return out;
}

function argValue(argv, name) {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const platform = argValue(process.argv, '--platform') ?? process.platform;
  const arch = argValue(process.argv, '--arch') ?? process.arch;
  try {
    const { file } = ensureElectronSqlite({ root, platform, arch });
    stageForDist(root, file, platform, arch);
    process.stdout.write(`${file}\n`);
  } catch (e) {
    process.stderr.write(`errand: ${e instanceof EnsureError ? e.message : e?.stack ?? e}\n`);
    process.exit(1);
  }
}
