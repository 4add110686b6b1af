import { useEffect, useRef, useState } from 'react';
import type { Approval, Job } from '../../../electron/contract/job';
import { useApp, useAppState } from '../ui/context';
import { shortPath } from '../ui/format';
import { Ago } from './bits';
import { PatchView } from './result';

/** A unified diff has a diff/---+++ header or a hunk header on its own line. */
export function looksLikeDiff(text: string | null): boolean {
  if (!text) return false;
  return /^diff --git /m.test(text) || (/^--- .*$/m.test(text) && /^\+\+\+ .*$/m.test(text) && /^@@ .* @@/m.test(text));
}

/**
 * A question from a job: what it asks, which job, its context (the command and
 * directory, or the diff), and Approve (a) / Deny (d) with an optional note.
 */
export function ApprovalCard({ approval, job, autoFocusNote = false, compact = false }: { approval: Approval; job: Job | undefined; autoFocusNote?: boolean; compact?: boolean }) {
  const app = useApp();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const error = useAppState((s) => (s.errors.approval?.jobId === approval.jobId ? s.errors.approval.message : null));
  const noteRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (autoFocusNote) noteRef.current?.focus();
  }, [autoFocusNote]);

  // Shift+A / Shift+D from the keymap: write a note first.
  useEffect(() => {
    const onNote = (e: Event): void => {
      if ((e as CustomEvent<number>).detail === approval.jobId) noteRef.current?.focus();
    };
    window.addEventListener('errand:approval-note', onNote);
    return () => window.removeEventListener('errand:approval-note', onNote);
  }, [approval.jobId]);

  const decide = async (approve: boolean): Promise<void> => {
    setBusy(true);
    const n = note.trim() || undefined;
    const ok = approve ? await app.actions.approve(approval.jobId, n) : await app.actions.deny(approval.jobId, n);
    setBusy(false);
    if (ok) setNote('');
  };

  const diff = looksLikeDiff(approval.context);
  const titleId = `approval-q-${approval.id}`;
  return (
    <section className={`approval${compact ? ' compact' : ''}`} aria-labelledby={titleId} data-testid="approval">
      <p className="asker">
        Job{' '}
        <button type="button" className="link" onClick={() => app.actions.open(approval.jobId)}>
          #{approval.jobId}
        </button>{' '}
        {job ? <span className="asker-title">{job.title}</span> : null} asks · <Ago ms={approval.requestedAt} />
      </p>
      <h3 id={titleId} className="question">
        {approval.question}
      </h3>
      {job ? (
        <dl className="ctx">
          <dt>Command</dt>
          <dd>
            <code>{job.command}</code>
          </dd>
          <dt>In</dt>
          <dd>
            <code title={job.cwd}>{shortPath(job.cwd)}</code>
          </dd>
        </dl>
      ) : null}
      {approval.context ? (
        diff ? (
          <div className="ctx-diff">
            <PatchView patch={approval.context} name={`job-${approval.jobId}-approval-${approval.id}`} tools={false} />
          </div>
        ) : (
          <pre className="ctx-text">{approval.context}</pre>
        )
      ) : null}
      <form
        className="decide"
        onSubmit={(e) => {
          e.preventDefault();
          void decide(true);
        }}
      >
        <input
          ref={noteRef}
          type="text"
          className="note"
          placeholder="Note (optional)"
          aria-label={`Note for job #${approval.jobId}`}
          value={note}
          maxLength={2000}
          onChange={(e) => setNote(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault();
              (e.target as HTMLInputElement).blur();
            }
          }}
        />
        <button type="submit" className="approve" disabled={busy}>
          Approve <kbd>a</kbd>
        </button>
        <button type="button" className="deny" disabled={busy} onClick={() => void decide(false)}>
          Deny <kbd>d</kbd>
        </button>
      </form>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

/** Every question waiting for a decision, oldest first. */
export function ApprovalsInbox() {
  const app = useApp();
  useAppState((s) => s.approvalsVersion);
  useAppState((s) => s.version);
  const selectedId = useAppState((s) => s.selectedId);
  const ref = useRef<HTMLElement>(null);
  // j/k move through the questions: keep the selected one in view
  useEffect(() => {
    ref.current?.querySelector('li.selected')?.scrollIntoView?.({ block: 'nearest' });
  }, [selectedId]);
  const s = app.store.getState();
  const list = [...s.approvals.values()].sort((a, b) => a.requestedAt - b.requestedAt);
  if (!list.length) {
    return (
      <section className="inbox empty-inbox" aria-label="Approvals">
        <p className="muted">Nothing is waiting for you. Jobs that ask (<code>errand ask "…"</code>) show up here.</p>
      </section>
    );
  }
  return (
    <section ref={ref} className="inbox" aria-label="Approvals" tabIndex={-1}>
      <ul>
        {list.map((a) => (
          <li key={a.id} className={a.jobId === selectedId ? 'selected' : ''} onFocusCapture={() => app.store.getState().select(a.jobId)}>
            <ApprovalCard approval={a} job={s.jobs.get(a.jobId)} compact />
          </li>
        ))}
      </ul>
    </section>
  );
}
