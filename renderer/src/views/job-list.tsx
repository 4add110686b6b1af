import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { Job } from '../../../electron/contract/job';
import { FINISHED_STATUSES, isActive, isFinished, isPending } from '../../../electron/contract/status';
import { mark } from '../state/app';
import { useListModel } from '../state/hooks';
import type { Row } from '../state/derive';
import { useApp, useAppState } from '../ui/context';
import { agentTitle } from '../ui/agents';
import { ETA_BASIS, etaText, STATUS_WORD } from '../ui/format';
import { Eta, Labels, ProgressBar, Status } from './bits';
import { EmptyState } from './empty';

export const ROW_HEIGHT = 46;
export const HEADER_HEIGHT = 30;

export function rowId(id: number): string {
  return `job-row-${id}`;
}

export function JobList() {
  const app = useApp();
  const model = useListModel();
  const selectedId = useAppState((s) => s.selectedId);
  const focus = useAppState((s) => s.focus);
  const synced = useAppState((s) => s.synced);
  const total = useAppState((s) => s.jobs.size);
  const filter = useAppState((s) => s.filter);
  const label = useAppState((s) => s.label);
  const view = useAppState((s) => s.view);
  const scrollRef = useRef<HTMLDivElement>(null);
  const rows = model.rows;

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.kind === 'header' ? HEADER_HEIGHT : ROW_HEIGHT),
    overscan: 12,
    getItemKey: (i) => {
      const r = rows[i]!;
      return r.kind === 'header' ? `h:${r.group}` : r.id;
    },
    initialRect: { width: 600, height: 800 },
  });

  // Keep the selection in view when it moves (keyboard) or the list reorders under it.
  const selIndex = selectedId === null ? -1 : (model.indexOf.get(selectedId) ?? -1);
  useEffect(() => {
    if (selIndex >= 0) virtualizer.scrollToIndex(selIndex, { align: 'auto' });
  }, [selIndex, virtualizer]);

  // The first list painted after a snapshot, for the benchmark.
  const hasRows = rows.length > 0;
  useEffect(() => {
    if (!hasRows) return;
    mark('errand:list-rendered');
    requestAnimationFrame(() => mark('errand:list-painted'));
  }, [hasRows, synced]);

  if (synced && total === 0) return <EmptyState />;

  const activeRow = selIndex >= 0 ? rowId(selectedId!) : undefined;
  return (
    <section className="list-pane" aria-label="Jobs">
      <div
        ref={scrollRef}
        className={`list-scroll${focus === 'list' ? ' has-focus' : ''}`}
        role="listbox"
        tabIndex={0}
        aria-label={`Jobs${view === 'all' ? '' : `: ${view}`}${filter || label ? ' (filtered)' : ''}`}
        aria-activedescendant={activeRow}
        data-testid="job-list"
        onFocus={() => {
          const s = app.store.getState();
          s.setFocus('list');
          if (s.selectedId === null && model.ids.length) s.select(model.ids[0]!);
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const row = rows[v.index]!;
            return (
              <div key={v.key} className="vrow" style={{ transform: `translateY(${v.start}px)`, height: v.size }}>
                {row.kind === 'header' ? <GroupHeader row={row} /> : <JobRow id={row.id} selected={row.id === selectedId} />}
              </div>
            );
          })}
        </div>
        {synced && total > 0 && rows.length === 0 ? <p className="list-empty">No jobs match{filter ? ` “${filter}”` : ''}{label ? ` with label ${label}` : ''}.</p> : null}
      </div>
      <OlderJobs />
    </section>
  );
}

/** Shown when the host holds finished jobs the window has not loaded (the snapshot keeps the newest). */
function OlderJobs() {
  const app = useApp();
  const version = useAppState((s) => s.version);
  const counts = useAppState((s) => s.status?.counts);
  const error = useAppState((s) => s.errors.list?.message ?? null);
  const [busy, setBusy] = useState(false);
  const loaded = useMemo(() => {
    let n = 0;
    for (const j of app.store.getState().jobs.values()) if (isFinished(j.status)) n++;
    return n;
    // the jobs Map changes in place; `version` says when
  }, [app, version]);
  const total = counts ? FINISHED_STATUSES.reduce((n, st) => n + (counts[st] ?? 0), 0) : 0;
  if (loaded >= total && !error) return null;
  return (
    <div className="list-more" role="status">
      <span>
        Showing the newest {loaded.toLocaleString()} of {total.toLocaleString()} finished jobs.
      </span>
      <button type="button" disabled={busy} onClick={() => { setBusy(true); void app.actions.loadOlder().finally(() => setBusy(false)); }}>
        Load older
      </button>
      {error ? <span className="error">{error}</span> : null}
    </div>
  );
}

function GroupHeader({ row }: { row: Extract<Row, { kind: 'header' }> }) {
  return (
    <div className={`group-header g-${row.group}`} role="presentation">
      <span>{row.title}</span>
      <span className="count">{row.count}</span>
    </div>
  );
}

const JobRow = memo(function JobRow({ id, selected }: { id: number; selected: boolean }) {
  const app = useApp();
  // The Map is updated in place but each change replaces the job object, so this re-renders on change.
  const job = useAppState((s) => s.jobs.get(id));
  if (!job) return null;
  return (
    <div
      id={rowId(id)}
      role="option"
      aria-selected={selected}
      aria-label={rowLabel(job)}
      className={`job-row s-${job.status}${selected ? ' selected' : ''}${job.unread ? ' unread' : ''}`}
      onClick={() => {
        app.actions.open(id);
        app.store.getState().setFocus('list');
      }}
      onDoubleClick={() => app.store.getState().setFocus('detail')}
    >
      <div className="line1">
        <span className="jid">#{job.id}</span>
        <span className="title">{job.title}</span>
        <Labels labels={job.labels} />
        {job.after.length && isPending(job.status) ? (
          <span className="after" title="Starts after these jobs succeed">
            after {job.after.map((d) => `#${d}`).join(', ')}
          </span>
        ) : null}
        {job.priority !== 0 && !isFinished(job.status) ? (
          <span className="prio" title="Priority: higher runs first">
            {job.priority > 0 ? `+${job.priority}` : job.priority}
          </span>
        ) : null}
        <Status status={job.status} />
      </div>
      <div className="line2">
        {job.agent ? (
          <span className="agent-tag" title={job.agent.model ? `${agentTitle(job.agent.with)}, model ${job.agent.model}` : agentTitle(job.agent.with)}>
            {agentTitle(job.agent.with)}
          </span>
        ) : null}
        <span className="activity">{job.activity}</span>
        {isActive(job.status) ? <ProgressBar job={job} /> : null}
        <Eta job={job} />
      </div>
    </div>
  );
});

function rowLabel(j: Job): string {
  const parts = [`#${j.id} ${j.title}`, STATUS_WORD[j.status]];
  if (j.agent) parts.push(`agent ${agentTitle(j.agent.with)}`);
  if (j.unread) parts.push('unread');
  if (j.progressText && isActive(j.status)) parts.push(j.progressText);
  if (j.activity) parts.push(j.activity);
  const eta = etaText(j.eta);
  if (eta && !isFinished(j.status)) parts.push(`${eta}, ${ETA_BASIS[j.eta.basis]}`);
  return parts.join(', ');
}
