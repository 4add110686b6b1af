import { act, fireEvent, screen } from '@testing-library/react';
import { expect, test } from 'vitest';
import { FakeClient, job, snapshot, status } from './fixtures';
import { renderApp, settle } from './render';

test('finished jobs beyond the snapshot: the list says how many are loaded and pages back on request', async () => {
  const counts = { queued: 0, held: 0, running: 0, waiting: 0, succeeded: 5, failed: 0, cancelled: 0, interrupted: 0 };
  const newest = [job({ id: 9, status: 'succeeded', finishedAt: 9 }), job({ id: 10, status: 'succeeded', finishedAt: 10 })];
  const c = new FakeClient(snapshot(newest, [], status({ counts, line: 'idle' })));
  c.on('list', () => ({ jobs: [3, 5, 7].map((id) => job({ id, status: 'succeeded', finishedAt: id })) }));
  renderApp(c);
  await settle();
  expect(screen.getByText(/Showing the newest 2 of 5 finished jobs/)).toBeTruthy();
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Load older' }));
    await settle(20);
  });
  expect(c.called('list')).toEqual([{ status: ['succeeded', 'failed', 'cancelled', 'interrupted'], order: 'newest', limit: 1000, beforeId: 9 }]);
  expect(screen.getAllByRole('option').map((o) => o.id)).toEqual(expect.arrayContaining(['job-row-3', 'job-row-5', 'job-row-7', 'job-row-9', 'job-row-10']));
  expect(screen.queryByRole('button', { name: 'Load older' })).toBeNull();
});
