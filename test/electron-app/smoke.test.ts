// The real tray app under Playwright's Electron driver: starts on a temporary data
// dir, shows the locked-down window with the window.errand bridge (frames over IPC),
// answers the window's calls, refuses a second instance, and shuts its host down cleanly.
//
// Skipped, with the reason, when Electron's binary is not installed
// (ELECTRON_SKIP_BINARY_DOWNLOAD=1) or when Linux has no display to open a window on.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type ElectronApplication, type Page, _electron as electron } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureElectronSqlite } from '../../build/scripts/ensure-electron-sqlite.mjs';
import { electronBinary, electronEnv } from '../../build/scripts/start.mjs';
import type { ErrandBridge } from '../../electron/contract/bridge';
import { tempHome } from '../helpers/temp-home';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const EXE = electronBinary(ROOT);
const NO_DISPLAY = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const SKIP = !EXE
  ? "Electron's binary is not installed (node_modules/electron/path.txt or dist/ missing; installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1?)"
  : NO_DISPLAY
    ? 'no display: run under xvfb-run to test the Electron app on Linux'
    : null;
if (SKIP) process.stderr.write(`test/electron-app/smoke.test.ts skipped: ${SKIP}\n`);

type Bridged = { errand: ErrandBridge };
/** The page's own app object (renderer/src/main.tsx): its client is a session over the bridge. */
type Paged = {
  __errand: {
    client: { call(method: string, input: unknown): Promise<unknown> };
    store: { getState(): { jobs: Map<number, { title: string; status: string }> }; subscribe(fn: () => void): () => void };
  };
};
const call = (page: Page, method: string, input: unknown) =>
  page.evaluate(
    ([m, i]) =>
      (window as unknown as Paged).__errand.client.call(m as string, i).then(
        (result) => ({ result }),
        (e: { code: string; field?: string; message: string }) => ({ error: { code: e.code, field: e.field, message: e.message } }),
      ),
    [method, input] as const,
  );

describe.skipIf(SKIP !== null)(`tray app smoke test${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let app: ElectronApplication;
  let page: Page;
  let home: string;
  let cleanup: () => void;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    for (const f of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']) {
      if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: run npm run build first`);
    }
    const { file } = ensureElectronSqlite({ root: ROOT });
    ({ home, cleanup } = tempHome('errand-electron-'));
    env = { ...electronEnv(process.env, file), ERRAND_HOME: home };
    app = await electron.launch({ executablePath: EXE!, args: [ROOT], cwd: ROOT, env: env as Record<string, string> });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 600_000);

  afterAll(async () => {
    await app?.close().catch(() => {}); // already closed by the last test when it ran
    cleanup?.();
  });

  test('the app is named Errand and uses ERRAND_HOME as its data dir', async () => {
    expect(await app.evaluate(({ app: a }) => a.getName())).toBe('Errand');
    expect(await app.evaluate(({ app: a }) => a.getPath('userData'))).toBe(home);
    expect(fs.existsSync(path.join(home, 'errand.db'))).toBe(true);
    expect(fs.existsSync(path.join(home, 'app.log'))).toBe(true);
  });

  test('the window is titled Errand and exposes only the bridge', async () => {
    expect(await page.title()).toContain('Errand');
    const shape = await page.evaluate(() => ({
      bridge: Object.keys((window as unknown as Bridged).errand).sort(),
      require: typeof (globalThis as { require?: unknown }).require,
      process: typeof (globalThis as { process?: unknown }).process,
    }));
    expect(shape).toEqual({ bridge: ['close', 'onFrame', 'onShell', 'open', 'send'], require: 'undefined', process: 'undefined' });
  });

  test('the window’s session answers status, and errors keep their code and field', async () => {
    expect(await call(page, 'status', {})).toMatchObject({ result: { line: 'idle', attention: { needsYou: 0 } } });
    expect(await call(page, 'prioritise', { id: 1, priority: 1e9 })).toMatchObject({ error: { code: 'invalid_input', field: 'priority' } });
  });

  test('a job added from the window runs and its event reaches the window', async () => {
    await call(page, 'add', { title: 'smoke', command: { shell: 'exit 0' }, cwd: home });
    const finished = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const { store } = (window as unknown as Paged).__errand;
          const check = (): boolean => {
            const j = [...store.getState().jobs.values()].find((x) => x.title === 'smoke' && x.status === 'succeeded');
            if (j) resolve(j.title);
            return Boolean(j);
          };
          if (!check()) store.subscribe(() => void check());
        }),
    );
    expect(finished).toBe('smoke');
  });

  test('window.open is denied', async () => {
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
  });

  test('a second launch exits and leaves the first in charge', async () => {
    const second = spawn(EXE!, [ROOT], { cwd: ROOT, env, stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(code).toBe(0);
    expect(await call(page, 'status', {})).toMatchObject({ result: { line: 'idle' } });
  });

  test('quitting closes the host: the lock is released', async () => {
    await app.close();
    expect(fs.existsSync(path.join(home, 'host.lock'))).toBe(false);
  });
});
