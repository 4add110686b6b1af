import { act, fireEvent, screen, within } from '@testing-library/react';
import { describe, expect, test } from 'vitest';
import { ErrandError } from '../../electron/contract/errors';
import type { Job, Step } from '../../electron/contract/job';
import type { approval} from './fixtures';
import { detailOf, FakeClient, job, snapshot } from './fixtures';
import { key, renderApp, settle } from './render';

function client(jobs: Job[], approvals = [] as ReturnType<typeof approval>[]) {
  const c = new FakeClient(snapshot(jobs, approvals));
  const byId = new Map(jobs.map((j) => [j.id, j]));
  c.on('get', ({ id }) => detailOf(byId.get(id) ?? job({ id })));
  c.on('logs', ({ attempt }) => ({ data: '', offset: 0, size: 0, attempt: attempt ?? 1, done: true }));
  c.on('markRead', () => ({ ok: true }));
  return c;
}

describe('job window', () => {
  test('empty state says what Errand does and the two ways to add work', () => {
    renderApp(client([]));
    expect(screen.getByRole('heading', { name: 'No jobs yet' })).toBeTruthy();
    expect(screen.getByText('errand add -- CMD')).toBeTruthy();
    const empty = screen.getByRole('region', { name: 'No jobs yet' });
    expect(empty.textContent).toContain('press n here for a new job');
  });

  test('the list shows groups and rows with id, title, status, labels, progress, activity and ETA', () => {
    renderApp(
      client([
        job({ id: 39, title: 'npm test (api)', status: 'running', startedAt: 1, attempt: 1, labels: ['work'], progress: { done: 31, total: 50, unit: 'files', label: null }, activity: 'step: unit tests', eta: { seconds: 120, basis: 'progress' } }),
        job({ id: 41, title: 'Write 3 files', status: 'waiting', attempt: 1, activity: 'waiting for approval: write 3 files' }),
        job({ id: 42, title: 'Resize images', activity: 'waiting for a slot (2/2 busy)' }),
        job({ id: 37, title: 'Rename photos', status: 'succeeded', finishedAt: 5, unread: true, activity: 'done in 4s' }),
      ]),
    );
    const list = screen.getByRole('listbox');
    const headers = [...list.querySelectorAll('.group-header')].map((h) => h.textContent);
    expect(headers).toEqual(['Needs you1', 'Running1', 'Queued1', 'Done1']);
    const row = screen.getByRole('option', { name: /#39 npm test \(api\)/ });
    expect(row.textContent).toContain('step: unit tests');
    expect(row.textContent).toContain('62%');
    expect(row.textContent).toContain('ETA 2m');
    expect(within(row).getByText('work').className).toMatch(/label c\d/);
    expect(row.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow')).toBe('62');
    // the row says what the CLI and the tray say ("62%"); the counts are in the bar's label
    expect(row.textContent).not.toContain('31/50');
    expect(row.querySelector('[role=progressbar]')?.getAttribute('aria-label')).toBe('62% (31/50 files)');
    expect(row.getAttribute('aria-label')).toContain(', 62%, ');
    expect(row.querySelector('.eta')?.getAttribute('title')).toBe('Estimated from its progress rate');
    expect(screen.getByRole('option', { name: /#37 Rename photos, done, unread/ }).className).toContain('unread');
    expect(screen.getByTestId('status-line').textContent).toBe('1 running · 2 queued');
  });

  test('live events update rows; components never poll', async () => {
    const j = job({ id: 1, title: 'build', status: 'running', attempt: 1, startedAt: 1, activity: 'running: make' });
    const c = client([j]);
    renderApp(c);
    act(() => c.emit({ type: 'job', job: { ...j, activity: 'step: link', progress: { done: 1, total: 4, unit: null, label: null }, progressText: '25%' } }));
    expect(screen.getByRole('option', { name: /#1 build/ }).textContent).toContain('step: link');
    expect(screen.getByRole('option', { name: /#1 build/ }).textContent).toContain('25%');
    act(() => c.emit({ type: 'job', job: job({ id: 2, title: 'added from the CLI' }) }));
    expect(screen.getByRole('option', { name: /#2 added from the CLI/ })).toBeTruthy();
    act(() => c.emit({ type: 'removed', ids: [1] }));
    expect(screen.queryByRole('option', { name: /#1 build/ })).toBeNull();
    const before = c.calls.length;
    await settle(50);
    expect(c.calls.length).toBe(before);
  });

  test('opening a finished job marks it read; moving with j/k only previews', async () => {
    const c = client([job({ id: 1, status: 'failed', finishedAt: 2, unread: true, attempt: 1 }), job({ id: 2, status: 'succeeded', finishedAt: 1, unread: true, attempt: 1 })]);
    const { app } = renderApp(c);
    key('j');
    expect(app.store.getState().selectedId).toBe(1);
    await settle();
    expect(c.called('markRead')).toEqual([]);
    expect(c.called('get')).toEqual([{ id: 1 }]);
    key('Enter');
    await settle();
    expect(c.called('markRead')).toEqual([{ ids: [1] }]);
    fireEvent.click(screen.getByRole('option', { name: /#2/ }));
    await settle();
    expect(c.called('markRead')).toEqual([{ ids: [1] }, { ids: [2] }]);
  });

  test('a refused action shows the host message in place; the state stays the host’s', async () => {
    const j = job({ id: 3, status: 'running', attempt: 1, startedAt: 1 });
    const c = client([j]);
    c.on('retry', () => {
      throw new ErrandError('illegal_transition', 'Cannot retry job #3: it is running (only finished jobs can be retried; cancel it first).');
    });
    const { app } = renderApp(c);
    act(() => app.store.getState().select(3));
    key('r');
    await settle();
    expect(screen.getByTestId('job-error').textContent).toBe('Cannot retry job #3: it is running (only finished jobs can be retried; cancel it first).');
    expect(app.store.getState().jobs.get(3)?.status).toBe('running');
    // the error belongs to that job: moving on clears it
    act(() => c.emit({ type: 'job', job: job({ id: 4 }) }));
    act(() => app.store.getState().select(4));
    expect(screen.queryByTestId('job-error')).toBeNull();
  });

  test('reconnecting is a quiet note; a fresh snapshot replaces the old state', async () => {
    const c = client([job({ id: 1, title: 'old' })]);
    renderApp(c);
    act(() => c.state({ kind: 'reconnecting', attempt: 1, retryInMs: 250, reason: 'connection lost' }));
    expect(screen.getByTestId('conn').textContent).toBe('reconnecting (connection lost); showing the last known state');
    expect(screen.getByRole('option', { name: /#1 old/ })).toBeTruthy();
    act(() => {
      c.resync(snapshot([job({ id: 2, title: 'new' })]));
      c.state({ kind: 'open' });
    });
    expect(screen.queryByTestId('conn')).toBeNull();
    expect(screen.queryByRole('option', { name: /#1 old/ })).toBeNull();
    expect(screen.getByRole('option', { name: /#2 new/ })).toBeTruthy();
  });

  test('the selected job re-reads its detail when it changes', async () => {
    const j = job({ id: 5, status: 'running', attempt: 1, startedAt: 1, plan: ['install', 'unit tests', 'e2e tests'], progress: { done: 31, total: 50, unit: 'files', label: null } });
    const c = client([j]);
    let steps: Step[] = [{ attempt: 1, index: 0, name: 'install', status: 'done', startedAt: 1000, finishedAt: 15_000, tool: null, detail: null }];
    c.on('get', () => detailOf(j, { steps }));
    const { app } = renderApp(c);
    act(() => app.store.getState().select(5));
    await settle();
    const plan = screen.getByRole('region', { name: 'Plan' });
    expect([...plan.querySelectorAll('li')].map((l) => l.textContent)).toEqual(['✓install (done)', '○unit tests (planned)', '○e2e tests (planned)']);
    expect(screen.getByRole('region', { name: 'Done so far' }).textContent).toContain('14s');
    // the detail adds the counts beside the host's progress text
    expect(screen.getByTestId('detail').querySelector('.d-facts .progress-text')?.textContent).toBe('62% · 31/50 files');
    steps = [...steps, { attempt: 1, index: 1, name: 'unit tests', status: 'running', startedAt: 15_000, finishedAt: null, tool: null, detail: null }];
    act(() => c.emit({ type: 'job', job: { ...j, activity: 'step: unit tests' } }));
    await settle(20);
    expect([...plan.querySelectorAll('li')].map((l) => l.textContent)).toEqual(['✓install (done)', '▸unit tests (running)', '○e2e tests (planned)']);
  });
});
