import { useEffect, useRef, useState } from 'react';
import type { Approval, Job } from '../../../electron/contract/job';
import { useApp, useAppState } from '../ui/context';
import { agentTitle } from '../ui/agents';
import { asUnifiedDiff, commandContext, looksLikeDiff } from '../ui/diff';
import { shortPath } from '../ui/format';
import { Ago } from './bits';
import { PatchView } from './result';

export { looksLikeDiff };

/**
 * A question from a job: what it asks, which job, its context (the command and
 * directory, or the diff), and Approve (a) / Deny (d) with an optional note. A tool
 * request (an agent's permission request) names the tool and can be approved for the
 * rest of the job (Shift+A).
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

  // Shift+D from the keymap: write a note first.
  useEffect(() => {
    const onNote = (e: Event): void => {
      if ((e as CustomEvent<number>).detail === approval.jobId) noteRef.current?.focus();
    };
    window.addEventListener('errand:approval-note', onNote);
    return () => window.removeEventListener('errand:approval-note', onNote);
  }, [approval.jobId]);

  const decide = async (how: 'once' | 'job' | 'deny'): Promise<void> => {
    setBusy(true);
    const n = note.trim() || undefined;
    const ok = how === 'deny' ? await app.actions.deny(approval.jobId, n) : await app.actions.approve(approval.jobId, n, how);
    setBusy(false);
    if (ok) setNote('');
  };

  const tool = approval.tool;
  const diff = approval.context ? asUnifiedDiff(approval.context, diffPathOf(approval.question)) : null;
  const titleId = `approval-q-${approval.id}`;
  const agent = job?.agent ?? null;
  return (
    <section className={`approval${compact ? ' compact' : ''}${tool ? ' tool-request' : ''}`} aria-labelledby={titleId} data-testid="approval">
      <p className="asker">
        Job{' '}
        <button type="button" className="link" onClick={() => app.actions.open(approval.jobId)}>
          #{approval.jobId}
        </button>{' '}
        {job ? <span className="asker-title">{job.title}</span> : null} asks{agent ? ` (${agentTitle(agent.with)})` : ''} · <Ago ms={approval.requestedAt} />
      </p>
      <h3 id={titleId} className="question">
        {tool ? (
          <span className="tool-chip" title={`A request to use the tool ${tool}`}>
            {tool}
          </span>
        ) : null}
        {tool ? ' ' : null}
        {approval.question}
      </h3>
      {job && !tool ? (
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
            <PatchView patch={diff} name={`job-${approval.jobId}-approval-${approval.id}`} tools={false} />
          </div>
        ) : tool ? (
          <CommandContext context={approval.context} job={job} />
        ) : (
          <pre className="ctx-text">{approval.context}</pre>
        )
      ) : null}
      <form
        className="decide"
        onSubmit={(e) => {
          e.preventDefault();
          void decide('once');
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
          {tool ? 'Approve once' : 'Approve'} <kbd>a</kbd>
        </button>
        {tool ? (
          <button type="button" className="approve-job" disabled={busy} onClick={() => void decide('job')} title={`Approve this and every later ${tool} request of job #${approval.jobId} (Shift+A)`}>
            Approve for this job <kbd>A</kbd>
          </button>
        ) : null}
        <button type="button" className="deny" disabled={busy} onClick={() => void decide('deny')}>
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

/** "Edit src/a.ts?" → "src/a.ts": a name for the file of a bare hunk. */
function diffPathOf(question: string): string {
  const m = /([\w.-]+\/[\w./-]+|[\w-]+\.[\w]+)/.exec(question);
  return m?.[1] ?? 'file';
}

/** A tool's command line in monospace, with the directory it runs in. */
function CommandContext({ context, job }: { context: string; job: Job | undefined }) {
  const { command, cwd } = commandContext(context);
  const dir = cwd ?? job?.cwd ?? null;
  return (
    <dl className="ctx ctx-command">
      <dt>Runs</dt>
      <dd>
        <pre className="ctx-cmd">{command}</pre>
      </dd>
      {dir ? (
        <>
          <dt>{cwd ? 'In' : 'Job in'}</dt>
          <dd>
            <code title={dir}>{shortPath(dir)}</code>
          </dd>
        </>
      ) : null}
    </dl>
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
        <p className="muted">Nothing is waiting for you. Jobs that ask (<code>errand ask "…"</code>) and agents that ask to use a tool show up here.</p>
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
