import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Job } from '../../electron/contract/job';
import { script, startAgentEnv } from './agent-env';
import { type Env, launch, openPage, SKIP_REASON, shot, startEnv } from './harness';

// Agent jobs in Chromium against a real engine: the steps timeline of a running agent
// (a stand-in codex, see agent-env.ts), a tool approval decided from the window with a
// scope, and Apply on a patch: applied, already applied, and a conflict.

const EDIT = `diff --git a/src/greet.ts b/src/greet.ts
index 3b18e51..a0c1f2d 100644
--- a/src/greet.ts
+++ b/src/greet.ts
@@ -1,3 +1,4 @@
 export function greet(name: string): string {
-  return 'Hello ' + name;
+  const who = name.trim() || 'there';
+  return \`Hello, \${who}.\`;
 }
`;

if (SKIP_REASON) console.warn(SKIP_REASON);

describe.skipIf(Boolean(SKIP_REASON))('agent jobs in the job window (Chromium, real engine)', { timeout: 90_000 }, () => {
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

  const untilAsync = async <T>(fn: () => Promise<T | undefined | false | null>, ms = 15_000, what = 'condition'): Promise<T> => {
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
      20_000,
      `job #${id} ${status ?? 'to finish'}`,
    );
  const row = (page: Page, id: number) => page.locator(`#job-row-${id}`);

  test('the steps timeline of a running agent: one row per tool call, the running one last and followed; usage beside it', async () => {
    env = await startAgentEnv();
    // 18 tool calls of every kind, one failing; usage reported half-way; the last one still running
    const calls: [string, string, string | null, number][] = [
      ['read', 'read src/greet.ts', 'src/greet.ts', 150],
      ['search', 'search "Hello "', 'rg -n "Hello "', 100],
      ['read', 'read src/greet.test.ts', 'src/greet.test.ts', 120],
      ['plan', 'plan: 3 steps', null, 50],
      ['edit', 'edit src/greet.ts', EDIT, 400],
      ['run', 'run npm test', 'npm test', 1400],
      ['read', 'read package.json', 'package.json', 80],
      ['web', 'fetch nodejs.org/api/string', 'https://nodejs.org/api/string.html', 200],
      ['edit', 'edit src/greet.ts', EDIT, 300],
      ['run', 'run npm test -- greet', 'npm test -- greet', 900],
      ['search', 'search "farewell"', null, 100],
      ['read', 'read src/farewell.ts', 'src/farewell.ts', 120],
      ['edit', 'edit src/farewell.ts', '@@ -1 +1 @@\n-bye\n+goodbye\n', 350],
      ['other', 'todo_write', null, 40],
      ['read', 'read README.md', 'README.md', 90],
      ['edit', 'edit README.md', '@@ -3 +3,2 @@\n Says hello.\n+Trims names.\n', 200],
      ['run', 'run npm test', 'npm test', 700],
      ['run', 'run npm run lint', 'npm run lint', 0],
    ];
    const tools: object[] = [];
    calls.forEach(([kind, summary, detail, pause], i) => {
      tools.push({ t: 'tool', id: i, kind, summary, detail });
      if (pause) tools.push({ t: 'sleep', ms: pause }, { t: 'tool_done', id: i, ok: i !== 5 });
      if (i === 9) tools.push({ t: 'usage', in: 18_234, out: 2_210, cached: 12_000, cost: 0.0734 });
    });
    // the last one runs until the test cancels the job
    const steps = [{ t: 'todo', items: ['find the greeting', 'fix it', 'run the tests'] }, ...tools, { t: 'sleep', ms: 60_000 }];
    const j = await env.host.call('add', { kind: 'agent', agent: { with: 'codex', task: script(steps), model: 'gpt-5-codex' }, cwd: env.work, isolate: 'none', title: 'Fix the greeting', timeoutMs: 30 * 60_000 });
    expect(j.agent).toMatchObject({ with: 'codex', model: 'gpt-5-codex' });
    const { page, errors } = await openPage(browser, env, { height: 720 });
    await row(page, j.id).click();
    const tl = page.getByRole('region', { name: 'Steps' });
    const running = tl.locator('li.tl-row.st-running');
    await tl.locator('li.tl-row').nth(calls.length - 1).waitFor({ timeout: 20_000 });
    await running.getByText('run npm run lint').waitFor();
    // the running one is the last row, and in view
    expect(await tl.locator('li.tl-row').last().getAttribute('class')).toContain('st-running');
    const list = page.getByTestId('timeline');
    expect(await list.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 10)).toBe(true);
    expect(await tl.locator('li.tl-row.st-failed .tl-name').textContent()).toBe('run npm test');
    // the list row names the current tool call beside the agent
    await row(page, j.id).locator('.activity').getByText('run npm run lint').waitFor();
    expect(await row(page, j.id).locator('.agent-tag').textContent()).toBe('Codex');
    const facts = page.getByRole('complementary', { name: 'Agent' });
    await facts.getByText('18.2k in').waitFor();
    expect(await facts.textContent()).toContain('$0.07');
    await shot(page, 'agent-timeline');
    // scrolled up, the newest step is not forced back into view
    await list.evaluate((el) => el.scrollTo({ top: 0 }));
    await page.getByRole('button', { name: /Follow/ }).and(page.locator('[aria-pressed=false]')).waitFor();
    // open an edit: its diff, drawn like the patch view; and the failed run's command line
    await tl.getByRole('button', { name: /edit src\/greet.ts/ }).first().click();
    await tl.getByRole('region', { name: 'Changes to src/greet.ts' }).first().waitFor();
    await tl.getByRole('button', { name: /run npm test \(run a command, failed/ }).click();
    await tl.locator('pre.tl-cmd').getByText('npm test').waitFor();
    await shot(page, 'agent-timeline-open');
    // f: follow again, back to the running step
    await page.keyboard.press('f');
    await expect.poll(() => list.evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 10)).toBe(true);
    // dark, and the tray app's smallest window (the agent's facts go above the steps)
    for (const [name, opts] of [['agent-timeline-dark', { colorScheme: 'dark' as const }], ['agent-timeline-narrow', { width: 760, height: 560 }]] as const) {
      const other = await openPage(browser, env, opts);
      await row(other.page, j.id).click();
      await other.page.getByRole('region', { name: 'Steps' }).locator('li.tl-row.st-running').waitFor();
      await shot(other.page, name);
      expect(other.errors).toEqual([]);
      await other.context.close();
    }
    await env.host.call('cancel', { ids: [j.id] });
    await settled(j.id);
    expect(errors).toEqual([]);
  });

  test('an agent’s tool requests: the diff of an edit approved once, a command approved for the rest of the job', async () => {
    env = await startAgentEnv();
    const j = await env.host.call('add', {
      kind: 'agent',
      agent: {
        with: 'codex',
        task: script([
          { t: 'tool', id: 1, kind: 'read', summary: 'read src/greet.ts', detail: 'src/greet.ts' },
          { t: 'tool_done', id: 1, ok: true },
          { t: 'ask', q: 'Edit src/greet.ts?', context: EDIT, tool: 'Edit' },
          { t: 'ask', q: 'Run npm test?', context: `npm test -- --run\ncwd: ${env.work}`, tool: 'Bash' },
          { t: 'ask', q: 'Run npm run lint?', context: 'npm run lint', tool: 'Bash' },
          { t: 'msg', text: 'Done: greet trims names.' },
        ]),
      },
      cwd: env.work,
      isolate: 'none',
      title: 'Tidy the greeting',
    });
    await settled(j.id, 'waiting');
    const { page, errors } = await openPage(browser, env, { height: 900 });
    await row(page, j.id).click();
    const card = page.getByTestId('detail').getByTestId('approval');
    await card.getByRole('heading', { name: /Edit src\/greet.ts\?/ }).waitFor();
    expect(await card.locator('.tool-chip').textContent()).toBe('Edit');
    await card.getByRole('region', { name: 'Changes to src/greet.ts' }).waitFor();
    await shot(page, 'agent-approval-diff');
    await page.getByTestId('job-list').focus();
    await page.keyboard.press('a');
    // the next request: a command with its directory
    await card.getByRole('heading', { name: /Run npm test\?/ }).waitFor();
    expect(await card.locator('pre.ctx-cmd').textContent()).toBe('npm test -- --run');
    await page.getByRole('button', { name: /Approvals/ }).click();
    const inbox = page.getByRole('region', { name: 'Approvals' });
    await inbox.getByText('Run npm test?').waitFor();
    await shot(page, 'agent-approval-command');
    await inbox.getByRole('button', { name: /Approve for this job/ }).click();
    const done = await settled(j.id);
    expect(done.status).toBe('succeeded');
    const d = await env.host.call('get', { id: j.id });
    // the second Bash request was not asked: approved for the job
    expect(d.approvals.map((a) => [a.tool, a.decision, a.scope, a.decidedBy])).toEqual([
      ['Edit', 'approved', 'once', 'ui'],
      ['Bash', 'approved', 'job', 'ui'],
    ]);
    await inbox.getByText('Nothing is waiting for you.', { exact: false }).waitFor();
    expect(errors).toEqual([]);
  });

  test('New job: an agent from the window, its field errors from the host, then its row', async () => {
    env = await startAgentEnv();
    await env.host.call('setSettings', { values: { 'agents.codex.model': 'gpt-5-codex' } });
    const { page, errors } = await openPage(browser, env);
    await page.keyboard.press('n');
    const dlg = page.getByRole('dialog', { name: 'New job' });
    await dlg.getByRole('radio', { name: 'Agent' }).check();
    await dlg.getByRole('radio', { name: 'Codex' }).check();
    const task = dlg.getByRole('textbox', { name: 'Task' });
    await task.fill(script([{ t: 'tool', id: 1, kind: 'read', summary: 'read README.md', detail: 'README.md' }, { t: 'tool_done', id: 1, ok: true }, { t: 'msg', text: 'Nothing to fix.' }]));
    await expect.poll(() => dlg.getByRole('textbox', { name: 'Model' }).getAttribute('placeholder')).toBe('default: gpt-5-codex');
    await dlg.getByRole('textbox', { name: 'Directory' }).fill(env.work);
    await dlg.getByRole('textbox', { name: 'Endpoint' }).fill('not a url');
    await dlg.getByRole('radio', { name: 'None' }).check();
    await dlg.getByRole('textbox', { name: 'Title' }).fill('Look for problems');
    await shot(page, 'new-agent-job');
    // the host refuses the endpoint: the field says so, the form stays
    await task.press('ControlOrMeta+Enter');
    await dlg.getByTestId('new-error').getByText(/endpoint/).waitFor();
    expect(await dlg.getByRole('textbox', { name: 'Endpoint' }).getAttribute('aria-invalid')).toBe('true');
    await shot(page, 'new-agent-job-error');
    await dlg.getByRole('textbox', { name: 'Endpoint' }).fill('');
    await dlg.getByRole('button', { name: /Add job/ }).click();
    await dlg.waitFor({ state: 'detached', timeout: 5000 }).catch(async (e: unknown) => {
      throw new Error(`the form stayed: ${await dlg.getByTestId('new-error').textContent().catch(() => '(no error shown)')}`, { cause: e });
    });
    const added = await untilAsync(async () => (await env!.host.call('list', {})).jobs[0], 5000, 'the job');
    expect(added).toMatchObject({ kind: 'agent', title: 'Look for problems', agent: { with: 'codex', model: 'gpt-5-codex' } });
    expect((await settled(added.id)).status).toBe('succeeded');
    await row(page, added.id).locator('.agent-tag').getByText('Codex').waitFor();
    expect((await env.host.call('get', { id: added.id })).isolation).toBeNull();
    expect(errors).toEqual([]);
  });

  test('Apply a patch: applied, already applied, and a conflict with git’s whole message', async () => {
    env = await startEnv();
    const repo = env.work;
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } });
    git('init', '-q', '-b', 'main');
    fs.mkdirSync(path.join(repo, 'src'));
    fs.writeFileSync(path.join(repo, 'src/greet.ts'), "export function greet(name: string): string {\n  return 'Hello ' + name;\n}\n");
    fs.writeFileSync(path.join(repo, 'README.md'), '# greet\n\nSays hello.\n');
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    // two --patch jobs on one repo: each runs in its own worktree (isolate auto), the tree stays as it is
    const fix = await env.host.call('add', {
      command: { shell: "printf '%s\\n' 'export function greet(name: string): string {' '  return `Hello, ${name.trim()}.`;' '}' > src/greet.ts && echo 'Trims names.' >> README.md" },
      cwd: repo,
      capturePatch: true,
      title: 'Fix the greeting',
    });
    // the person has a scratch file lying around: the second job says it was left out
    fs.writeFileSync(path.join(repo, 'scratch.txt'), 'notes\n');
    const other = await env.host.call('add', { command: { shell: "printf '%s\\n' 'export function greet(name: string): string {' \"  return 'Hi ' + name;\" '}' > src/greet.ts" }, cwd: repo, capturePatch: true, title: 'Say hi' });
    expect((await settled(fix.id)).status).toBe('succeeded');
    expect((await settled(other.id)).status).toBe('succeeded');
    const fixDetail = await env.host.call('get', { id: fix.id });
    expect(fixDetail.result?.type).toBe('patch');
    // however isolation landed, the patches go into an unchanged tree
    git('checkout', '--', '.');

    const { page, errors } = await openPage(browser, env, { height: 900 });
    await row(page, fix.id).click();
    if (fixDetail.isolation) {
      await page.getByTestId('isolation').getByText(fixDetail.isolation.branch).waitFor();
      expect(await page.getByRole('note').count()).toBe(0);
    }
    const apply = page.getByTestId('apply');
    await apply.getByRole('button', { name: /Apply/ }).click();
    await page.getByTestId('apply-outcome').getByText(/^✓ Applied to .*: 2 files$/).waitFor();
    expect(fs.readFileSync(path.join(repo, 'src/greet.ts'), 'utf8')).toContain('`Hello, ${name.trim()}.`');
    await shot(page, 'apply-applied');
    // again, from the keyboard: already applied
    await page.getByTestId('job-list').focus();
    await page.keyboard.press('y');
    await page.getByTestId('apply-outcome').getByText(/^Already applied in .*; nothing changed$/).waitFor();
    // the fix is committed; the other job's patch, made from the old line, now conflicts
    git('commit', '-q', '-am', 'fix the greeting');
    await row(page, other.id).click();
    if ((await env.host.call('get', { id: other.id })).isolation) {
      await page.getByRole('note').getByText('Your uncommitted changes were not included', { exact: false }).waitFor();
    }
    await page.keyboard.press('y');
    const refused = page.getByTestId('apply-refused');
    await refused.waitFor();
    expect(await refused.locator('.apply-why').textContent()).toMatch(new RegExp(`^Job #${other.id}'s patch conflicts with .* in src/greet.ts\\. They now hold conflict markers`));
    const gitSays = await refused.locator('pre.git-says').textContent();
    expect(gitSays).toMatch(/^git says:\n/);
    expect(gitSays).toContain('with conflicts');
    expect(fs.readFileSync(path.join(repo, 'src/greet.ts'), 'utf8')).toContain('<<<<<<<');
    await shot(page, 'apply-conflict');
    expect(errors).toEqual([]);
  });
});
