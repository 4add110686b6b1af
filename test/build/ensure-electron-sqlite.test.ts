// The Electron-ABI binding script, against a fake project root and a fake runner:
// where it builds, that an existing build means no work, the fallback order, and that
// node_modules/better-sqlite3 itself is never touched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  CACHE,
  EnsureError,
  bindingDir,
  bindingFile,
  buildSteps,
  distBindingFile,
  ensureElectronSqlite,
  readVersions,
  stageForDist,
  type Runner,
} from '../../build/scripts/ensure-electron-sqlite.mjs';

let root: string;
const write = (rel: string, text: string): void => {
  const f = path.join(root, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
};

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'errand-ensure-'));
  write('node_modules/electron/package.json', JSON.stringify({ name: 'electron', version: '41.7.1' }));
  write('node_modules/better-sqlite3/package.json', JSON.stringify({ name: 'better-sqlite3', version: '12.11.1' }));
  write('node_modules/better-sqlite3/lib/index.js', 'module.exports = 1;');
  write('node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'NODE-ABI BINARY');
  write('node_modules/prebuild-install/package.json', JSON.stringify({ name: 'prebuild-install', bin: './bin.js' }));
  write('node_modules/prebuild-install/bin.js', '');
  write('node_modules/node-gyp/package.json', JSON.stringify({ name: 'node-gyp', bin: { 'node-gyp': './bin/node-gyp.js' } }));
  write('node_modules/node-gyp/bin/node-gyp.js', '');
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const V = { sqliteVersion: '12.11.1', electronVersion: '41.7.1', platform: 'linux', arch: 'x64' };
const quiet = (): void => {};

/** A runner that records calls and "builds" (writes the .node file) on the chosen tool. */
function fakeRunner(succeedOn: 'prebuild-install' | 'node-gyp' | 'none') {
  const calls: { tool: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv }[] = [];
  const run: Runner = (_cmd, args, opts) => {
    const tool = args[0]!.includes('prebuild-install') ? 'prebuild-install' : 'node-gyp';
    calls.push({ tool, args: args.slice(1), cwd: opts.cwd, env: opts.env });
    // the copy must not carry the Node build
    expect(fs.existsSync(path.join(opts.cwd, 'build'))).toBe(false);
    expect(fs.existsSync(path.join(opts.cwd, 'lib', 'index.js'))).toBe(true);
    if (tool !== succeedOn) return 1;
    fs.mkdirSync(path.join(opts.cwd, 'build', 'Release'), { recursive: true });
    fs.writeFileSync(path.join(opts.cwd, 'build', 'Release', 'better_sqlite3.node'), `ELECTRON ${tool}`);
    return 0;
  };
  return { run, calls };
}

describe('paths', () => {
  test('one folder per better-sqlite3 × electron × platform × arch', () => {
    expect(bindingDir('/p', V)).toBe(path.join('/p', 'node_modules', '.cache', 'errand-electron-sqlite', '12.11.1-electron-41.7.1-linux-x64'));
    expect(bindingFile('/d')).toBe(path.join('/d', 'build', 'Release', 'better_sqlite3.node'));
    expect(bindingDir('/p', { ...V, electronVersion: '42.0.0' })).not.toBe(bindingDir('/p', V));
    expect(bindingDir('/p', { ...V, arch: 'arm64' })).not.toBe(bindingDir('/p', V));
  });

  test('the dist copy lives at the fixed path electron-builder.yml names', () => {
    expect(distBindingFile('/p', 'darwin', 'arm64')).toBe(path.join('/p', CACHE, 'dist', 'darwin-arm64', 'better_sqlite3.node'));
    const yml = fs.readFileSync(path.resolve('build/electron-builder.yml'), 'utf8');
    expect(yml).toContain(`from: ${CACHE.split(path.sep).join('/')}/dist/\${platform}-\${arch}/better_sqlite3.node`);
  });

  test('readVersions reads the installed packages', () => {
    expect(readVersions(root)).toEqual({ electronVersion: '41.7.1', sqliteVersion: '12.11.1' });
  });

  test('the real project: versions match package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve('package.json'), 'utf8'));
    const v = readVersions(path.resolve('.'));
    expect(v.electronVersion).toBe(pkg.devDependencies.electron);
    expect(v.sqliteVersion).toBe(pkg.dependencies['better-sqlite3']);
  });
});

