import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import type { Input } from '../../../electron/contract/api';
import { KEYMAP } from '../keyboard';
import { PRIORITY_MAX, PRIORITY_MIN, RETRIES_MAX, TITLE_MAX } from '../../../electron/contract/limits';
import { isActive } from '../../../electron/contract/status';
import { useApp, useAppState } from '../ui/context';

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), textarea:not([disabled]), select:not([disabled]), [href], [tabindex]:not([tabindex="-1"])';

/** A modal: focus moves in and is trapped, Escape closes, focus returns where it was. */
export function Modal({ title, onClose, children, wide = false, className = '' }: { title: string; onClose: () => void; children: ReactNode; wide?: boolean; className?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const id = useId();
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    const el = ref.current;
    const first = el?.querySelector<HTMLElement>('[data-autofocus]') ?? el?.querySelector<HTMLElement>(FOCUSABLE);
    first?.focus({ preventScroll: true });
    return () => {
      if (back && document.contains(back)) back.focus({ preventScroll: true });
    };
  }, []);
  return (
    <div
      className="scrim"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        className={`dialog${wide ? ' wide' : ''}${className ? ` ${className}` : ''}`}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onClose();
          } else if (e.key === 'Tab' && ref.current) {
            const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
            if (!items.length) return;
            const i = items.indexOf(document.activeElement as HTMLElement);
            if (e.shiftKey && i <= 0) {
              e.preventDefault();
              items[items.length - 1]!.focus();
            } else if (!e.shiftKey && i === items.length - 1) {
              e.preventDefault();
              items[0]!.focus();
            }
          }
        }}
      >
        <h2 id={id}>{title}</h2>
        {children}
      </div>
    </div>
  );
}

export function Dialogs() {
  const dialog = useAppState((s) => s.dialog);
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'new':
      return <NewJobDialog />;
    case 'cancel':
      return <CancelDialog ids={dialog.ids} />;
    case 'priority':
      return <PriorityDialog id={dialog.id} />;
    case 'help':
      return <HelpDialog />;
  }
}

const LAST_CWD = 'errand.lastCwd';

function rememberedCwd(): string {
  try {
    return localStorage.getItem(LAST_CWD) ?? '';
  } catch {
    return '';
  }
}

/** "12, #14 15" → [12, 14, 15]; a token that is not an id is an error. */
export function parseIds(text: string): { ids: number[]; bad: string | null } {
  const ids: number[] = [];
  for (const t of text.split(/[\s,]+/).filter(Boolean)) {
    const m = /^#?(\d+)$/.exec(t);
    if (!m || Number(m[1]) < 1) return { ids, bad: t };
    ids.push(Number(m[1]));
  }
  return { ids, bad: null };
}

export function parseLabels(text: string): string[] {
  return [...new Set(text.split(',').map((l) => l.trim()).filter(Boolean))];
}

export function NewJobDialog() {
  const app = useApp();
  const close = (): void => {
    app.store.getState().setError('new', null);
    app.store.getState().openDialog(null);
  };
  const error = useAppState((s) => s.errors.new);
  const defaultCwd = useAppState((s) => {
    const sel = s.selectedId === null ? undefined : s.jobs.get(s.selectedId);
    return rememberedCwd() || sel?.cwd || '';
  });
  const [form, setForm] = useState({ command: '', cwd: defaultCwd, title: '', priority: '0', after: '', retries: '0', labels: '' });
  const [local, setLocal] = useState<{ field: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));

  const submit = async (): Promise<void> => {
    setLocal(null);
    if (!form.command.trim()) return setLocal({ field: 'command', message: 'Give a command to run.' });
    if (!form.cwd.trim()) return setLocal({ field: 'cwd', message: 'Give the directory to run in.' });
    const after = parseIds(form.after);
    if (after.bad !== null) return setLocal({ field: 'after', message: `After: “${after.bad}” is not a job id.` });
    const priority = Number(form.priority || '0');
    const retries = Number(form.retries || '0');
    if (!Number.isInteger(priority)) return setLocal({ field: 'priority', message: 'Priority must be a whole number.' });
    if (!Number.isInteger(retries) || retries < 0) return setLocal({ field: 'retries', message: 'Retries must be a whole number, 0 or more.' });
    const input: Input<'add'> = {
      command: { shell: form.command.trim() },
      cwd: form.cwd.trim(),
      priority,
      retries,
      after: after.ids,
      labels: parseLabels(form.labels),
    };
    if (form.title.trim()) input.title = form.title.trim();
    setBusy(true);
    const job = await app.actions.add(input);
    setBusy(false);
    if (job) {
      try {
        localStorage.setItem(LAST_CWD, input.cwd);
      } catch {
        // private mode: nothing to remember
      }
      app.store.getState().openDialog(null);
    }
  };

  // The host names the field at fault ("cwd", "after.0"): mark that input.
  const field = local?.field ?? error?.field?.split('.')[0] ?? null;
  const message = local?.message ?? error?.message ?? null;
  const invalid = (k: string): boolean => field === k;
  return (
    <Modal title="New job" onClose={close} wide>
      <form
        className="new-job"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <label>
          <span>Command</span>
          <input data-autofocus name="command" value={form.command} onChange={set('command')} placeholder="npm test" aria-invalid={invalid('command')} autoComplete="off" spellCheck={false} className="mono" />
        </label>
        <label>
          <span>Directory</span>
          <input name="cwd" value={form.cwd} onChange={set('cwd')} placeholder="/path/to/project" aria-invalid={invalid('cwd')} autoComplete="off" spellCheck={false} className="mono" />
        </label>
        <label>
          <span>Title</span>
          <input name="title" value={form.title} onChange={set('title')} placeholder="defaults to the command" maxLength={TITLE_MAX} aria-invalid={invalid('title')} autoComplete="off" />
        </label>
        <div className="row3">
          <label>
            <span>Priority</span>
            <input name="priority" type="number" min={PRIORITY_MIN} max={PRIORITY_MAX} value={form.priority} onChange={set('priority')} aria-invalid={invalid('priority')} />
          </label>
          <label>
            <span>Retries</span>
            <input name="retries" type="number" min={0} max={RETRIES_MAX} value={form.retries} onChange={set('retries')} aria-invalid={invalid('retries')} />
          </label>
          <label>
            <span>After jobs</span>
            <input name="after" value={form.after} onChange={set('after')} placeholder="12, 14" aria-invalid={invalid('after')} autoComplete="off" />
          </label>
        </div>
        <label>
          <span>Labels</span>
          <input name="labels" value={form.labels} onChange={set('labels')} placeholder="work, api" aria-invalid={invalid('labels')} autoComplete="off" />
        </label>
        {message ? (
          <p className="error" role="alert" data-testid="new-error">
            {message}
          </p>
        ) : null}
        <div className="buttons">
          <button type="button" onClick={close}>
            Close <kbd>Esc</kbd>
          </button>
          <button type="submit" className="primary" disabled={busy}>
            Add job <kbd>Enter</kbd>
          </button>
        </div>
      </form>
    </Modal>
  );
}

