import { act, cleanup, render } from '@testing-library/react';
import { afterEach } from 'vitest';
import { App } from '../../renderer/src/app';
import { createApp, type ErrandApp } from '../../renderer/src/state/app';
import { type FakeClient, fakeLayout } from './fixtures';

fakeLayout();
afterEach(() => {
  cleanup();
  document.body.innerHTML = '';
});

/** Mounts the whole window over a fake client; events apply at once (no frame batching). */
export function renderApp(client: FakeClient): { app: ErrandApp; stop: () => void } & ReturnType<typeof render> {
  const app = createApp(client, { schedule: (fn) => fn(), detailDelayMs: 0 });
  let stop = (): void => {};
  act(() => {
    stop = app.start();
  });
  const r = render(<App app={app} />);
  return { app, stop, ...r };
}

export async function settle(ms = 5): Promise<void> {
  await act(async () => {
    await new Promise((r) => setTimeout(r, ms));
  });
}

export function key(k: string, target: EventTarget = document.body, init: KeyboardEventInit = {}): void {
  act(() => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true, ...init }));
  });
}