describe('buildSteps', () => {
  test('prebuild-install for Electron first, then node-gyp against Electron headers', () => {
    const steps = buildSteps({ root, electronVersion: '41.7.1', platform: 'linux', arch: 'x64', env: {}, execPath: '/usr/bin/node' });
    expect(steps.map((s) => s.cmd)).toEqual(['/usr/bin/node', '/usr/bin/node']);
    expect(steps[0]!.args).toEqual([path.join(root, 'node_modules', 'prebuild-install', 'bin.js'), '--runtime', 'electron', '--target', '41.7.1', '--arch', 'x64', '--platform', 'linux', '--verbose']);
    expect(steps[1]!.args).toEqual([
      path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
      'rebuild',
      '--release',
      '--runtime=electron',
      '--target=41.7.1',
      '--arch=x64',
      '--dist-url=https://electronjs.org/headers',
    ]);
  });
});

describe('ensureElectronSqlite', () => {
  test('already built: returns the path and runs nothing', () => {
    const dir = bindingDir(root, V);
    fs.mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
    fs.writeFileSync(bindingFile(dir), 'ELECTRON');
    const { run, calls } = fakeRunner('prebuild-install');
    expect(ensureElectronSqlite({ root, platform: 'linux', arch: 'x64', run, log: quiet })).toEqual({ file: bindingFile(dir), built: false });
    expect(calls).toEqual([]);
  });

  test('builds a copy with prebuild-install, in the copy, and never touches node_modules/better-sqlite3', () => {
    const { run, calls } = fakeRunner('prebuild-install');
    const r = ensureElectronSqlite({ root, platform: 'linux', arch: 'x64', run, log: quiet, env: {} });
    expect(r.built).toBe(true);
    expect(fs.readFileSync(r.file, 'utf8')).toBe('ELECTRON prebuild-install');
    expect(calls.map((c) => c.tool)).toEqual(['prebuild-install']);
    expect(calls[0]!.cwd).not.toBe(path.join(root, 'node_modules', 'better-sqlite3'));
    expect(calls[0]!.env.npm_config_runtime).toBe('electron');
    expect(fs.readFileSync(path.join(root, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node'), 'utf8')).toBe('NODE-ABI BINARY');
    // no temporary folders left behind
    expect(fs.readdirSync(path.join(root, CACHE))).toEqual([path.basename(bindingDir(root, V))]);
    // second run: fast path
    const again = fakeRunner('prebuild-install');
    expect(ensureElectronSqlite({ root, platform: 'linux', arch: 'x64', run: again.run, log: quiet }).built).toBe(false);
    expect(again.calls).toEqual([]);
  });

  test('falls back to node-gyp when no prebuilt binary can be had', () => {
    const { run, calls } = fakeRunner('node-gyp');
    const r = ensureElectronSqlite({ root, platform: 'linux', arch: 'x64', run, log: quiet, env: {} });
    expect(calls.map((c) => c.tool)).toEqual(['prebuild-install', 'node-gyp']);
    expect(fs.readFileSync(r.file, 'utf8')).toBe('ELECTRON node-gyp');
  });

  test('a step that exits 0 without a binary does not count as built', () => {
    const calls: string[] = [];
    const run: Runner = (_c, args) => (calls.push(args[0]!), 0);
    expect(() => ensureElectronSqlite({ root, platform: 'linux', arch: 'x64', run, log: quiet, env: {} })).toThrow(/prebuild-install produced no binary; node-gyp produced no binary/);
    expect(calls).toHaveLength(2);
  });

  test('when both fail: one clear error saying what to do, and nothing that looks built', () => {
    const { run } = fakeRunner('none');
    let err: unknown;
    try {
      ensureElectronSqlite({ root, platform: 'linux', arch: 'x64', run, log: quiet, env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EnsureError);
    const msg = (err as Error).message;
    expect(msg).not.toContain('\n');
    expect(msg).toMatch(/prebuild-install exited 1; node-gyp exited 1/);
    expect(msg).toContain('run `node build/scripts/ensure-electron-sqlite.mjs` again');
    expect(fs.existsSync(bindingDir(root, V))).toBe(false);
    expect(fs.readdirSync(path.join(root, CACHE))).toEqual([]);
  });

  test('stageForDist copies the binary to the packager path', () => {
    const { run } = fakeRunner('prebuild-install');
    const { file } = ensureElectronSqlite({ root, platform: 'linux', arch: 'x64', run, log: quiet, env: {} });
    const out = stageForDist(root, file, 'linux', 'x64');
    expect(out).toBe(distBindingFile(root, 'linux', 'x64'));
    expect(fs.readFileSync(out, 'utf8')).toBe('ELECTRON prebuild-install');
  });
});
