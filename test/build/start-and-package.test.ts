// npm start's checks, and the electron-builder config checked with electron-builder's
// own schema validator (so a typo fails here, not at release time).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { MISSING_ELECTRON, electronBinary, electronEnv } from '../../build/scripts/start.mjs';

const require = createRequire(import.meta.url);
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) fs.rmSync(t, { recursive: true, force: true });
});
function fakeRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'errand-start-'));
  temps.push(root);
  fs.mkdirSync(path.join(root, 'node_modules', 'electron'), { recursive: true });
  return root;
}

describe('npm start', () => {
  test('no path.txt (binary download skipped): no Electron', () => {
    expect(electronBinary(fakeRoot())).toBeNull();
  });

  test('path.txt naming a missing file: no Electron', () => {
    const root = fakeRoot();
    fs.writeFileSync(path.join(root, 'node_modules', 'electron', 'path.txt'), 'electron');
    expect(electronBinary(root)).toBeNull();
  });

  test('path.txt and the binary in dist/: found', () => {
    const root = fakeRoot();
    fs.writeFileSync(path.join(root, 'node_modules', 'electron', 'path.txt'), 'electron');
    fs.mkdirSync(path.join(root, 'node_modules', 'electron', 'dist'));
    fs.writeFileSync(path.join(root, 'node_modules', 'electron', 'dist', 'electron'), '');
    expect(electronBinary(root)).toBe(path.join(root, 'node_modules', 'electron', 'dist', 'electron'));
  });

  test('the environment carries the binding and never runs Electron as Node', () => {
    const env = electronEnv({ PATH: '/bin', ELECTRON_RUN_AS_NODE: '1' }, '/cache/b.node');
    expect(env).toEqual({ PATH: '/bin', ERRAND_SQLITE_BINDING: '/cache/b.node' });
  });

  test.skipIf(electronBinary(path.resolve('.')) !== null)('without the binary, npm start says what to do and exits non-zero', () => {
    const r = spawnSync(process.execPath, ['build/scripts/start.mjs'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`${MISSING_ELECTRON}\n`);
    expect(r.stderr).toContain('npm ci');
    expect(r.stderr).toContain('ELECTRON_SKIP_BINARY_DOWNLOAD');
    expect(r.stderr).toContain('npx errand serve --ui');
  });
});

describe('electron-builder config', () => {
  const yaml = require('js-yaml') as { load(text: string): Record<string, unknown> };
  const config = yaml.load(fs.readFileSync(path.resolve('build/electron-builder.yml'), 'utf8'));

  test('passes electron-builder’s own schema', async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(c: unknown, debug: { isEnabled: boolean; add(k: string, v: unknown): void }): Promise<void>;
    };
    await expect(validateConfiguration(config, { isEnabled: false, add: () => {} })).resolves.toBeUndefined();
    // and the validator does reject a wrong one
    await expect(validateConfiguration({ ...config, npmRebuild: 'no' }, { isEnabled: false, add: () => {} })).rejects.toThrow();
  });

  test('the essentials: id, name, app files, no native rebuild, sqlite unpacked, targets', () => {
    expect(config).toMatchObject({
      appId: expect.any(String),
      productName: 'Errand',
      npmRebuild: false,
      asar: true,
      asarUnpack: ['node_modules/better-sqlite3/**'],
      linux: { target: ['AppImage', 'deb'] },
      mac: { target: 'dmg' },
      win: { target: 'nsis' },
    });
    expect(config.files).toEqual(expect.arrayContaining(['out/**', 'package.json']));
  });

  test('ships the Electron binding and the icons where the shell looks for them', () => {
    const extra = config.extraResources as { from: string; to: string }[];
    expect(extra.find((e) => e.from.endsWith('better_sqlite3.node'))?.to).toBe('native/better_sqlite3.node');
    expect(extra.find((e) => e.from === 'build/icons')?.to).toBe('icons');
    for (const p of ['build/icons/icon.png', 'build/icons/linux/256x256.png', 'build/icons/linux/512x512.png']) expect(fs.existsSync(p), p).toBe(true);
  });
});
