import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CHROMIUM, type Env, launch, SKIP_REASON, startEnv } from './harness';

if (SKIP_REASON) console.warn(SKIP_REASON);

describe.skipIf(Boolean(SKIP_REASON))('refusals seen from Chromium', { timeout: 60_000 }, () => {
  let browser: Browser;
  let env: Env;
  beforeAll(async () => {
    browser = await launch();
    env = await startEnv();
  });
  afterAll(async () => {
    await browser?.close();
    await env?.cleanup();
  });

  test('no token or a wrong one: a short page that says how to get the link, and no app', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const url of [`http://127.0.0.1:${env.ui.port}/`, `http://127.0.0.1:${env.ui.port}/?token=wrong`]) {
      const res = await page.goto(url);
      expect(res!.status()).toBe(401);
      expect(await page.textContent('body')).toContain('errand serve --ui');
      expect(await page.locator('#root').count()).toBe(0);
    }
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });

  test('a page from another origin cannot open the WebSocket, even with the cookie in the jar', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(env.ui.url);
    await page.getByTestId('status-line').waitFor();
    expect((await context.cookies()).map((c) => c.name)).toEqual([`errand_ui_${env.ui.port}`]);
    // same site (127.0.0.1), other port: the SameSite cookie still goes along, so Origin is what stops it
    const evil = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    try {
      const other = await context.newPage();
      await other.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      const outcome = await other.evaluate(
        (port) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
            ws.onopen = () => resolve('open');
            ws.onclose = (e) => resolve(`closed ${e.code}`);
          }),
        env.ui.port,
      );
      expect(outcome).toBe('closed 1006');
      // the served page itself still connects
      const own = await page.evaluate(
        (port) =>
          new Promise<string>((resolve) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
            ws.onopen = () => (ws.close(), resolve('open'));
            ws.onclose = (e) => resolve(`closed ${e.code}`);
          }),
        env.ui.port,
      );
      expect(own).toBe('open');
    } finally {
      evil.close();
      await context.close();
    }
  });

  test('DNS rebinding: a foreign host name that resolves to 127.0.0.1 is refused', async () => {
    const rebinding = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--no-first-run', '--host-resolver-rules=MAP rebind.test 127.0.0.1'],
    });
    try {
      const page = await rebinding.newPage();
      const res = await page.goto(`http://rebind.test:${env.ui.port}/?token=${env.ui.token}`);
      expect(res!.status()).toBe(421);
      expect(await page.textContent('h1')).toBe('Wrong host');
      expect(await page.context().cookies()).toEqual([]);
    } finally {
      await rebinding.close();
    }
  });
});
