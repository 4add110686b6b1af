import { useApp } from '../ui/context';

export function EmptyState() {
  const app = useApp();
  return (
    <section className="empty" aria-label="No jobs yet">
      <h2>No jobs yet</h2>
      <p>Errand runs your commands and agent tasks as a queue you can see and steer: each becomes a numbered job with progress, a log and a result, and it asks you when it needs a decision.</p>
      <p>Add work in two ways:</p>
      <ul>
        <li>
          press <kbd>n</kbd> here for a new job, or{' '}
          <button type="button" className="link" onClick={() => app.store.getState().openDialog({ kind: 'new' })}>
            open the form
          </button>
        </li>
        <li>
          in a terminal: <code>errand add -- CMD</code>
        </li>
      </ul>
    </section>
  );
}
