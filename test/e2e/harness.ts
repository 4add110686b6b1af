import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { silentLogger } from '../../electron/core/logger';
import { type Host, startHost } from '../../electron/host/host';
import { serveUi, type UiServer } from '../../electron/host/http-server';
import { tempHome } from '../helpers/temp-home';

export const CHROMIUM = process.env.ERRAND_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);
export const STATIC_DIR = path.resolve(import.meta.dirname, '../../out/renderer');
export const hasBuild = fs.existsSync(path.join(STATIC_DIR, 'index.html'));
export const SKIP_REASON = !hasChromium
  ? `e2e skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set ERRAND_CHROMIUM)`
  : !hasBuild
    ? 'e2e skipped: the renderer is not built (npx electron-vite build)'
    : '';
export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../test-results/screenshots');

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface Env {
  home: string;
  work: string;
  host: Host;
  ui: UiServer;
  cleanup(): Promise<void>;
}

/** A real host in a temp data dir plus the HTTP + WebSocket transport on a free port. */
export async function startEnv(opts: { concurrency?: number } = {}): Promise<Env> {
  const { home, cleanup } = tempHome('errand-e2e-');
  const work = path.join(home, 'work');
  fs.mkdirSync(work);
  const host = await startHost({ home, socket: false, killGraceMs: 500 });
  if (opts.concurrency) await host.call('setConcurrency', { concurrency: opts.concurrency });
  const ui = await serveUi({ handlers: host.handlers, listen: host.listen, home: host.home, port: 0, staticDir: STATIC_DIR, log: silentLogger });
  return {
    home,
    work,
    host,
    ui,
    async cleanup() {
      await ui.close();
      await host.close();
      cleanup();
    },
  };
}

export async function openPage(browser: Browser, env: Env, opts: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1360, height: opts.height ?? 820 }, colorScheme: opts.colorScheme ?? 'light', acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(env.ui.url);
  await page.waitForSelector('[data-testid="status-line"]');
  await page.waitForFunction(() => (window as unknown as { __errand?: { store: { getState(): { synced: boolean } } } }).__errand?.store.getState().synced === true);
  return { context, page, errors };
}

export async function shot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
