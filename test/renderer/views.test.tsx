import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { ErrandError } from '../../electron/contract/errors';
import type { Job } from '../../electron/contract/job';
import { createApp } from '../../renderer/src/state/app';
import { AppContext } from '../../renderer/src/ui/context';
import { looksLikeDiff } from '../../renderer/src/views/approval';
import { AnsiLine, plainLine, terminalLine } from '../../renderer/src/views/ansi';
import { parseIds, parseLabels } from '../../renderer/src/views/dialogs';
import { ResultView } from '../../renderer/src/views/result';
import { approval, detailOf, FakeClient, job, snapshot } from './fixtures';
import { key, renderApp, settle } from './render';

const PATCH = `diff --git a/notes/a.md b/notes/a.md
index 1111111..2222222 100644
--- a/notes/a.md
+++ b/notes/a.md
@@ -1,3 +1,3 @@
 # Notes
-old line
+new line
 end
diff --git a/notes/b.md b/notes/b.md
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/notes/b.md
@@ -0,0 +1 @@
+hello
`;

const b64 = (s: string | Uint8Array): string => Buffer.from(s).toString('base64');

function base(jobs: Job[], approvals: ReturnType<typeof approval>[] = []) {
  const c = new FakeClient(snapshot(jobs, approvals));
  const byId = new Map(jobs.map((j) => [j.id, j]));
  c.on('get', ({ id }) => detailOf(byId.get(id) ?? job({ id })));
  c.on('logs', ({ attempt }) => ({ data: '', offset: 0, size: 0, attempt: attempt ?? 1, done: true }));
  c.on('markRead', () => ({ ok: true }));
  return c;
}

function renderWith(node: React.ReactNode) {
  const app = createApp(new FakeClient(snapshot([])), { schedule: (fn) => fn() });
  return render(<AppContext.Provider value={app}>{node}</AppContext.Provider>);
}

describe('approval card', () => {
  test('shows the question, who asked, command + cwd; a approves, d denies, with a note', async () => {
    const j = job({ id: 41, title: 'Write 3 files', status: 'waiting', attempt: 1, command: 'agent --write', cwd: '/home/me/notes' });
    const c = base([j], [approval({ jobId: 41, question: 'Write 3 files in ~/notes?', context: 'rm -rf build' })]);
    c.on('approve', ({ id, note }) => approval({ jobId: id, decision: 'approved', note: note ?? null }));
    c.on('deny', ({ id }) => approval({ jobId: id, decision: 'denied' }));
    const { app } = renderApp(c);
    act(() => app.store.getState().select(41));
    const card = screen.getByTestId('approval');
    expect(within(card).getByRole('heading', { name: 'Write 3 files in ~/notes?' })).toBeTruthy();
    expect(card.textContent).toContain('Job #41 Write 3 files asks');
    expect(card.textContent).toContain('agent --write');
    expect(card.textContent).toContain('~/notes');
    expect(card.querySelector('pre.ctx-text')?.textContent).toBe('rm -rf build');
    key('a');
    await settle();
    expect(c.called('approve')).toEqual([{ id: 41 }]);
    key('d');
    await settle();
    expect(c.called('deny')).toEqual([{ id: 41 }]);
    // Shift+D: the note field takes the focus; Enter approves with the note
    key('D');
    const note = within(card).getByRole('textbox', { name: 'Note for job #41' });
    expect(document.activeElement).toBe(note);
    fireEvent.change(note, { target: { value: 'only the docs' } });
    fireEvent.submit(note.closest('form')!);
    await settle();
    expect(c.called('approve').at(-1)).toEqual({ id: 41, note: 'only the docs' });
  });

  test('a diff context is shown as a diff; a refusal is shown on the card', async () => {
    const j = job({ id: 7, status: 'waiting', attempt: 1 });
    const c = base([j], [approval({ jobId: 7, context: PATCH })]);
    c.on('approve', () => {
      throw new ErrandError('illegal_transition', 'Cannot approve job #7: it is cancelled, not waiting for approval.');
    });
    const { app } = renderApp(c);
    act(() => app.store.getState().select(7));
    const card = screen.getByTestId('approval');
    expect(within(card).getByRole('region', { name: 'Changes to notes/a.md' })).toBeTruthy();
    fireEvent.click(within(card).getByRole('button', { name: /Approve/ }));
    await settle();
    expect(within(card).getByRole('alert').textContent).toBe('Cannot approve job #7: it is cancelled, not waiting for approval.');
  });

  test('looksLikeDiff', () => {
    expect(looksLikeDiff(PATCH)).toBe(true);
    expect(looksLikeDiff('--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n')).toBe(true);
    expect(looksLikeDiff('rm -rf build\n--- not a diff')).toBe(false);
    expect(looksLikeDiff(null)).toBe(false);
  });

  test('the approvals inbox collects every waiting question', () => {
    const c = base([job({ id: 1, status: 'waiting' }), job({ id: 2, status: 'waiting' }), job({ id: 3 })], [approval({ jobId: 1, question: 'First?' }), approval({ jobId: 2, question: 'Second?', requestedAt: 1 })]);
    const { app } = renderApp(c);
    act(() => app.store.getState().setView('approvals'));
    const inbox = screen.getByRole('region', { name: 'Approvals' });
    expect([...inbox.querySelectorAll('h3.question')].map((h) => h.textContent)).toEqual(['Second?', 'First?']);
  });
});

