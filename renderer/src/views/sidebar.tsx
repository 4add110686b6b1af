import { useListModel } from '../state/hooks';
import { VIEWS } from '../state/derive';
import { useApp, useAppState } from '../ui/context';
import { labelColour } from '../ui/format';

export function Sidebar() {
  const app = useApp();
  const model = useListModel();
  const view = useAppState((s) => s.view);
  const label = useAppState((s) => s.label);
  const approvals = useAppState((s) => s.approvals.size);
  return (
    <nav className="side" aria-label="Views">
      <ul className="views">
        {VIEWS.map((v, i) => {
          const count = v.key === 'approvals' ? approvals : model.counts[v.key];
          return (
            <li key={v.key}>
              <button
                type="button"
                className={`view v-${v.key}${view === v.key ? ' current' : ''}${count === 0 && v.key !== 'all' ? ' zero' : ''}`}
                aria-current={view === v.key ? 'page' : undefined}
                onClick={() => app.store.getState().setView(v.key)}
                title={`${v.title} (${i + 1})`}
              >
                <span className="name">{v.title}</span>
                <span className="count">{count}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {model.labels.length ? (
        <>
          <h2 className="side-title">Labels</h2>
          <ul className="side-labels">
            {model.labels.map((l) => (
              <li key={l}>
                <button type="button" className={label === l ? 'current' : ''} aria-pressed={label === l} onClick={() => app.store.getState().setLabel(label === l ? null : l)}>
                  <span className={`dot c${labelColour(l)}`} aria-hidden="true" />
                  {l}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </nav>
  );
}
