import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tempHome } from '../helpers/temp-home';
import { launch, SKIP_REASON, shot } from './harness';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'electron/cli/bin/errand');
const hasCli = fs.existsSync(path.join(ROOT, 'out/main/cli.js'));
const skip = SKIP_REASON || (hasCli ? '' : 'e2e skipped: the CLI is not built (npx electron-vite build)');
if (skip) console.warn(skip);

/** `errand serve --ui --port 0`, as a user would start it; resolves with the link it prints. */
function serve(home: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--ui', '--port', '0', '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`errand serve --ui printed no URL:\n${out}`)), 15_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`errand serve exited (${code}):\n${out}`)));
  });
}

const errand = (home: string, ...args: string[]) => run(process.execPath, [CLI, '--home', home, ...args], { cwd: home });

describe.skipIf(Boolean(skip))('errand serve --ui (the real CLI)', { timeout: 60_000 }, () => {
  let browser: Browser;
  let home: string;
  let cleanup: () => void;
  let server: { child: ChildProcess; url: string };
  beforeAll(async () => {
    ({ home, cleanup } = tempHome('errand-cli-ui-'));
    server = await serve(home);
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    if (server && server.child.exitCode === null) {
      await errand(home, 'shutdown').catch(() => server.child.kill('SIGTERM'));
      await new Promise((r) => (server.child.exitCode === null ? server.child.once('exit', r) : r(null)));
    }
    cleanup?.();
  });

  test('the printed link opens the window; jobs added with errand add appear live; errand ask is approved from the window', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const context = await browser.newContext({ viewport: { width: 1360, height: 820 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url);
    // the token became a cookie and the address bar is clean
    expect(new URL(page.url()).search).toBe('');
    await page.getByRole('heading', { name: 'No jobs yet' }).waitFor();

    const { stdout } = await errand(home, 'add', '--title', 'Asks before deploying', '--', 'sh', '-c', 'echo building; errand ask "Deploy to prod?" && echo deployed');
    const id = Number(stdout.trim());
    expect(id).toBe(1);
    const row = page.locator(`#job-row-${id}`);
    await row.getByText('waiting for approval: Deploy to prod?').waitFor({ timeout: 15_000 });
    await row.click();
    await page.getByTestId('approval').getByRole('heading', { name: 'Deploy to prod?' }).waitFor();
    await shot(page, 'cli-ask');
    await page.keyboard.press('a');
    await page.getByRole('option', { name: /^#1 .*, done/ }).waitFor({ timeout: 15_000 });
    await page.getByTestId('log').getByText('deployed').waitFor();
    const logs = await errand(home, 'logs', String(id));
    expect(logs.stdout).toContain('deployed');
    const show = await errand(home, 'show', String(id), '--json');
    const detail = JSON.parse(show.stdout);
    expect(JSON.stringify(detail)).toContain('"decidedBy":"ui"');
    expect(errors).toEqual([]);
    await context.close();
  });
});
