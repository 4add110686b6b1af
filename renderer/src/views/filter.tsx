import { useApp, useAppState } from '../ui/context';
import { VIEWS, type ViewKey } from '../state/derive';
import { useListModel } from '../state/hooks';

export function FilterBar() {
  const app = useApp();
  const filter = useAppState((s) => s.filter);
  const label = useAppState((s) => s.label);
  const view = useAppState((s) => s.view);
  const model = useListModel();
  const total = useAppState((s) => s.jobs.size);
  const toList = (): void => {
    (document.querySelector('[data-testid="job-list"]') as HTMLElement | null)?.focus();
  };
  const narrowed = filter || label || view !== 'all';
  return (
    <div className="filter-bar">
      <select className="view-select" aria-label="View" value={view} onChange={(e) => app.store.getState().setView(e.target.value as ViewKey)}>
        {VIEWS.map((v) => (
          <option key={v.key} value={v.key}>
            {v.title} ({v.key === 'approvals' ? model.counts.approvals : model.counts[v.key]})
          </option>
        ))}
      </select>
      <input
        id="filter"
        type="search"
        placeholder="Filter (/): words, label:work, is:failed, #12"
        title="Filter by words in the title, command or directory; label:NAME; is:STATUS; #ID"
        aria-label="Filter jobs"
        value={filter}
        autoComplete="off"
        spellCheck={false}
        onChange={(e) => app.store.getState().setFilter(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            if (filter) app.store.getState().setFilter('');
            else toList();
          } else if (e.key === 'Enter' || e.key === 'ArrowDown') {
            e.preventDefault();
            const s = app.store.getState();
            if (model.ids.length && (s.selectedId === null || !model.indexOf.has(s.selectedId))) s.select(model.ids[0]!);
            toList();
          }
        }}
      />
      <span className="shown muted" aria-live="polite">
        {narrowed ? `${model.shown} of ${total}` : `${total} ${total === 1 ? 'job' : 'jobs'}`}
        {view !== 'all' ? ` · ${VIEWS.find((v) => v.key === view)?.title.toLowerCase()}` : ''}
        {label ? (
          <>
            {' · '}
            <button type="button" className="link" onClick={() => app.store.getState().setLabel(null)} aria-label={`Clear label ${label}`}>
              label {label} ×
            </button>
          </>
        ) : null}
      </span>
    </div>
  );
}