function CancelDialog({ ids }: { ids: number[] }) {
  const app = useApp();
  useAppState((s) => s.version);
  const all = app.store.getState().jobs;
  const jobs = ids.map((id) => all.get(id));
  const [busy, setBusy] = useState(false);
  const close = (): void => app.store.getState().openDialog(null);
  const running = jobs.some((j) => j && isActive(j.status));
  const what = ids.length === 1 ? `job #${ids[0]}` : `${ids.length} jobs`;
  return (
    <Modal title={`Cancel ${what}?`} onClose={close}>
      {jobs.map((j, i) =>
        j ? (
          <p key={j.id} className="confirm-job">
            <span className="jid">#{j.id}</span> {j.title} <span className="muted">({j.status})</span>
          </p>
        ) : (
          <p key={ids[i]}>#{ids[i]} is gone.</p>
        ),
      )}
      <p className="muted">{running ? 'It gets a stop signal (SIGTERM), then SIGKILL after the grace period. Its log so far is kept.' : 'It will not start. You can retry it later.'}</p>
      <div className="buttons">
        <button type="button" onClick={close}>
          Keep it <kbd>Esc</kbd>
        </button>
        <button
          type="button"
          className="danger"
          data-autofocus
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            close();
            await app.actions.cancel(ids);
          }}
        >
          Cancel {what} <kbd>Enter</kbd>
        </button>
      </div>
    </Modal>
  );
}

function PriorityDialog({ id }: { id: number }) {
  const app = useApp();
  const job = useAppState((s) => s.jobs.get(id));
  const [value, setValue] = useState(String(job?.priority ?? 0));
  const error = useAppState((s) => (s.errors.job?.jobId === id ? s.errors.job.message : null));
  const close = (): void => app.store.getState().openDialog(null);
  return (
    <Modal title={`Priority of job #${id}`} onClose={close}>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const n = Number(value);
          if (!Number.isInteger(n)) {
            app.store.getState().setError('job', 'Priority must be a whole number.', id);
            return;
          }
          if (await app.actions.prioritise(id, n)) close();
        }}
      >
        <p className="muted">Higher runs first; equal priorities run in the order they were added.</p>
        <label>
          <span>Priority</span>
          <input data-autofocus type="number" min={PRIORITY_MIN} max={PRIORITY_MAX} value={value} onChange={(e) => setValue(e.target.value)} />
        </label>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="buttons">
          <button type="button" onClick={close}>
            Close <kbd>Esc</kbd>
          </button>
          <button type="submit" className="primary">
            Set <kbd>Enter</kbd>
          </button>
        </div>
      </form>
    </Modal>
  );
}

const KEY_NAMES: Record<string, string> = { ArrowDown: '↓', ArrowUp: '↑', Escape: 'Esc', Enter: 'Enter', Home: 'Home', End: 'End' };

function HelpDialog() {
  const app = useApp();
  const columns = [['Move', 'Views'], ['Job'], ['Log', 'Queue']] as const;
  return (
    <Modal title="Keyboard" onClose={() => app.store.getState().openDialog(null)} wide className="help">
      <div className="help-grid">
        {columns.map((col) => (
          <div key={col.join()}>
            {col.map((g) => (
              <section key={g} aria-label={g}>
                <h3>{g}</h3>
                <dl>
                  {KEYMAP.filter((k) => k.group === g).map((k) => (
                    <div key={k.action} className="help-row">
                      <dt>
                        {k.keys.map((key, i) => (
                          <span key={key}>
                            {i ? ' ' : ''}
                            <kbd>{KEY_NAMES[key] ?? key}</kbd>
                          </span>
                        ))}
                      </dt>
                      <dd>{k.help}</dd>
                    </div>
                  ))}
                </dl>
              </section>
            ))}
          </div>
        ))}
      </div>
      <div className="buttons">
        <button type="button" data-autofocus onClick={() => app.store.getState().openDialog(null)}>
          Close <kbd>Esc</kbd>
        </button>
      </div>
    </Modal>
  );
}
