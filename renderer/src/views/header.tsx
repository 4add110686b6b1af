import { CONCURRENCY_MAX } from '../../../electron/contract/limits';
import { useApp, useAppState } from '../ui/context';

export function Header() {
  const app = useApp();
  const status = useAppState((s) => s.status);
  const queue = useAppState((s) => s.queue);
  const error = useAppState((s) => s.errors.queue);
  const paused = queue?.paused ?? false;
  const concurrency = queue?.concurrency ?? 0;
  return (
    <header className="top">
      <h1 className="brand">Errand</h1>
      <p className="status-line" aria-live="polite" data-testid="status-line">
        {status?.line ?? ''}
      </p>
      <ConnNote />
      {error ? (
        <p className="error inline" role="alert">
          {error.message}
        </p>
      ) : null}
      <div className="top-actions" role="toolbar" aria-label="Queue">
        <button type="button" className={paused ? 'on' : ''} aria-pressed={paused} onClick={() => void app.actions.togglePause()} disabled={!queue} title="Pause or resume the whole queue (p)">
          {paused ? 'Resume' : 'Pause'} <kbd>p</kbd>
        </button>
        <span className="stepper" role="group" aria-label="Jobs at once">
          <button type="button" aria-label="One fewer job at once (<)" title="One fewer job at once (<)" disabled={!queue || concurrency <= 1} onClick={() => void app.actions.setConcurrency(concurrency - 1)}>
            −
          </button>
          <span className="value" title={queue ? `${queue.running} of ${concurrency} slots busy; jobs run ${concurrency} at a time` : undefined} data-testid="concurrency">
            {queue ? `${concurrency} at once` : '–'}
          </span>
          <button type="button" aria-label="One more job at once (>)" title="One more job at once (>)" disabled={!queue || concurrency >= CONCURRENCY_MAX} onClick={() => void app.actions.setConcurrency(concurrency + 1)}>
            +
          </button>
        </span>
        <button type="button" className="primary" onClick={() => app.store.getState().openDialog({ kind: 'new' })} title="New job (n)">
          New job <kbd>n</kbd>
        </button>
        <button type="button" aria-label="Keyboard shortcuts (?)" title="Keyboard shortcuts (?)" onClick={() => app.store.getState().openDialog({ kind: 'help' })}>
          ?
        </button>
      </div>
    </header>
  );
}

function ConnNote() {
  const conn = useAppState((s) => s.conn);
  if (conn.kind === 'open') return null;
  const text =
    conn.kind === 'connecting'
      ? 'connecting to the host'
      : conn.kind === 'reconnecting'
        ? `reconnecting (${conn.reason}); showing the last known state`
        : conn.message;
  return (
    <p className={`conn conn-${conn.kind}`} role="status" data-testid="conn">
      {text}
    </p>
  );
}
