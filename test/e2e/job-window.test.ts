import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Job } from '../../electron/contract/job';
import { silentLogger } from '../../electron/core/logger';
import { serveUi } from '../../electron/host/http-server';
import { type Env, launch, openPage, SKIP_REASON, shot, STATIC_DIR, startEnv } from './harness';

const PATCH = `diff --git a/src/greet.ts b/src/greet.ts
index 3b18e51..a0c1f2d 100644
--- a/src/greet.ts
+++ b/src/greet.ts
@@ -1,7 +1,9 @@
 export function greet(name: string): string {
-  return 'Hello ' + name;
+  const who = name.trim() || 'there';
+  return \`Hello, \${who}.\`;
 }
 
 export function farewell(name: string): string {
-  return 'Bye ' + name;
+  return \`Goodbye, \${name}.\`;
 }
+
diff --git a/README.md b/README.md
index 1111111..2222222 100644
--- a/README.md
+++ b/README.md
@@ -1,3 +1,4 @@
 # greet
 
 Says hello.
+Trims names and falls back to "there".
`;

if (SKIP_REASON) console.warn(SKIP_REASON);

describe.skipIf(Boolean(SKIP_REASON))('job window in Chromium against a real host', { timeout: 60_000 }, () => {
  let browser: Browser;
  let env: Env | null = null;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await env?.cleanup();
    env = null;
  });

  const untilAsync = async <T>(fn: () => Promise<T | undefined | false | null>, ms = 10_000, what = 'condition'): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const jobOf = async (id: number): Promise<Job> => (await env!.host.call('get', { id })).job;
  const settled = (id: number, status?: Job['status']) =>
    untilAsync(
      async () => {
        const j = await jobOf(id);
        return (status ? j.status === status : ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(j.status)) ? j : undefined;
      },
      15_000,
      `job #${id} ${status ?? 'to finish'}`,
    );
  const row = (page: Page, id: number) => page.locator(`#job-row-${id}`);
  /** A row whose accessible name says the status, e.g. "#3 Deploy, cancelled, …". */
  const rowIs = (page: Page, id: number, status: string) => page.getByRole('option', { name: new RegExp(`^#${id} .*, ${status}(,|$)`) });

  test('enqueue through the UI and through the host API; both show up live', async () => {
    env = await startEnv();
    const { page, errors } = await openPage(browser, env);
    await page.getByRole('heading', { name: 'No jobs yet' }).waitFor();
    await shot(page, 'empty');
    await page.getByRole('button', { name: /New job/ }).click();
    const dlg = page.getByRole('dialog', { name: 'New job' });
    await dlg.getByRole('textbox', { name: 'Command' }).fill('echo from the window; sleep 0.2');
    await dlg.getByRole('textbox', { name: 'Directory' }).fill(env.work);
    await dlg.getByRole('textbox', { name: 'Title' }).fill('Typed in the window');
    await dlg.getByRole('textbox', { name: 'Labels' }).fill('work');
    await dlg.getByRole('button', { name: /Add job/ }).click();
    await row(page, 1).getByText('Typed in the window').waitFor();
    const viaApi = await env.host.call('add', { command: { shell: 'echo from the API' }, cwd: env.work, title: 'Added through the host API', labels: ['home'] });
    await row(page, viaApi.id).getByText('Added through the host API').waitFor();
    await settled(1);
    await settled(viaApi.id);
    await rowIs(page, 1, 'done').waitFor();
    const first = await jobOf(1);
    expect(first.labels).toEqual(['work']);
    expect((await env.host.call('get', { id: 1 })).events[0]!.by).toBe('ui');
    expect(errors).toEqual([]);
  });

  test('a live log: follows the tail, stops when scrolled up, searches, downloads byte for byte', async () => {
    env = await startEnv();
    const script = `printf 'bin:\\000\\377\\n'; for i in $(seq 1 400); do printf 'line %d \\033[32mPASS\\033[0m src/t%d.test.ts\\n' $i $i; sleep 0.01; done; sleep 30`;
    const j = await env.host.call('add', { command: { shell: script }, cwd: env.work, title: 'Chatty test run', plan: ['install', 'unit tests', 'e2e tests'] });
    const { page, errors } = await openPage(browser, env);
    await row(page, j.id).click();
    const log = page.getByTestId('log');
    await log.getByText('line 400 PASS').waitFor({ timeout: 15_000 });
    // followed: the last line is on screen
    const atBottom = () => log.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 20);
    expect(await atBottom()).toBe(true);
    const green = log.locator('span.ansi-green-fg').first();
    expect(await green.textContent()).toBe('PASS');
    await shot(page, 'detail-log');
    // scrolling up stops following
    await log.evaluate((el) => el.scrollTo({ top: 0 }));
    await page.getByRole('button', { name: /Follow/ }).and(page.locator('[aria-pressed=false]')).waitFor();
    // search
    await page.keyboard.press('s');
    await typingTarget(page);
    await page.keyboard.type('t37');
    await page.getByTestId('log-hits').getByText('1/11').waitFor();
    await page.keyboard.press('Enter');
    await page.getByTestId('log-hits').getByText('2/11').waitFor();
    expect(await log.locator('mark').count()).toBeGreaterThan(0);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    // download: exactly the bytes on disk
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    const saved = await download.path();
    const onDisk = fs.readFileSync(path.join(env.home, 'logs', String(j.id), '1.log'));
    const got = fs.readFileSync(saved!);
    expect(got.subarray(0, 7)).toEqual(Buffer.from([0x62, 0x69, 0x6e, 0x3a, 0x00, 0xff, 0x0a]));
    expect(got.equals(onDisk.subarray(0, got.length))).toBe(true);
    expect(got.length).toBeGreaterThan(10_000);
    expect(download.suggestedFilename()).toBe(`errand-job-${j.id}-attempt-1.log`);
    expect(errors).toEqual([]);
  });

  test('plan beside record, progress and ETA with its basis', async () => {
    env = await startEnv();
    const j = await env.host.call('add', { command: { shell: 'sleep 30' }, cwd: env.work, title: 'npm test (api)', labels: ['work'], plan: ['install', 'unit tests', 'e2e tests'] });
    const running = await settled(j.id, 'running');
    await env.host.call('jobStep', { jobId: j.id, attempt: running.attempt, name: 'install', status: 'done' });
    await env.host.call('jobStep', { jobId: j.id, attempt: running.attempt, name: 'unit tests' });
    const { page } = await openPage(browser, env);
    await row(page, j.id).click();
    for (let done = 10; done <= 31; done += 7) {
      await env.host.call('jobProgress', { jobId: j.id, attempt: running.attempt, done, total: 50, unit: 'files', label: 'jest --ci' });
      await new Promise((r) => setTimeout(r, 300));
    }
    await page.getByTestId('detail').getByText(/ETA \d+[sm]/).first().waitFor({ timeout: 10_000 });
    await page.getByTestId('detail').getByText('(from its progress rate)').waitFor();
    const plan = page.getByRole('region', { name: 'Plan' });
    await plan.getByText('unit tests (running)').waitFor();
    expect(await plan.locator('li').allTextContents()).toEqual(['✓install (done)', '▸unit tests (running)', '○e2e tests (planned)']);
    const rec = page.getByRole('region', { name: 'Done so far' });
    expect(await rec.locator('li').count()).toBe(2);
    expect(await row(page, j.id).locator('[role=progressbar]').getAttribute('aria-valuenow')).toBe('62');
    await shot(page, 'detail-progress');
  });

  test('approve a job that asked (jobAsk), with a diff as context; deny another', async () => {
    env = await startEnv();
    const a = await env.host.call('add', { command: { shell: 'sleep 30' }, cwd: env.work, title: 'Write 3 files in ~/notes' });
    const b = await env.host.call('add', { command: { shell: 'sleep 30' }, cwd: env.work, title: 'Deploy preview' });
    const ra = await settled(a.id, 'running');
    const rb = await settled(b.id, 'running');
    const { approvalId } = await env.host.call('jobAsk', { jobId: a.id, attempt: ra.attempt, question: 'Write these 3 files?', context: PATCH });
    const decided = env.host.call('awaitDecision', { approvalId });
    await env.host.call('jobAsk', { jobId: b.id, attempt: rb.attempt, question: 'Run rm -rf build?', context: 'rm -rf build' });
    const { page, errors } = await openPage(browser, env);
    await page.getByRole('button', { name: /Needs you/ }).getByText('2').waitFor();
    await row(page, a.id).click();
    const card = page.getByTestId('detail').getByTestId('approval');
    await card.getByRole('heading', { name: 'Write these 3 files?' }).waitFor();
    await card.getByRole('region', { name: 'Changes to src/greet.ts' }).waitFor();
    await shot(page, 'approval');
    await page.getByRole('button', { name: /Approvals/ }).click();
    await page.getByRole('region', { name: 'Approvals' }).getByText('Run rm -rf build?').waitFor();
    await shot(page, 'approvals-inbox');
    await page.getByRole('button', { name: /All jobs/ }).click();
    await row(page, a.id).click();
    await page.getByTestId('job-list').focus();
    await page.keyboard.press('a');
    expect(await decided).toEqual({ decision: 'approved', note: null });
    await rowIs(page, a.id, 'running').waitFor();
    // deny with a note, from the keyboard
    await row(page, b.id).click();
    await page.keyboard.press('Shift+D');
    await page.keyboard.type('not today');
    await page.getByTestId('detail').getByRole('button', { name: /Deny/ }).click();
    const denied = await untilAsync(async () => (await env!.host.call('get', { id: b.id })).approvals.find((x) => x.decision === 'denied'), 5000, 'the denial');
    expect(denied.note).toBe('not today');
    expect(denied.decidedBy).toBe('ui');
    expect(errors).toEqual([]);
  });

  test('cancel (with confirmation) and retry keep their attempts', async () => {
    env = await startEnv();
    const j = await env.host.call('add', { command: { shell: 'echo attempt; sleep 30' }, cwd: env.work, title: 'Long job' });
    await settled(j.id, 'running');
    const { page } = await openPage(browser, env);
    await row(page, j.id).click();
    await page.keyboard.press('c');
    const dlg = page.getByRole('dialog', { name: `Cancel job #${j.id}?` });
    await dlg.waitFor();
    await shot(page, 'cancel-confirm');
    await page.keyboard.press('Enter');
    await settled(j.id, 'cancelled');
    await rowIs(page, j.id, 'cancelled').waitFor();
    await page.keyboard.press('r');
    await untilAsync(async () => (await jobOf(j.id)).attempt === 2, 5000, 'attempt 2');
    await rowIs(page, j.id, 'running').waitFor();
    await page.getByRole('tab', { name: /Attempts/ }).click();
    await page.getByRole('table', { name: 'Attempts' }).locator('tbody tr').nth(1).waitFor();
    expect(await page.getByRole('table', { name: 'Attempts' }).locator('tbody tr').count()).toBe(2);
    await page.getByRole('tab', { name: /Events/ }).click();
    const trail = page.getByRole('table', { name: 'Event trail' });
    await trail.getByRole('cell', { name: 'cancelled', exact: true }).first().waitFor();
    expect(await trail.textContent()).toContain('retried');
  });

  test('results: a patch as a diff, a report as markdown, JSON as a tree', async () => {
    env = await startEnv();
    const kinds = [
      { title: 'Fix greeting', result: { type: 'patch' as const, summary: '2 files changed, +5 −2', patch: PATCH } },
      { title: 'Summarise inbox', result: { type: 'report' as const, summary: '3 threads need replies', markdown: '## Inbox\n\n- **Ana**: contract draft, reply by Friday\n- **Build bot**: 2 failures on `main`\n\n<img src="https://example.com/x.png">\n\n| thread | age |\n|---|---|\n| Ana | 2d |' } },
      { title: 'Count files', result: { type: 'json' as const, summary: '3 kinds', value: { images: 120, documents: { pdf: 14, md: 51 }, other: [1, 2, 3] } } },
    ];
    const ids: number[] = [];
    for (const k of kinds) {
      const j = await env.host.call('add', { command: { shell: 'sleep 1' }, cwd: env.work, title: k.title });
      const r = await settled(j.id, 'running');
      await env.host.call('jobResult', { jobId: j.id, attempt: r.attempt, result: k.result });
      ids.push(j.id);
    }
    for (const id of ids) await settled(id, 'succeeded');
    const { page, errors } = await openPage(browser, env);
    await row(page, ids[0]!).click();
    const result = page.getByTestId('result');
    await result.getByRole('region', { name: 'Changes to src/greet.ts' }).waitFor();
    expect(await result.locator('.diff-code-insert').count()).toBeGreaterThan(2);
    await page.getByRole('button', { name: 'Copy patch' }).waitFor();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Save job-${ids[0]}.patch` }).click()]);
    expect(fs.readFileSync((await dl.path())!, 'utf8')).toBe(PATCH);
    await shot(page, 'result-patch');
    await row(page, ids[1]!).click();
    await page.getByTestId('result').getByRole('heading', { name: 'Inbox' }).waitFor();
    expect(await page.getByTestId('result').locator('img').count()).toBe(0);
    await shot(page, 'result-report');
    await row(page, ids[2]!).click();
    await page.getByTestId('result').getByText('images').waitFor();
    await shot(page, 'result-json');
    expect(errors).toEqual([]);
  });

  test('keyboard only: new job, move, open, pause, priority, hold, cancel, retry, filter, help', async () => {
    env = await startEnv({ concurrency: 1 });
    await env.host.call('add', { command: { shell: 'sleep 30' }, cwd: env.work, title: 'Blocker' });
    await settled(1, 'running');
    const { page, errors } = await openPage(browser, env);
    await page.keyboard.press('n');
    await typingTarget(page);
    await page.keyboard.type('sleep 20');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(env.work);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Queued behind');
    await page.keyboard.press('Enter');
    await row(page, 2).waitFor();
    expect((await jobOf(2)).title).toBe('Queued behind');
    // the new job is selected; raise its priority, hold it, release it
    await page.keyboard.press('Escape');
    await page.keyboard.press('+');
    await untilAsync(async () => (await jobOf(2)).priority === 1, 5000, 'priority 1');
    await row(page, 2).locator('.prio').getByText('+1').waitFor();
    await page.keyboard.press('h');
    await untilAsync(async () => (await jobOf(2)).status === 'held', 5000, 'held');
    await rowIs(page, 2, 'held').waitFor();
    await page.keyboard.press('h');
    await untilAsync(async () => (await jobOf(2)).status === 'queued', 5000, 'released');
    // pause and resume the queue
    await page.keyboard.press('p');
    await untilAsync(async () => (await env!.host.call('queue', {})).paused, 5000, 'paused');
    await page.getByTestId('status-line').getByText(/paused/).waitFor();
    await page.keyboard.press('p');
    await untilAsync(async () => !(await env!.host.call('queue', {})).paused, 5000, 'resumed');
    // move to the blocker, open it, cancel it
    await page.keyboard.press('g');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('detail');
    await page.keyboard.press('c');
    await page.keyboard.press('Enter');
    await settled(1, 'cancelled');
    await settled(2, 'running');
    await rowIs(page, 1, 'cancelled').waitFor();
    await page.keyboard.press('r');
    // back in the queue, behind #2 (one slot): it waits, and says so
    await untilAsync(async () => (await jobOf(1)).status === 'queued', 5000, 'retried');
    await page.getByTestId('activity').getByText('waiting for a slot (1/1 busy)').waitFor();
    // filter, then clear it
    await page.keyboard.press('/');
    await typingTarget(page);
    await page.keyboard.type('queued behind');
    await page.getByText('1 of 2').waitFor();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.getByText('2 jobs').waitFor();
    // every shortcut is listed
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard' }).waitFor();
    await shot(page, 'shortcuts');
    await page.keyboard.press('Escape');
    expect(await page.getByRole('dialog').count()).toBe(0);
    // focus is always visible on the list
    const outline = await page.getByTestId('job-list').evaluate((el) => getComputedStyle(el).boxShadow);
    expect(outline).not.toBe('none');
    expect(errors).toEqual([]);
  });

  test('reconnects quietly after the transport drops, and resyncs from a fresh snapshot', async () => {
    env = await startEnv();
    await env.host.call('add', { command: { shell: 'true' }, cwd: env.work, title: 'Before the drop' });
    const { page } = await openPage(browser, env);
    await row(page, 1).waitFor();
    const port = env.ui.port;
    await env.ui.close();
    await page.getByTestId('conn').getByText(/reconnecting/).waitFor();
    await shot(page, 'reconnecting');
    await env.host.call('add', { command: { shell: 'true' }, cwd: env.work, title: 'Added while away' });
    await env.host.call('remove', { ids: [1] }).catch(() => undefined);
    env.ui = await serveUi({ handlers: env.host.handlers, listen: env.host.listen, home: env.home, port, staticDir: STATIC_DIR, log: silentLogger });
    await row(page, 2).getByText('Added while away').waitFor({ timeout: 15_000 });
    await page.getByTestId('conn').waitFor({ state: 'detached' });
  });

  test('a replaced token: the window stops retrying and says how to get back in', async () => {
    env = await startEnv();
    const { page } = await openPage(browser, env);
    const port = env.ui.port;
    await env.ui.close();
    fs.rmSync(path.join(env.home, 'ui-token'));
    env.ui = await serveUi({ handlers: env.host.handlers, listen: env.host.listen, home: env.home, port, staticDir: STATIC_DIR, log: silentLogger });
    await page.getByTestId('conn').getByText('This window’s access link is no longer valid. Open the link errand serve --ui prints.').waitFor({ timeout: 20_000 });
  });

  test('dark mode and a busy queue look calm', async () => {
    env = await startEnv({ concurrency: 2 });
    const w = env.work;
    const add = (title: string, shell: string, extra: Record<string, unknown> = {}) => env!.host.call('add', { command: { shell }, cwd: w, title, ...extra });
    await add('Rename photos', 'true', { labels: ['home'] });
    await add('Deploy preview', 'echo "\\033[31merror\\033[0m: missing key"; exit 1', { labels: ['work'] });
    await settled(2);
    await add('npm test (api)', 'for i in $(seq 1 200); do echo "PASS src/t$i.test.ts"; sleep 0.1; done', { labels: ['work'], plan: ['install', 'unit tests', 'e2e tests'] });
    await add('Summarise inbox', 'sleep 60', { labels: ['home'] });
    await add('Resize images', 'sleep 5', { labels: ['home'], priority: 5 });
    await add('Backup notes', 'sleep 5', { after: [5] });
    const r3 = await settled(3, 'running');
    const r4 = await settled(4, 'running');
    await env.host.call('jobStep', { jobId: 3, attempt: r3.attempt, name: 'install', status: 'done' });
    await env.host.call('jobStep', { jobId: 3, attempt: r3.attempt, name: 'unit tests' });
    await env.host.call('jobProgress', { jobId: 3, attempt: r3.attempt, done: 31, total: 50, unit: 'files', label: null });
    await env.host.call('jobAsk', { jobId: 4, attempt: r4.attempt, question: 'Send the summary to ana@example.com?' });
    for (const scheme of ['dark', 'light'] as const) {
      const { page, context } = await openPage(browser, env, { colorScheme: scheme });
      await row(page, 3).click();
      await page.getByTestId('log').getByText('PASS').first().waitFor();
      await shot(page, `overview-${scheme}`);
      await context.close();
    }
    // the tray app's smallest window: the sidebar folds into a view picker
    const { page, context } = await openPage(browser, env, { width: 760, height: 560 });
    await row(page, 4).click();
    await page.getByRole('combobox', { name: 'View' }).waitFor();
    await shot(page, 'narrow');
    await context.close();
  });
});

/** Waits until a text field has focus: keys typed before that would go elsewhere, as they would for a person. */
async function typingTarget(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(() => ['INPUT', 'TEXTAREA'].includes(document.activeElement?.tagName ?? ''))).toBe(true);
}
