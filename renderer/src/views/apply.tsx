import type { Isolation, Job } from '../../../electron/contract/job';
import { useApp, useAppState } from '../ui/context';
import { plural, shortPath, splitFirstLine } from '../ui/format';

/**
 * Apply (y): puts the job's patch into the tree it was made from, then says what happened:
 * applied (and which files), already applied, or the refusal with the conflicting files
 * and git's whole message in a scrollable block.
 */
export function ApplyBar({ job, isolation }: { job: Job; isolation: Isolation | null }) {
  const app = useApp();
  const state = useAppState((s) => s.applies.get(job.id));
  const cur = state && state.attempt === job.attempt ? state : null;
  const target = isolation?.repo ?? job.cwd;
  const where = shortPath(target);
  const busy = cur?.kind === 'busy';
  const refused = cur?.kind === 'refused' ? splitFirstLine(cur.message) : null;
  return (
    <div className={`apply${cur ? ` is-${cur.kind}` : ''}`} data-testid="apply">
      <div className="apply-bar">
        <button type="button" className="primary" disabled={busy} onClick={() => void app.actions.apply(job.id)} title={`Apply this patch to your tree at ${target} (y)`}>
          Apply <kbd>y</kbd>
        </button>
        <span className="apply-where muted">
          to <code title={target}>{where}</code>
          {isolation ? (
            <>
              {' '}
              from <code>{isolation.branch}</code>
            </>
          ) : null}
        </span>
        <span className="apply-outcome" role="status" data-testid="apply-outcome" title={cur && cur.kind !== 'busy' ? cur.message : undefined}>
          {busy ? 'Applying.' : null}
          {cur?.kind === 'applied' ? (
            <>
              <span className="ok-mark" aria-hidden="true">
                ✓{' '}
              </span>
              Applied to {where}: {plural(cur.files.length, 'file')}
            </>
          ) : null}
          {cur?.kind === 'already-applied' ? `Already applied in ${where}; nothing changed` : null}
        </span>
      </div>
      {cur?.kind === 'applied' && cur.files.length ? (
        <ul className="apply-files" aria-label="Files applied">
          {cur.files.map((f) => (
            <li key={f}>
              <code>{f}</code>
            </li>
          ))}
        </ul>
      ) : null}
      {refused ? (
        <div className="apply-refused" role="alert" data-testid="apply-refused">
          <p className="apply-why">{refused.first}</p>
          {refused.rest ? (
            <pre className="git-says" tabIndex={0} aria-label="git's message">
              {refused.rest}
            </pre>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
