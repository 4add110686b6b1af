import type { ErrandApp } from './state/app';
import type { ListModel, ViewKey } from './state/derive';
import { VIEWS } from './state/derive';
import { CONCURRENCY_MAX } from '../../electron/contract/limits';

export type KeyAction =
  | 'next'
  | 'prev'
  | 'first'
  | 'last'
  | 'open'
  | 'back'
  | 'approve'
  | 'approve-job'
  | 'deny'
  | 'approve-note'
  | 'apply'
  | 'cancel'
  | 'retry'
  | 'hold'
  | 'prio-up'
  | 'prio-down'
  | 'prio-set'
  | 'new'
  | 'filter'
  | 'pause'
  | 'conc-down'
  | 'conc-up'
  | 'help'
  | 'tab-next'
  | 'tab-prev'
  | 'follow'
  | 'log-search'
  | 'log-save'
  | `view:${ViewKey}`;

export interface KeyDef {
  keys: string[];
  action: KeyAction;
  help: string;
  group: 'Move' | 'Job' | 'Queue' | 'Log' | 'Views';
}

/** The one keymap: the handler and the ? sheet both read it. */
export const KEYMAP: readonly KeyDef[] = [
  { keys: ['j', 'ArrowDown'], action: 'next', help: 'Next job', group: 'Move' },
  { keys: ['k', 'ArrowUp'], action: 'prev', help: 'Previous job', group: 'Move' },
  { keys: ['g', 'Home'], action: 'first', help: 'First job', group: 'Move' },
  { keys: ['G', 'End'], action: 'last', help: 'Last job', group: 'Move' },
  { keys: ['Enter'], action: 'open', help: 'Open the job (marks it read)', group: 'Move' },
  { keys: ['Escape'], action: 'back', help: 'Back to the list; clear the filter', group: 'Move' },
  { keys: ['/'], action: 'filter', help: 'Filter: text, label:x, is:failed, #12', group: 'Move' },
  { keys: ['a'], action: 'approve', help: 'Approve what the job asks (once)', group: 'Job' },
  { keys: ['A'], action: 'approve-job', help: 'Approve an agent’s tool for the rest of the job', group: 'Job' },
  { keys: ['d'], action: 'deny', help: 'Deny what the job asks', group: 'Job' },
  { keys: ['D'], action: 'approve-note', help: 'Write a note first (Enter approves once)', group: 'Job' },
  { keys: ['y'], action: 'apply', help: 'Apply the job’s patch to your tree', group: 'Job' },
  { keys: ['c'], action: 'cancel', help: 'Cancel the job (asks first)', group: 'Job' },
  { keys: ['r'], action: 'retry', help: 'Retry a finished job', group: 'Job' },
  { keys: ['h'], action: 'hold', help: 'Hold a queued job / release a held one', group: 'Job' },
  { keys: ['+', '='], action: 'prio-up', help: 'Raise priority', group: 'Job' },
  { keys: ['-'], action: 'prio-down', help: 'Lower priority', group: 'Job' },
  { keys: ['P'], action: 'prio-set', help: 'Set priority', group: 'Job' },
  { keys: ['t'], action: 'tab-next', help: 'Next tab: steps, log, result, events, attempts', group: 'Job' },
  { keys: ['T'], action: 'tab-prev', help: 'Previous tab', group: 'Job' },
  { keys: ['f'], action: 'follow', help: 'Follow the end of the log (or the newest step) on/off', group: 'Log' },
  { keys: ['s'], action: 'log-search', help: 'Search the log (Enter next, Shift+Enter previous)', group: 'Log' },
  { keys: ['S'], action: 'log-save', help: 'Download the log, byte for byte', group: 'Log' },
  { keys: ['n'], action: 'new', help: 'New job', group: 'Queue' },
  { keys: ['p'], action: 'pause', help: 'Pause / resume the queue', group: 'Queue' },
  { keys: ['<'], action: 'conc-down', help: 'One fewer job at once', group: 'Queue' },
  { keys: ['>'], action: 'conc-up', help: 'One more job at once', group: 'Queue' },
  { keys: ['?'], action: 'help', help: 'This list', group: 'Queue' },
  ...VIEWS.map((v, i): KeyDef => ({ keys: [String(i + 1)], action: `view:${v.key}`, help: `Show ${v.title.toLowerCase()}`, group: 'Views' })),
];

const BY_KEY = new Map<string, KeyAction>();
for (const d of KEYMAP) for (const k of d.keys) BY_KEY.set(k, d.action);

export function actionFor(e: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean }): KeyAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  return BY_KEY.get(e.key) ?? null;
}

const TEXT_TYPES = new Set(['text', 'search', 'number', 'email', 'url', 'password', 'tel', '']);
export function isTextEntry(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return TEXT_TYPES.has((el as HTMLInputElement).type);
  return (el as HTMLElement).isContentEditable === true;
}

function emit(name: string, detail?: unknown): void {
  window.dispatchEvent(new CustomEvent(name, { detail }));
}

/**
 * The window-wide key handler. Text fields keep their keys; dialogs handle their own;
 * Enter and Space on a focused button stay the button's.
 */
