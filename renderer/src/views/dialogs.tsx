import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import type { AgentName, Input } from '../../../electron/contract/api';
import type { Settings } from '../../../electron/contract/job';
import { KEYMAP } from '../keyboard';
import { PRIORITY_MAX, PRIORITY_MIN, RETRIES_MAX, TITLE_MAX } from '../../../electron/contract/limits';
import { isActive } from '../../../electron/contract/status';
import { AGENTS } from '../ui/agents';
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

const LAST_KIND = 'errand.lastKind';
const LAST_AGENT = 'errand.lastAgent';

function remembered(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function remember(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // private mode: nothing to remember
  }
}

type Isolate = 'auto' | 'worktree' | 'none';
const ISOLATE: { value: Isolate; title: string; help: string }[] = [
  { value: 'auto', title: 'Auto', help: 'Its own git worktree when the directory is in a repository (the changes come back as a patch to apply); else the directory itself' },
  { value: 'worktree', title: 'Own worktree', help: 'Always its own git worktree on a branch errand/<id>, made from your last commit' },
  { value: 'none', title: 'None', help: 'Works in the directory itself' },
];

/** The host names the field at fault ("cwd", "after.0", "agent.endpoint"): the form's name for it. */
export function formField(hostField: string | undefined): string | null {
  if (!hostField) return null;
  const [head, second] = hostField.split('.');
  return head === 'agent' && second ? `agent.${second}` : head!;
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
  const [kind, setKind] = useState<'command' | 'agent'>(() => (remembered(LAST_KIND) === 'agent' ? 'agent' : 'command'));
  const [agent, setAgent] = useState<AgentName>(() => AGENTS.find((a) => a.name === remembered(LAST_AGENT))?.name ?? 'codex');
  const [form, setForm] = useState({ command: '', task: '', model: '', endpoint: '', isolate: 'auto' as Isolate, cwd: defaultCwd, title: '', priority: '0', after: '', retries: '0', labels: '' });
  const [local, setLocal] = useState<{ field: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [settings, setSettings] = useState<Settings | null>(null);
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));

  // The agents' defaults (model, endpoint) from the settings, as placeholders.
  useEffect(() => {
    let live = true;
    void app.actions.settings().then((s) => {
      if (live) setSettings(s);
    });
    return () => {
      live = false;
    };
  }, [app]);

  const switchKind = (k: 'command' | 'agent'): void => {
    setKind(k);
    setLocal(null);
  };

  const submit = async (): Promise<void> => {
    setLocal(null);
    if (kind === 'command' && !form.command.trim()) return setLocal({ field: 'command', message: 'Give a command to run.' });
    if (kind === 'agent' && !form.task.trim()) return setLocal({ field: 'agent.task', message: 'Say what the agent should do.' });
    if (!form.cwd.trim()) return setLocal({ field: 'cwd', message: 'Give the directory to run in.' });
    const after = parseIds(form.after);
    if (after.bad !== null) return setLocal({ field: 'after', message: `After: “${after.bad}” is not a job id.` });
    const priority = Number(form.priority || '0');
    const retries = Number(form.retries || '0');
    if (!Number.isInteger(priority)) return setLocal({ field: 'priority', message: 'Priority must be a whole number.' });
    if (!Number.isInteger(retries) || retries < 0) return setLocal({ field: 'retries', message: 'Retries must be a whole number, 0 or more.' });
    const common = { cwd: form.cwd.trim(), priority, retries, after: after.ids, labels: parseLabels(form.labels) };
    let input: Input<'add'>;
    if (kind === 'agent') {
      const spec: NonNullable<Input<'add'>['agent']> = { with: agent, task: form.task.trim() };
      if (form.model.trim()) spec.model = form.model.trim();
      if (form.endpoint.trim()) spec.endpoint = form.endpoint.trim();
      input = { kind: 'agent', agent: spec, isolate: form.isolate, ...common };
    } else {
      input = { command: { shell: form.command.trim() }, ...common };
    }
    if (form.title.trim()) input.title = form.title.trim();
    setBusy(true);
    const job = await app.actions.add(input);
    setBusy(false);
    if (job) {
      remember(LAST_CWD, input.cwd);
      remember(LAST_KIND, kind);
      if (kind === 'agent') remember(LAST_AGENT, agent);
      app.store.getState().openDialog(null);
    }
  };

  const field = local?.field ?? formField(error?.field);
  const message = local?.message ?? error?.message ?? null;
  const invalid = (k: string): boolean => field === k || (k === 'agent.with' && field === 'agent');
  const described = (k: string): { 'aria-invalid': boolean; 'aria-describedby'?: string } => (invalid(k) ? { 'aria-invalid': true, 'aria-describedby': 'new-error' } : { 'aria-invalid': false });
  const preset = settings?.agents?.[agent];
  const agentName = AGENTS.find((a) => a.name === agent)!.title;
  return (
    <Modal title="New job" onClose={close} wide>
      <form
        className="new-job"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="seg-field">
          <span className="seg-label" id="new-kind">
            Kind
          </span>
          <div className="segmented" role="radiogroup" aria-labelledby="new-kind">
            {(['command', 'agent'] as const).map((k) => (
              <label key={k} className={kind === k ? 'current' : ''}>
                <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => switchKind(k)} />
                {k === 'command' ? 'Command' : 'Agent'}
              </label>
            ))}
          </div>
        </div>
        {kind === 'command' ? (
          <label>
            <span>Command</span>
            <input
              data-autofocus
              name="command"
              value={form.command}
              onChange={set('command')}
              placeholder="npm test"
              {...described('command')}
              autoComplete="off"
              spellCheck={false}
              className="mono"
            />
          </label>
        ) : (
          <>
            <div className="seg-field">
              <span className="seg-label" id="new-agent">
                Agent
              </span>
              <div className="segmented" role="radiogroup" aria-labelledby="new-agent" aria-invalid={invalid('agent.with')}>
                {AGENTS.map((a) => (
                  <label key={a.name} className={agent === a.name ? 'current' : ''}>
                    <input type="radio" name="agent" value={a.name} checked={agent === a.name} onChange={() => setAgent(a.name)} />
                    {a.title}
                  </label>
                ))}
              </div>
            </div>
            <label>
              <span>Task</span>
              <textarea
                data-autofocus
                name="task"
                rows={4}
                value={form.task}
                onChange={set('task')}
                placeholder={`What ${agentName} should do, e.g. “Fix the failing test in src/date.test.ts and explain the cause.”`}
                {...described('agent.task')}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                    e.preventDefault();
                    void submit();
                  }
                }}
              />
            </label>
            <div className="row2">
              <label>
                <span>Model</span>
                <input name="model" value={form.model} onChange={set('model')} placeholder={preset?.model ? `default: ${preset.model}` : `${agentName}’s default`} {...described('agent.model')} autoComplete="off" spellCheck={false} className="mono" />
              </label>
              <label>
                <span>Endpoint</span>
                <input name="endpoint" value={form.endpoint} onChange={set('endpoint')} placeholder={preset?.endpoint ? `default: ${preset.endpoint}` : `${agentName}’s own API`} {...described('agent.endpoint')} autoComplete="off" spellCheck={false} className="mono" />
              </label>
            </div>
          </>
        )}
        <label>
          <span>Directory</span>
          <input name="cwd" value={form.cwd} onChange={set('cwd')} placeholder="/path/to/project" {...described('cwd')} autoComplete="off" spellCheck={false} className="mono" />
        </label>
        {kind === 'agent' ? (
          <div className="seg-field">
            <span className="seg-label" id="new-isolate">
              Isolation
            </span>
            <div>
              <div className="segmented" role="radiogroup" aria-labelledby="new-isolate" aria-describedby="new-isolate-help" aria-invalid={invalid('isolate')}>
                {ISOLATE.map((o) => (
                  <label key={o.value} className={form.isolate === o.value ? 'current' : ''}>
                    <input type="radio" name="isolate" value={o.value} checked={form.isolate === o.value} onChange={() => setForm((f) => ({ ...f, isolate: o.value }))} />
                    {o.title}
                  </label>
                ))}
              </div>
              <p className="field-help muted" id="new-isolate-help">
                {ISOLATE.find((o) => o.value === form.isolate)!.help}.
              </p>
            </div>
          </div>
        ) : null}
        <label>
          <span>Title</span>
          <input name="title" value={form.title} onChange={set('title')} placeholder={kind === 'agent' ? 'defaults to the task' : 'defaults to the command'} maxLength={TITLE_MAX} {...described('title')} autoComplete="off" />
        </label>
        <div className="row3">
          <label>
            <span>Priority</span>
            <input name="priority" type="number" min={PRIORITY_MIN} max={PRIORITY_MAX} value={form.priority} onChange={set('priority')} {...described('priority')} />
          </label>
          <label>
            <span>Retries</span>
            <input name="retries" type="number" min={0} max={RETRIES_MAX} value={form.retries} onChange={set('retries')} {...described('retries')} />
          </label>
          <label>
            <span>After jobs</span>
            <input name="after" value={form.after} onChange={set('after')} placeholder="12, 14" {...described('after')} autoComplete="off" />
          </label>
        </div>
        <label>
          <span>Labels</span>
          <input name="labels" value={form.labels} onChange={set('labels')} placeholder="work, api" {...described('labels')} autoComplete="off" />
        </label>
        {message ? (
          <p className="error" role="alert" data-testid="new-error" id="new-error">
            {message}
          </p>
        ) : null}
        <div className="buttons">
          {kind === 'agent' ? <span className="muted hint">Enter in the task adds a line; Ctrl+Enter adds the job.</span> : null}
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
