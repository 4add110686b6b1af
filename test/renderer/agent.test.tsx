import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { ErrandError } from '../../electron/contract/errors';
import type { Approval, Isolation, Job, JobDetail, JobResult, Step } from '../../electron/contract/job';
import { asUnifiedDiff, commandContext } from '../../renderer/src/ui/diff';
import { formatCost, formatTokens } from '../../renderer/src/ui/format';
import { niceSpanMs } from '../../renderer/src/views/agent';
import { formField } from '../../renderer/src/views/dialogs';
import { approval, detailOf, FakeClient, job, snapshot } from './fixtures';
import { key, renderApp, settle } from './render';

// Agent jobs in the window: the steps timeline with the agent beside it, the patch with
// its report and Apply, tool approvals with a scope, the New job form's Agent kind, and
// the list row's agent label.

const EDIT_DIFF = `diff --git a/src/a.ts b/src/a.ts
index 1111111..2222222 100644
--- a/src/a.ts
+++ b/src/a.ts
@@ -1,3 +1,3 @@
 export const a = 1;
-export const b = 2;
+export const b = 3;
 export const c = 4;
`;

const PATCH = `${EDIT_DIFF}diff --git a/README.md b/README.md
index 3333333..4444444 100644
--- a/README.md
+++ b/README.md
@@ -1 +1,2 @@
 # demo
+b is 3 now.
`;

const CONFLICT = `Job #4's patch conflicts with /home/me/project in src/a.ts. They now hold conflict markers: resolve them, or restore them with git checkout -- <file>.
git says:
error: patch failed: src/a.ts:1
Falling back to three-way merge...
Applied patch to 'src/a.ts' with conflicts.
U src/a.ts`;

const T0 = Date.now() - 60_000;

function step(over: Partial<Step> & { index: number; name: string }): Step {
  return { attempt: 1, status: 'done', startedAt: T0 + over.index * 5000, finishedAt: T0 + over.index * 5000 + 4000, tool: null, detail: null, ...over };
}

function agentJob(over: Partial<Job> = {}): Job {
  return job({
    id: 4,
    kind: 'agent',
    title: 'Fix the b constant',
    command: 'codex: Fix the b constant and update the README',
    status: 'running',
    attempt: 1,
    startedAt: T0,
    activity: 'run npm test',
    agent: { with: 'codex', model: 'gpt-5-codex', usage: { inputTokens: 12_345, outputTokens: 2_100, cachedTokens: 8_000, costUsd: 0.0421 } },
    ...over,
  });
}

const ISOLATION: Isolation = { repo: '/home/me/project', branch: 'errand/4', worktree: '/home/me/.config/Errand/worktrees/4', base: '0123456789abcdef0123456789abcdef01234567', leftOutChanges: true };

function setup(jobs: Job[], details: Record<number, Partial<JobDetail>> = {}, approvals: Approval[] = []) {
  const c = new FakeClient(snapshot(jobs, approvals));
  const byId = new Map(jobs.map((j) => [j.id, j]));
  c.on('get', ({ id }) => detailOf(byId.get(id) ?? job({ id }), details[id] ?? {}));
  c.on('logs', ({ attempt }) => ({ data: '', offset: 0, size: 0, attempt: attempt ?? 1, done: true }));
  c.on('markRead', () => ({ ok: true }));
  return c;
}

const rowsOf = (tl: HTMLElement) => [...tl.querySelectorAll('li.tl-row')];