export function handleKey(app: ErrandApp, e: KeyboardEvent, model: ListModel | null): boolean {
  const s = app.store.getState();
  if (s.dialog) return false;
  const target = e.target as Element | null;
  if (isTextEntry(target)) return false;
  const action = actionFor(e);
  if (!action) return false;
  const tag = target?.tagName;
  const onControl = tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY' || target?.getAttribute('role') === 'tab';
  if (onControl && (e.key === 'Enter' || e.key === ' ')) return false;
  // Arrow keys scroll whatever scrolls (log, detail) unless the list has the keyboard.
  const inDetail = s.focus === 'detail' && target !== document.body;
  if (inDetail && (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'Home' || e.key === 'End')) return false;
  run(app, action, model);
  return true;
}

function listFocus(): void {
  (document.querySelector('[data-testid="job-list"], section.inbox') as HTMLElement | null)?.focus({ preventScroll: true });
}

function toList(s: { focus: string; setFocus(f: 'list'): void }): void {
  if (s.focus !== 'list') s.setFocus('list');
  if (!document.activeElement?.closest('[data-testid="job-list"], .inbox')) listFocus();
}

export function run(app: ErrandApp, action: KeyAction, model: ListModel | null): void {
  const s = app.store.getState();
  const ids = model?.ids ?? [];
  const sel = s.selectedId;
  const move = (to: number): void => {
    if (!ids.length) return;
    s.select(ids[Math.max(0, Math.min(ids.length - 1, to))]!);
  };
  const at = sel === null ? -1 : ids.indexOf(sel);
  const needJob = (): number | null => {
    if (sel === null) s.setError('job', 'Select a job first (j/k).');
    return sel;
  };

  if (action.startsWith('view:')) {
    s.setView(action.slice(5) as ViewKey);
    return;
  }
  switch (action) {
    case 'next':
      move(at === -1 ? 0 : at + 1);
      toList(s);
      return;
    case 'prev':
      move(at === -1 ? 0 : at - 1);
      toList(s);
      return;
    case 'first':
      move(0);
      return;
    case 'last':
      move(ids.length - 1);
      return;
    case 'open':
      if (sel === null) {
        move(0);
        return;
      }
      app.actions.open(sel);
      s.setFocus('detail');
      return;
    case 'back':
      if (s.focus === 'detail') {
        s.setFocus('list');
        listFocus();
      } else if (s.filter) s.setFilter('');
      else if (s.label) s.setLabel(null);
      else if (s.view !== 'all') s.setView('all');
      return;
    case 'filter':
      (document.getElementById('filter') as HTMLInputElement | null)?.focus();
      return;
    case 'approve':
    case 'deny': {
      const id = needJob();
      if (id === null) return;
      if (!s.approvals.has(id)) {
        s.setError('job', `Job #${id} is not waiting for a decision.`, id);
        return;
      }
      void (action === 'approve' ? app.actions.approve(id) : app.actions.deny(id));
      return;
    }
    case 'approve-job': {
      const id = needJob();
      if (id === null) return;
      const a = s.approvals.get(id);
      if (!a) {
        s.setError('job', `Job #${id} is not waiting for a decision.`, id);
        return;
      }
      if (a.tool === null) {
        s.setError('approval', `Job #${id} asks a question, not for a tool: approve it once (a).`, id);
        return;
      }
      void app.actions.approve(id, undefined, 'job');
      return;
    }
    case 'apply': {
      const id = needJob();
      if (id === null) return;
      if (s.jobs.get(id)?.resultSummary?.type !== 'patch') {
        s.setError('job', `Job #${id} has no patch to apply.`, id);
        return;
      }
      emit('errand:tab', 'result');
      void app.actions.apply(id);
      return;
    }
    case 'approve-note': {
      const id = needJob();
      if (id === null) return;
      if (!s.approvals.has(id)) {
        s.setError('job', `Job #${id} is not waiting for a decision.`, id);
        return;
      }
      emit('errand:approval-note', id);
      return;
    }
    case 'cancel': {
      const id = needJob();
      if (id !== null) s.openDialog({ kind: 'cancel', ids: [id] });
      return;
    }
    case 'retry': {
      const id = needJob();
      if (id !== null) void app.actions.retry([id]);
      return;
    }
    case 'hold': {
      const id = needJob();
      if (id !== null) void app.actions.toggleHold(id);
      return;
    }
    case 'prio-up':
    case 'prio-down': {
      const id = needJob();
      if (id !== null) void app.actions.bump(id, action === 'prio-up' ? 1 : -1);
      return;
    }
    case 'prio-set': {
      const id = needJob();
      if (id !== null) s.openDialog({ kind: 'priority', id });
      return;
    }
    case 'new':
      s.openDialog({ kind: 'new' });
      return;
    case 'pause':
      void app.actions.togglePause();
      return;
    case 'conc-down':
    case 'conc-up': {
      const c = s.queue?.concurrency;
      if (c === undefined) return;
      const next = action === 'conc-up' ? Math.min(CONCURRENCY_MAX, c + 1) : Math.max(1, c - 1);
      if (next !== c) void app.actions.setConcurrency(next);
      return;
    }
    case 'help':
      s.openDialog({ kind: 'help' });
      return;
    case 'tab-next':
    case 'tab-prev':
      emit('errand:cycle-tab', action === 'tab-next' ? 1 : -1);
      return;
    case 'follow':
      emit('errand:log-follow');
      return;
    case 'log-search':
      emit('errand:tab', 'log');
      // on the log tab already: focus now, so keys typed right after 's' are not lost;
      // if the tab was just opened, focus again once it has rendered
      emit('errand:log-search');
      setTimeout(() => emit('errand:log-search'), 0);
      return;
    case 'log-save':
      emit('errand:log-save');
      return;
  }
}