describe('results', () => {
  test('a patch renders as a unified diff per file, with copy and save', () => {
    renderWith(<ResultView result={{ type: 'patch', summary: '2 files changed, +2 −1', patch: PATCH }} name="job-1" />);
    expect(screen.getByText('2 files changed, +2 −1')).toBeTruthy();
    const a = screen.getByRole('region', { name: 'Changes to notes/a.md' });
    expect(a.querySelector('table.diff-unified')).toBeTruthy();
    expect(a.querySelector('.diff-code-delete')?.textContent).toContain('old line');
    expect(a.querySelector('.diff-code-insert')?.textContent).toContain('new line');
    expect(screen.getByRole('region', { name: 'Changes to notes/b.md' }).textContent).toContain('new');
    expect(screen.getByRole('button', { name: 'Copy patch' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Save job-1.patch' })).toBeTruthy();
  });

  test('a report is markdown without raw HTML or remote images', () => {
    const md = '# Findings\n\n- **two** issues\n\n<script>alert(1)</script><b>raw</b>\n\n![tracker](https://evil.example/t.png)\n\n[docs](https://example.com)';
    const { container } = renderWith(<ResultView result={{ type: 'report', summary: 'two issues', markdown: md }} name="job-2" />);
    expect(screen.getByRole('heading', { name: 'Findings' })).toBeTruthy();
    expect(container.querySelector('strong')?.textContent).toBe('two');
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain('[image: tracker]');
    expect(screen.getByRole('link', { name: 'docs' }).getAttribute('rel')).toBe('noreferrer noopener');
  });

  test('json is a collapsible tree with copy', () => {
    const { container } = renderWith(<ResultView result={{ type: 'json', summary: 'counts', value: { files: 3, nested: { deep: [1, 2] } } }} name="job-3" />);
    expect(container.textContent).toContain('files');
    expect(screen.getByRole('button', { name: 'Copy JSON' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Expand all' })).toBeTruthy();
    expect(container.querySelector('[role=tree], [aria-expanded]')).toBeTruthy();
  });

  test('files are a list', () => {
    renderWith(<ResultView result={{ type: 'files', summary: '2 files', files: ['/tmp/a.png', '/tmp/b.png'] }} name="job-4" />);
    expect(within(screen.getByRole('list', { name: 'Files' })).getAllByRole('listitem').map((l) => l.textContent)).toEqual(['/tmp/a.png', '/tmp/b.png']);
  });
});

describe('log', () => {
  test('ANSI colours become spans with classes; markup in the log stays text', () => {
    const { container } = render(<AnsiLine text={'\x1b[31mFAIL\x1b[0m <img src=x onerror=alert(1)> \x1b[1;32mok\x1b[0m'} query="" />);
    const red = [...container.querySelectorAll('span')].find((s) => s.textContent === 'FAIL');
    expect(red?.className).toBe('ansi-red-fg');
    expect([...container.querySelectorAll('span')].find((s) => s.textContent === 'ok')?.className).toBe('ansi-green-fg ansi-bold');
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toBe('FAIL <img src=x onerror=alert(1)> ok');
  });

  test('carriage returns show what a terminal would', () => {
    expect(terminalLine('10%\r50%\r100%')).toBe('100%');
    expect(terminalLine('done\r')).toBe('done');
    expect(plainLine('\x1b[32mPASS\x1b[0m a.test.ts')).toBe('PASS a.test.ts');
  });

  test('reads the log incrementally by offset on log events, and searches it', async () => {
    const j = job({ id: 9, status: 'running', attempt: 1, startedAt: 1 });
    const c = base([j]);
    let content = 'PASS src/a.test.ts\nRUNS src/b.test.ts\n';
    c.on('logs', ({ offset = 0 }) => {
      const bytes = Buffer.from(content).subarray(offset);
      return { data: b64(bytes), offset, size: Buffer.byteLength(content), attempt: 1, done: false };
    });
    const { app } = renderApp(c);
    act(() => app.store.getState().select(9));
    await settle(10);
    const log = screen.getByTestId('log');
    expect([...log.querySelectorAll('.ll')].map((l) => l.textContent)).toEqual(['PASS src/a.test.ts', 'RUNS src/b.test.ts']);
    content += 'PASS src/b.test.ts\n';
    act(() => c.emit({ type: 'log', jobId: 9, attempt: 1, size: Buffer.byteLength(content) }));
    await settle(10);
    expect([...log.querySelectorAll('.ll')].map((l) => l.textContent)).toEqual(['PASS src/a.test.ts', 'RUNS src/b.test.ts', 'PASS src/b.test.ts']);
    const offsets = c.called('logs').map((x) => (x as { offset: number }).offset);
    expect(offsets).toEqual([0, 38]);
    key('s');
    await settle();
    const search = screen.getByRole('searchbox', { name: 'Search the log' });
    expect(document.activeElement).toBe(search);
    fireEvent.change(search, { target: { value: 'pass' } });
    expect(screen.getByTestId('log-hits').textContent).toBe('1/2');
    fireEvent.keyDown(search, { key: 'Enter' });
    expect(screen.getByTestId('log-hits').textContent).toBe('2/2');
    expect(log.querySelectorAll('mark')).toHaveLength(2);
  });
});

describe('keyboard', () => {
  const jobs = () => [
    job({ id: 1, status: 'running', attempt: 1, startedAt: 1 }),
    job({ id: 2, status: 'queued' }),
    job({ id: 3, status: 'succeeded', finishedAt: 3, attempt: 1 }),
  ];

  test('j/k and arrows move, g/G jump, / filters, ? lists every key', () => {
    const { app } = renderApp(base(jobs()));
    const sel = () => app.store.getState().selectedId;
    key('j');
    expect(sel()).toBe(1);
    key('j');
    expect(sel()).toBe(2);
    key('ArrowDown');
    expect(sel()).toBe(3);
    key('k');
    expect(sel()).toBe(2);
    key('g');
    expect(sel()).toBe(1);
    key('G');
    expect(sel()).toBe(3);
    expect(screen.getByRole('listbox').getAttribute('aria-activedescendant')).toBe('job-row-3');
    expect(screen.getByRole('option', { name: /#3/ }).getAttribute('aria-selected')).toBe('true');
    key('/');
    expect(document.activeElement).toBe(screen.getByRole('searchbox', { name: 'Filter jobs' }));
    // typing in a field never triggers shortcuts
    key('n', document.activeElement!);
    expect(app.store.getState().dialog).toBeNull();
    key('?');
    expect(app.store.getState().dialog).toEqual({ kind: 'help' });
    const help = screen.getByRole('dialog', { name: 'Keyboard' });
    expect(help.textContent).toContain('Approve what the job asks');
    expect(help.textContent).toContain('Pause / resume the queue');
    fireEvent.keyDown(help, { key: 'Escape' });
    expect(app.store.getState().dialog).toBeNull();
  });

  test('c asks before cancelling; Enter confirms', async () => {
    const c = base(jobs());
    c.on('cancel', ({ ids }) => ({ jobs: ids.map((id) => job({ id, status: 'cancelled', finishedAt: 9 })) }));
    const { app } = renderApp(c);
    key('j');
    key('c');
    const dlg = screen.getByRole('dialog', { name: 'Cancel job #1?' });
    expect(document.activeElement).toBe(within(dlg).getByRole('button', { name: /Cancel job #1/ }));
    fireEvent.click(document.activeElement!);
    await settle();
    expect(c.called('cancel')).toEqual([{ ids: [1] }]);
    expect(app.store.getState().jobs.get(1)?.status).toBe('cancelled');
  });

  test('r retries, h holds, +/- change priority, p pauses, > adds a slot, 5 shows done', async () => {
    const c = base(jobs());
    c.on('retry', ({ ids }) => ({ jobs: ids.map((id) => job({ id, status: 'queued', attempt: 1 })) }));
    c.on('hold', ({ ids }) => ({ jobs: ids.map((id) => job({ id, status: 'held' })) }));
    c.on('prioritise', ({ id, priority }) => job({ id, priority }));
    c.on('pause', () => ({ paused: true, concurrency: 2, running: 1 }));
    c.on('setConcurrency', ({ concurrency }) => ({ paused: true, concurrency, running: 1 }));
    const { app } = renderApp(c);
    key('G');
    key('r');
    await settle();
    expect(c.called('retry')).toEqual([{ ids: [3] }]);
    act(() => app.store.getState().select(2));
    key('h');
    await settle();
    expect(c.called('hold')).toEqual([{ ids: [2] }]);
    key('+');
    await settle();
    expect(c.called('prioritise')).toEqual([{ id: 2, priority: 1 }]);
    key('p');
    await settle();
    expect(c.called('pause')).toEqual([{}]);
    expect(screen.getByRole('button', { name: /Resume/ }).getAttribute('aria-pressed')).toBe('true');
    key('>');
    await settle();
    expect(c.called('setConcurrency')).toEqual([{ concurrency: 3 }]);
    key('5');
    expect(app.store.getState().view).toBe('done');
  });

  test('n opens the new-job form; a host refusal marks the field and keeps the form', async () => {
    const c = base(jobs());
    c.on('add', () => {
      throw new ErrandError('invalid_input', 'Invalid input: cwd /nope is not an existing directory.', 'cwd');
    });
    const { app } = renderApp(c);
    key('n');
    const dlg = screen.getByRole('dialog', { name: 'New job' });
    const cmd = within(dlg).getByRole('textbox', { name: 'Command' });
    expect(document.activeElement).toBe(cmd);
    fireEvent.change(cmd, { target: { value: 'make -j4' } });
    fireEvent.change(within(dlg).getByRole('textbox', { name: 'Directory' }), { target: { value: '/nope' } });
    fireEvent.change(within(dlg).getByRole('textbox', { name: 'After jobs' }), { target: { value: '1, #2' } });
    fireEvent.change(within(dlg).getByRole('textbox', { name: 'Labels' }), { target: { value: 'work, api, work' } });
    fireEvent.submit(cmd.closest('form')!);
    await settle();
    expect(c.called('add')).toEqual([{ command: { shell: 'make -j4' }, cwd: '/nope', priority: 0, retries: 0, after: [1, 2], labels: ['work', 'api'] }]);
    expect(screen.getByTestId('new-error').textContent).toBe('Invalid input: cwd /nope is not an existing directory.');
    expect(within(dlg).getByRole('textbox', { name: 'Directory' }).getAttribute('aria-invalid')).toBe('true');
    expect(app.store.getState().dialog).toEqual({ kind: 'new' });
    c.on('add', (i) => job({ id: 10, title: 'make -j4', cwd: i.cwd }));
    fireEvent.submit(cmd.closest('form')!);
    await settle();
    expect(app.store.getState().dialog).toBeNull();
    expect(app.store.getState().selectedId).toBe(10);
  });

  test('a on a job that asks nothing says so in place, without calling the host', () => {
    const c = base(jobs());
    const { app } = renderApp(c);
    act(() => app.store.getState().select(1));
    key('a');
    expect(screen.getByTestId('job-error').textContent).toBe('Job #1 is not waiting for a decision.');
    expect(c.called('approve')).toEqual([]);
  });

  test('queued rows show their after links and priority; finished rows do not', () => {
    renderApp(base([job({ id: 1, status: 'running', attempt: 1 }), job({ id: 2, after: [1], priority: 3 }), job({ id: 3, status: 'succeeded', priority: 9, finishedAt: 1, after: [1] })]));
    const queued = screen.getByRole('option', { name: /#2/ });
    expect(queued.querySelector('.after')?.textContent).toBe('after #1');
    expect(queued.querySelector('.prio')?.textContent).toBe('+3');
    const done = screen.getByRole('option', { name: /#3/ });
    expect(done.querySelector('.after')).toBeNull();
    expect(done.querySelector('.prio')).toBeNull();
  });

  test('parseIds / parseLabels', () => {
    expect(parseIds('12, #14 15')).toEqual({ ids: [12, 14, 15], bad: null });
    expect(parseIds('12, x')).toEqual({ ids: [12], bad: 'x' });
    expect(parseLabels(' a, b ,, a ')).toEqual(['a', 'b']);
  });
});