describe('the steps timeline of an agent job', () => {
  const steps = [
    step({ index: 0, name: 'read src/a.ts', tool: 'read', detail: 'src/a.ts' }),
    step({ index: 1, name: 'edit src/a.ts', tool: 'edit', detail: EDIT_DIFF }),
    step({ index: 2, name: 'run npm test', tool: 'run', status: 'failed', detail: 'npm test -- --run' }),
    step({ index: 3, name: 'search "b ="', tool: 'search', detail: null }),
    step({ index: 4, name: 'run npm test', tool: 'run', status: 'running', finishedAt: null, detail: 'npm test' }),
  ];

  test('one row per tool call, in order, with its icon, summary, duration bar and status; the running one last', async () => {
    const j = agentJob({ timeoutMs: 30 * 60_000, plan: ['find the constant', 'fix it', 'run the tests'] });
    const c = setup([j], { 4: { steps: [...steps, step({ index: 9, name: 'fix it', status: 'planned', startedAt: null, finishedAt: null })] } });
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    await settle();
    // an agent job opens on its steps
    expect(screen.getByRole('tab', { name: /Steps/ }).getAttribute('aria-selected')).toBe('true');
    expect(screen.queryByRole('region', { name: 'Done so far' })).toBeNull();
    const tl = screen.getByRole('region', { name: 'Steps' });
    const rows = rowsOf(tl);
    expect(rows.map((r) => r.querySelector('.tl-name')?.textContent)).toEqual(['read src/a.ts', 'edit src/a.ts', 'run npm test', 'search "b ="', 'run npm test']);
    expect(rows.map((r) => r.querySelector('svg.tool-icon')?.getAttribute('class'))).toEqual(['tool-icon ti-read', 'tool-icon ti-edit', 'tool-icon ti-run', 'tool-icon ti-search', 'tool-icon ti-run']);
    expect(rows.map((r) => r.className.match(/st-(\w+)/)![1])).toEqual(['done', 'done', 'failed', 'done', 'running']);
    expect(rows.map((r) => r.querySelector('.tl-mark')?.textContent)).toEqual(['✓', '✓', '✗', '✓', '▸']);
    expect(rows[0]!.querySelector('.tl-took')?.textContent).toBe('4s');
    // the words for people who do not see the icons
    expect(rows[2]!.querySelector('.sr-only')?.textContent).toBe(' (run a command, failed, 4s)');
    // bars share one axis: each starts where its step started in the run
    const bars = rows.map((r) => (r.querySelector('.tl-bar') as HTMLElement).style.left);
    expect(bars.map((l) => parseFloat(l))).toEqual([...bars.map((l) => parseFloat(l))].sort((a, b) => a - b));
    expect(parseFloat(bars[0]!)).toBe(0);
    expect(tl.querySelector('.tl-scale')?.textContent).toBe('0 – 2m');
    expect(tl.querySelector('.tl-head')?.textContent).toContain('5 steps · 1 failed');
    // a row with nothing to show does not pretend to open
    expect(rows[3]!.querySelector('button')).toBeNull();
    // the tab counts the steps
    expect(screen.getByRole('tab', { name: /Steps/ }).textContent).toBe('Steps5');
  });

  test('a row opens its detail: a diff drawn like the patch view, a command in monospace', async () => {
    const c = setup([agentJob()], { 4: { steps } });
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    await settle();
    const tl = screen.getByRole('region', { name: 'Steps' });
    const edit = within(tl).getByRole('button', { name: /edit src\/a.ts/ });
    expect(edit.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(edit);
    expect(edit.getAttribute('aria-expanded')).toBe('true');
    const diff = within(tl).getByRole('region', { name: 'Changes to src/a.ts' });
    expect(diff.querySelector('.diff-code-insert')?.textContent).toContain('export const b = 3;');
    const run = within(tl).getAllByRole('button', { name: /run npm test/ })[0]!;
    fireEvent.click(run);
    expect(tl.querySelector('pre.tl-cmd')?.textContent).toBe('$ npm test -- --run');
    fireEvent.click(run);
    expect(tl.querySelector('pre.tl-cmd')).toBeNull();
  });

  test('beside it: the agent, model, tokens in/out/cached, cost, time left and the plan', async () => {
    const j = agentJob({ timeoutMs: 30 * 60_000, plan: ['find the constant', 'fix it'] });
    const c = setup([j], { 4: { steps: [...steps, step({ index: 7, name: 'find the constant', status: 'done', tool: null }), step({ index: 8, name: 'fix it', status: 'running', finishedAt: null })] } });
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    await settle();
    const facts = screen.getByRole('complementary', { name: 'Agent' });
    expect(facts.textContent).toContain('AgentCodex');
    expect(facts.textContent).toContain('Modelgpt-5-codex');
    expect(within(facts).getByTestId('usage').textContent).toBe('12.3k in2.1k out8k cached');
    expect(within(facts).getByText('12.3k in').getAttribute('title')).toBe(`${(12_345).toLocaleString()} input tokens`);
    expect(facts.textContent).toContain('Cost$0.04');
    expect(facts.textContent).toMatch(/Time left(29|30)m of 30m/);
    const plan = within(facts).getByRole('region', { name: 'Plan' });
    expect([...plan.querySelectorAll('li')].map((l) => l.textContent)).toEqual(['✓find the constant (done)', '▸fix it (running)']);
    // the plan's items are ticked off there, not mixed into the tool calls
    expect(rowsOf(screen.getByRole('region', { name: 'Steps' })).map((r) => r.querySelector('.tl-name')?.textContent)).toEqual(steps.map((st) => st.name));
    // the meta says which agent and what it was asked
    expect(screen.getByTestId('agent').textContent).toBe('Codex gpt-5-codex');
    expect(screen.getByTestId('detail').querySelector('dd.task')?.textContent).toBe('Fix the b constant and update the README');
  });

  test('without usage or model: says so plainly', async () => {
    const c = setup([agentJob({ agent: { with: 'claude', model: null, usage: null } })], { 4: { steps: [] } });
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    await settle();
    const facts = screen.getByRole('complementary', { name: 'Agent' });
    expect(facts.textContent).toContain('AgentClaude Code');
    expect(facts.textContent).toContain('Modelits default');
    expect(facts.textContent).toContain('Tokensnone reported yet');
    expect(facts.textContent).not.toContain('Cost');
    expect(screen.getByRole('region', { name: 'Steps' }).textContent).toContain('No tool call yet.');
  });

  test('follows the newest step unless the reader scrolled up; f toggles following', async () => {
    const j = agentJob();
    let current = steps.slice(0, 3);
    const c = setup([j]);
    c.on('get', () => detailOf(j, { steps: current }));
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    await settle();
    const list = screen.getByTestId('timeline');
    let height = 1000;
    Object.defineProperty(list, 'scrollHeight', { configurable: true, get: () => height });
    Object.defineProperty(list, 'clientHeight', { configurable: true, get: () => 200 });
    const more = async (n: number): Promise<void> => {
      current = steps.slice(0, n);
      height += 24;
      act(() => c.emit({ type: 'job', job: { ...j, activity: `step ${n}` } }));
      await settle(10);
    };
    await more(4);
    expect(list.scrollTop).toBe(1024);
    // scrolled up: stays put
    act(() => {
      list.scrollTop = 100;
      fireEvent.scroll(list);
    });
    expect(screen.getByRole('button', { name: /Follow/ }).getAttribute('aria-pressed')).toBe('false');
    await more(5);
    expect(list.scrollTop).toBe(100);
    // f follows again, and jumps to the newest
    key('f');
    expect(screen.getByRole('button', { name: /Follow/ }).getAttribute('aria-pressed')).toBe('true');
    expect(list.scrollTop).toBe(1048);
    // opening an earlier step to read it stops following, so the next step does not pull the view away
    fireEvent.click(within(list).getByRole('button', { name: /edit src\/a.ts/ }));
    expect(screen.getByRole('button', { name: /Follow/ }).getAttribute('aria-pressed')).toBe('false');
  });

  test('t cycles the tabs of an agent job from its steps', async () => {
    const c = setup([agentJob()], { 4: { steps } });
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    await settle();
    const current = () => screen.getAllByRole('tab').find((t) => t.getAttribute('aria-selected') === 'true')?.textContent;
    expect(current()).toBe('Steps5');
    key('t');
    expect(current()).toBe('Log');
    key('T');
    key('T');
    expect(current()).toMatch(/^Attempts/);
  });

  test('a command job keeps its plan beside its record, and has no steps tab', async () => {
    const j = job({ id: 8, status: 'running', attempt: 1, startedAt: 1, plan: ['install'] });
    const c = setup([j]);
    const { app } = renderApp(c);
    act(() => app.store.getState().select(8));
    await settle();
    expect(screen.getByRole('region', { name: 'Done so far' })).toBeTruthy();
    expect(screen.queryByRole('tab', { name: /Steps/ })).toBeNull();
    expect(screen.getByRole('tab', { name: /Log/ }).getAttribute('aria-selected')).toBe('true');
  });

  test('the axis of a running job grows in round steps', () => {
    expect(niceSpanMs(4000)).toBe(10_000);
    expect(niceSpanMs(61_000)).toBe(120_000);
    expect(niceSpanMs(3 * 86_400_000 + 1)).toBe(4 * 86_400_000);
  });
});

describe('results of an agent: the report, the diff and Apply', () => {
  const result: JobResult = { type: 'patch', summary: '2 files changed, +2 −1', patch: PATCH, report: '## Fixed\n\n`b` is **3** now; the README says so.' };
  const finished = (over: Partial<Job> = {}) => agentJob({ status: 'succeeded', finishedAt: T0 + 30_000, resultSummary: { type: 'patch', summary: result.summary }, ...over });

  test('the report above the diff; the isolation in the detail', async () => {
    const c = setup([finished()], { 4: { result, isolation: ISOLATION } });
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    await settle();
    expect(screen.getByRole('tab', { name: /Result/ }).getAttribute('aria-selected')).toBe('true');
    const res = screen.getByTestId('result');
    const report = within(res).getByRole('region', { name: 'Report' });
    expect(within(report).getByRole('heading', { name: 'Fixed' })).toBeTruthy();
    const diff = within(res).getByRole('region', { name: 'Changes to src/a.ts' });
    expect(report.compareDocumentPosition(diff) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(within(res).getByRole('button', { name: 'Copy patch' })).toBeTruthy();
    expect(within(res).getByRole('button', { name: 'Save job-4.patch' })).toBeTruthy();
    expect(within(res).getByRole('button', { name: 'Copy report' })).toBeTruthy();
    // the repository is the job's own directory here: not said twice
    const iso = screen.getByTestId('isolation');
    expect(iso.textContent).toBe('errand/4 from 0123456 · ~/.config/Errand/worktrees/4');
    expect(screen.getByRole('note').textContent).toBe('Your uncommitted changes were not included: the job started from the last commit.');
  });

  test('a job in a folder of the repository names the repository its worktree comes from', async () => {
    const c = setup([finished({ cwd: '/home/me/project/api' })], { 4: { result, isolation: ISOLATION } });
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    await settle();
    expect(screen.getByTestId('isolation').textContent).toBe('errand/4 from 0123456 of ~/project · ~/.config/Errand/worktrees/4');
    // Apply goes to the repository, not the folder
    expect(screen.getByTestId('apply').textContent).toContain('to ~/project from errand/4');
  });

  test('Apply: applied (and which files), then already applied', async () => {
    const c = setup([finished()], { 4: { result, isolation: { ...ISOLATION, leftOutChanges: false } } });
    let n = 0;
    c.on('apply', ({ id }) => (n++ === 0 ? { id, outcome: 'applied', files: ['src/a.ts', 'README.md'], message: "Applied job #4's patch to /home/me/project: 2 files." } : { id, outcome: 'already-applied', files: ['src/a.ts', 'README.md'], message: 'already' }));
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    await settle();
    expect(screen.queryByRole('note')).toBeNull();
    const bar = screen.getByTestId('apply');
    expect(bar.textContent).toContain('to ~/project from errand/4');
    fireEvent.click(within(bar).getByRole('button', { name: /Apply/ }));
    await settle();
    expect(c.called('apply')).toEqual([{ id: 4 }]);
    expect(screen.getByTestId('apply-outcome').textContent).toBe('✓ Applied to ~/project: 2 files');
    expect(within(bar).getByRole('list', { name: 'Files applied' }).textContent).toBe('src/a.tsREADME.md');
    // y applies from the keyboard too
    key('y');
    await settle();
    expect(c.called('apply')).toHaveLength(2);
    expect(screen.getByTestId('apply-outcome').textContent).toBe('Already applied in ~/project; nothing changed');
  });

  test('a conflict names the files and shows git’s whole message in a scrollable block', async () => {
    const c = setup([finished()], { 4: { result } });
    c.on('apply', () => {
      throw new ErrandError('illegal_transition', CONFLICT);
    });
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    await settle();
    fireEvent.click(within(screen.getByTestId('apply')).getByRole('button', { name: /Apply/ }));
    await settle();
    const refused = screen.getByTestId('apply-refused');
    expect(refused.getAttribute('role')).toBe('alert');
    expect(refused.querySelector('.apply-why')?.textContent).toBe("Job #4's patch conflicts with /home/me/project in src/a.ts. They now hold conflict markers: resolve them, or restore them with git checkout -- <file>.");
    const git = refused.querySelector('pre.git-says')!;
    expect(git.textContent).toBe(CONFLICT.slice(CONFLICT.indexOf('\n') + 1));
    expect(git.getAttribute('tabindex')).toBe('0');
    // without an isolation, the tree is the job's own directory
    expect(screen.getByTestId('apply').textContent).toContain('to ~/project');
  });

  test('y on a job without a patch says so, without calling the host', async () => {
    const c = setup([agentJob()]);
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    key('y');
    expect(screen.getByTestId('job-error').textContent).toBe('Job #4 has no patch to apply.');
    expect(c.called('apply')).toEqual([]);
  });

  test('an earlier attempt’s outcome is not shown for a retried job', async () => {
    const c = setup([finished()], { 4: { result } });
    c.on('apply', ({ id }) => ({ id, outcome: 'applied', files: ['src/a.ts'], message: 'ok' }));
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    await settle();
    key('y');
    await settle();
    expect(screen.getByTestId('apply-outcome').textContent).toContain('Applied');
    act(() => c.emit({ type: 'job', job: finished({ attempt: 2 }) }));
    await settle(10);
    expect(screen.getByTestId('apply-outcome').textContent).toBe('');
  });
});

describe('agent approvals', () => {
  const waiting = () => agentJob({ agent: { with: 'claude', model: null, usage: null }, command: 'claude: tidy the repo', status: 'waiting', activity: 'waiting for approval: Edit src/a.ts?' });

  test('a tool request shows the tool and its diff; a approves once, Shift+A for the rest of the job', async () => {
    const c = setup([waiting()], {}, [approval({ jobId: 4, question: 'Edit src/a.ts?', tool: 'Edit', context: EDIT_DIFF })]);
    c.on('approve', ({ id, note, scope }) => approval({ jobId: id, decision: 'approved', note: note ?? null, scope: scope ?? 'once', tool: 'Edit' }));
    const { app } = renderApp(c);
    act(() => app.store.getState().select(4));
    const card = screen.getByTestId('approval');
    expect(card.querySelector('.tool-chip')?.textContent).toBe('Edit');
    expect(within(card).getByRole('heading', { name: 'Edit Edit src/a.ts?' })).toBeTruthy();
    expect(card.textContent).toContain('asks (Claude Code)');
    expect(within(card).getByRole('region', { name: 'Changes to src/a.ts' })).toBeTruthy();
    expect(within(card).getByRole('button', { name: /Approve once/ })).toBeTruthy();
    expect(within(card).getByRole('button', { name: /Approve for this job/ }).getAttribute('title')).toBe('Approve this and every later Edit request of job #4 (Shift+A)');
    key('a');
    await settle();
    expect(c.called('approve')).toEqual([{ id: 4 }]);
    key('A');
    await settle();
    expect(c.called('approve').at(-1)).toEqual({ id: 4, scope: 'job' });
    // with a note, from the button
    fireEvent.change(within(card).getByRole('textbox', { name: 'Note for job #4' }), { target: { value: 'only src/' } });
    fireEvent.click(within(card).getByRole('button', { name: /Approve for this job/ }));
    await settle();
    expect(c.called('approve').at(-1)).toEqual({ id: 4, note: 'only src/', scope: 'job' });
  });

  test('a command request shows the command line and its directory; a bare hunk is still a diff', async () => {
    const c = setup([waiting(), agentJob({ id: 5, status: 'waiting' })], {}, [
      approval({ jobId: 4, question: 'Run rm -rf build?', tool: 'Bash', context: 'rm -rf build && npm run build\ncwd: /home/me/.config/Errand/worktrees/4' }),
      approval({ jobId: 5, question: 'Edit src/b.ts?', tool: 'Edit', context: '@@ -1 +1 @@\n-old\n+new\n' }),
    ]);
    c.on('deny', ({ id }) => approval({ jobId: id, decision: 'denied' }));
    const { app } = renderApp(c);
    act(() => app.store.getState().setView('approvals'));
    const inbox = screen.getByRole('region', { name: 'Approvals' });
    const cards = within(inbox).getAllByTestId('approval');
    expect(cards[0]!.querySelector('pre.ctx-cmd')?.textContent).toBe('rm -rf build && npm run build');
    expect(cards[0]!.querySelector('.ctx-command')?.textContent).toContain('In~/.config/Errand/worktrees/4');
    expect(within(cards[1]!).getByRole('region', { name: 'Changes to src/b.ts' }).querySelector('.diff-code-insert')?.textContent).toContain('new');
    fireEvent.click(within(cards[0]!).getByRole('button', { name: /Deny/ }));
    await settle();
    expect(c.called('deny')).toEqual([{ id: 4 }]);
  });

  test('Shift+A on a plain question says it is not a tool request; the card has no job-scope button', () => {
    const c = setup([job({ id: 6, status: 'waiting', attempt: 1 })], {}, [approval({ jobId: 6, question: 'Deploy?' })]);
    const { app } = renderApp(c);
    act(() => app.store.getState().select(6));
    const card = screen.getByTestId('approval');
    expect(within(card).queryByRole('button', { name: /for this job/ })).toBeNull();
    expect(within(card).getByRole('button', { name: /^Approve/ }).textContent).toBe('Approve a');
    key('A');
    expect(within(card).getByRole('alert').textContent).toBe('Job #6 asks a question, not for a tool: approve it once (a).');
    expect(c.called('approve')).toEqual([]);
  });

  test('the keyboard sheet lists the new keys', () => {
    renderApp(setup([]));
    key('?');
    const help = screen.getByRole('dialog', { name: 'Keyboard' });
    expect(help.textContent).toContain('AApprove an agent’s tool for the rest of the job');
    expect(help.textContent).toContain('yApply the job’s patch to your tree');
    expect(help.textContent).toContain('DWrite a note first');
  });

  test('commandContext and asUnifiedDiff', () => {
    expect(commandContext('npm test\ncwd: /w')).toEqual({ command: 'npm test', cwd: '/w' });
    expect(commandContext('ls -la\n(in /tmp/x)')).toEqual({ command: 'ls -la', cwd: '/tmp/x' });
    expect(commandContext('echo hi')).toEqual({ command: 'echo hi', cwd: null });
    expect(asUnifiedDiff('@@ -1 +1 @@\n-a\n+b', 'x.ts')).toBe('diff --git a/x.ts b/x.ts\n--- a/x.ts\n+++ b/x.ts\n@@ -1 +1 @@\n-a\n+b');
    expect(asUnifiedDiff('--- a/x.ts\t2024-01-01\n+++ b/x.ts\n@@ -1 +1 @@\n-a\n+b')).toBe('diff --git a/x.ts b/x.ts\n--- a/x.ts\t2024-01-01\n+++ b/x.ts\n@@ -1 +1 @@\n-a\n+b');
    expect(asUnifiedDiff('--- /dev/null\n+++ b/new.ts\n@@ -0,0 +1 @@\n+b')).toBe('diff --git a/new.ts b/new.ts\n--- /dev/null\n+++ b/new.ts\n@@ -0,0 +1 @@\n+b');
    expect(asUnifiedDiff(EDIT_DIFF)).toBe(EDIT_DIFF);
    expect(asUnifiedDiff('src/a.ts')).toBeNull();
  });
});

describe('new job: an agent', () => {
  test('choose the agent, write the task, model and endpoint default from the settings, isolate', async () => {
    localStorage.clear();
    const c = setup([]);
    c.on('settings', () => ({ agents: { claude: { model: 'claude-sonnet-4-5', endpoint: 'http://127.0.0.1:8080' } } }));
    c.on('add', (i) => job({ id: 11, kind: 'agent', cwd: i.cwd }));
    const { app } = renderApp(c);
    key('n');
    const dlg = screen.getByRole('dialog', { name: 'New job' });
    fireEvent.click(within(dlg).getByRole('radio', { name: 'Agent' }));
    fireEvent.click(within(dlg).getByRole('radio', { name: 'Claude Code' }));
    await settle();
    const task = within(dlg).getByRole('textbox', { name: 'Task' });
    expect(task.tagName).toBe('TEXTAREA');
    expect(within(dlg).getByRole('textbox', { name: 'Model' }).getAttribute('placeholder')).toBe('default: claude-sonnet-4-5');
    expect(within(dlg).getByRole('textbox', { name: 'Endpoint' }).getAttribute('placeholder')).toBe('default: http://127.0.0.1:8080');
    fireEvent.click(within(dlg).getByRole('radio', { name: 'Codex' }));
    expect(within(dlg).getByRole('textbox', { name: 'Model' }).getAttribute('placeholder')).toBe('Codex’s default');
    fireEvent.click(within(dlg).getByRole('radio', { name: 'Claude Code' }));
    fireEvent.change(task, { target: { value: 'Fix the flaky test.\nExplain the cause.' } });
    fireEvent.change(within(dlg).getByRole('textbox', { name: 'Directory' }), { target: { value: '/home/me/project' } });
    fireEvent.click(within(dlg).getByRole('radio', { name: 'Own worktree' }));
    expect(dlg.textContent).toContain('Always its own git worktree on a branch errand/<id>');
    // Ctrl+Enter in the task adds the job
    fireEvent.keyDown(task, { key: 'Enter', ctrlKey: true });
    await settle();
    expect(c.called('add')).toEqual([{ kind: 'agent', agent: { with: 'claude', task: 'Fix the flaky test.\nExplain the cause.' }, isolate: 'worktree', cwd: '/home/me/project', priority: 0, retries: 0, after: [], labels: [] }]);
    expect(app.store.getState().dialog).toBeNull();
    // the next form opens on the same kind and agent
    key('n');
    const again = screen.getByRole('dialog', { name: 'New job' });
    expect((within(again).getByRole('radio', { name: 'Agent' }) as HTMLInputElement).checked).toBe(true);
    expect((within(again).getByRole('radio', { name: 'Claude Code' }) as HTMLInputElement).checked).toBe(true);
    expect(document.activeElement).toBe(within(again).getByRole('textbox', { name: 'Task' }));
  });

  test('a host refusal marks the field it names (agent.endpoint); an empty task is caught first', async () => {
    localStorage.clear();
    const c = setup([]);
    c.on('add', () => {
      throw new ErrandError('invalid_input', 'Invalid input: agent.endpoint must be a URL like http://127.0.0.1:8080/v1.', 'agent.endpoint');
    });
    const { app } = renderApp(c);
    act(() => app.store.getState().openDialog({ kind: 'new' }));
    const dlg = screen.getByRole('dialog', { name: 'New job' });
    fireEvent.click(within(dlg).getByRole('radio', { name: 'Agent' }));
    fireEvent.change(within(dlg).getByRole('textbox', { name: 'Directory' }), { target: { value: '/w' } });
    fireEvent.submit(dlg.querySelector('form')!);
    await settle();
    expect(screen.getByTestId('new-error').textContent).toBe('Say what the agent should do.');
    expect(within(dlg).getByRole('textbox', { name: 'Task' }).getAttribute('aria-invalid')).toBe('true');
    expect(c.called('add')).toEqual([]);
    fireEvent.change(within(dlg).getByRole('textbox', { name: 'Task' }), { target: { value: 'do it' } });
    fireEvent.change(within(dlg).getByRole('textbox', { name: 'Endpoint' }), { target: { value: 'not a url' } });
    fireEvent.submit(dlg.querySelector('form')!);
    await settle();
    expect(c.called('add')).toEqual([{ kind: 'agent', agent: { with: 'codex', task: 'do it', endpoint: 'not a url' }, isolate: 'auto', cwd: '/w', priority: 0, retries: 0, after: [], labels: [] }]);
    expect(screen.getByTestId('new-error').textContent).toBe('Invalid input: agent.endpoint must be a URL like http://127.0.0.1:8080/v1.');
    const endpoint = within(dlg).getByRole('textbox', { name: 'Endpoint' });
    expect(endpoint.getAttribute('aria-invalid')).toBe('true');
    expect(endpoint.getAttribute('aria-describedby')).toBe('new-error');
    expect(within(dlg).getByRole('textbox', { name: 'Task' }).getAttribute('aria-invalid')).toBe('false');
  });

  test('formField', () => {
    expect(formField('agent.endpoint')).toBe('agent.endpoint');
    expect(formField('after.1')).toBe('after');
    expect(formField('agent')).toBe('agent');
    expect(formField(undefined)).toBeNull();
  });
});

describe('the list row of an agent job', () => {
  test('shows the agent as a small label and its current tool call', () => {
    renderApp(setup([agentJob(), job({ id: 9, title: 'plain', status: 'running', attempt: 1, startedAt: 1, activity: 'running: make' })]));
    const row = screen.getByRole('option', { name: /#4 Fix the b constant/ });
    expect(row.querySelector('.line2 .agent-tag')?.textContent).toBe('Codex');
    expect(row.querySelector('.line2 .agent-tag')?.getAttribute('title')).toBe('Codex, model gpt-5-codex');
    expect(row.querySelector('.line2 .activity')?.textContent).toBe('run npm test');
    expect(row.getAttribute('aria-label')).toBe('#4 Fix the b constant, running, agent Codex, run npm test');
    expect(screen.getByRole('option', { name: /#9 plain/ }).querySelector('.agent-tag')).toBeNull();
  });

  test('formatTokens / formatCost', () => {
    expect([850, 12_345, 100_000, 2_400_000].map(formatTokens)).toEqual(['850', '12.3k', '100k', '2.4M']);
    expect([0.0421, 0.004, 0, 12.5].map(formatCost)).toEqual(['$0.04', '< $0.01', '$0.00', '$12.50']);
  });
});
