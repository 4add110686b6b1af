import { createStore, type StoreApi } from 'zustand/vanilla';
import type { HostEvent } from '../../../electron/contract/events';
import type { Approval, Job, JobDetail, QueueState, StatusSummary } from '../../../electron/contract/job';
import type { ConnectionState, Snapshot } from '../client/types';
import { orderChanged, type ViewKey } from './derive';

export type Dialog =
  | { kind: 'new' }
  | { kind: 'cancel'; ids: number[] }
  | { kind: 'priority'; id: number }
  | { kind: 'help' };

/** Where an error from the host is shown: next to what caused it. */
export type ErrorPlace = 'job' | 'queue' | 'approval' | 'new' | 'log' | 'result' | 'list';

/** What became of pressing Apply on a job's patch (per job, for the attempt whose patch it was). */
export type ApplyState =
  | { kind: 'busy'; attempt: number }
  | { kind: 'applied' | 'already-applied'; attempt: number; files: string[]; message: string }
  /** Refused: a conflict (files named, git's whole message after the first line) or no tree to apply to. */
  | { kind: 'refused'; attempt: number; message: string };

export interface DetailState {
  id: number;
  data: JobDetail | null;
  error: string | null;
}

export interface AppState {
  conn: ConnectionState;
  /** At least one snapshot has arrived. */
  synced: boolean;
  /**
   * Jobs by id. The Map is updated in place for speed (100k jobs); `version` bumps on
   * every change and `orderVersion` when grouping or order may have changed.
   */
  jobs: Map<number, Job>;
  version: number;
  orderVersion: number;
  status: StatusSummary | null;
  queue: QueueState | null;
  /** Open approvals by job id. */
  approvals: Map<number, Approval>;
  approvalsVersion: number;
  selectedId: number | null;
  view: ViewKey;
  filter: string;
  label: string | null;
  dialog: Dialog | null;
  errors: Partial<Record<ErrorPlace, { message: string; jobId: number | null; field?: string | undefined }>>;
  detail: DetailState | null;
  /** Which pane has the keyboard: the list or the detail. */
  focus: 'list' | 'detail';
  /** Apply outcomes by job id. */
  applies: ReadonlyMap<number, ApplyState>;

  sync(snap: Snapshot): void;
  applyEvents(events: readonly HostEvent[]): void;
  upsertJobs(jobs: readonly Job[]): void;
  /** A further page of the snapshot: each job replaces the one of its id (it is newer than events read before it). */
  mergePage(jobs: readonly Job[]): void;
  setConn(conn: ConnectionState): void;
  select(id: number | null): void;
  setView(view: ViewKey): void;
  setFilter(text: string): void;
  setLabel(label: string | null): void;
  openDialog(d: Dialog | null): void;
  setError(place: ErrorPlace, message: string | null, jobId?: number | null, field?: string): void;
  setDetail(d: DetailState | null): void;
  setFocus(f: 'list' | 'detail'): void;
  setApply(id: number, state: ApplyState | null): void;
}

export type AppStore = StoreApi<AppState>;

export function createAppStore(): AppStore {
  return createStore<AppState>()((set, get) => ({
    conn: { kind: 'connecting' },
    synced: false,
    jobs: new Map(),
    version: 0,
    orderVersion: 0,
    status: null,
    queue: null,
    approvals: new Map(),
    approvalsVersion: 0,
    selectedId: null,
    view: 'all',
    filter: '',
    label: null,
    dialog: null,
    errors: {},
    detail: null,
    focus: 'list',
    applies: new Map(),

    sync(snap) {
      const jobs = new Map<number, Job>();
      for (const j of snap.jobs) jobs.set(j.id, j);
      const approvals = new Map<number, Approval>();
      for (const a of snap.approvals) if (a.decision === null) approvals.set(a.jobId, a);
      const s = get();
      const selectedId = s.selectedId !== null && jobs.has(s.selectedId) ? s.selectedId : null;
      set({
        synced: true,
        jobs,
        version: s.version + 1,
        orderVersion: s.orderVersion + 1,
        status: snap.status,
        queue: snap.status.queue,
        approvals,
        approvalsVersion: s.approvalsVersion + 1,
        selectedId,
        detail: selectedId === null ? null : s.detail,
      });
    },

    applyEvents(events) {
      if (!events.length) return;
      const s = get();
      const jobs = s.jobs;
      let changed = false;
      let reorder = false;
      let approvals: Map<number, Approval> | null = null;
      let status = s.status;
      let queue = s.queue;
      let selectedId = s.selectedId;
      for (const e of events) {
        switch (e.type) {
          case 'job': {
            const prev = jobs.get(e.job.id);
            jobs.set(e.job.id, e.job);
            changed = true;
            if (!prev || orderChanged(prev, e.job)) reorder = true;
            // An approval that ended with the job (expired, or decided elsewhere) leaves the inbox.
            if (e.job.status !== 'waiting' && (approvals ?? s.approvals).has(e.job.id)) {
              approvals ??= new Map(s.approvals);
              approvals.delete(e.job.id);
            }
            break;
          }
          case 'removed':
            for (const id of e.ids) {
              if (jobs.delete(id)) changed = reorder = true;
              if ((approvals ?? s.approvals).has(id)) {
                approvals ??= new Map(s.approvals);
                approvals.delete(id);
              }
              if (selectedId === id) selectedId = null;
            }
            break;
          case 'approval': {
            approvals ??= new Map(s.approvals);
            const a = e.approval;
            if (a.decision === null) approvals.set(a.jobId, a);
            else if (approvals.get(a.jobId)?.id === a.id) approvals.delete(a.jobId);
            break;
          }
          case 'queue':
            queue = e.queue;
            if (status) status = { ...status, queue: e.queue };
            break;
          case 'status':
            status = e.status;
            queue = e.status.queue;
            break;
          case 'log':
            break;
        }
      }
      const patch: Partial<AppState> = { status, queue };
      if (changed) patch.version = s.version + 1;
      if (reorder) patch.orderVersion = s.orderVersion + 1;
      if (approvals) {
        patch.approvals = approvals;
        patch.approvalsVersion = s.approvalsVersion + 1;
      }
      if (selectedId !== s.selectedId) {
        patch.selectedId = selectedId;
        patch.detail = null;
      }
      set(patch);
    },

    upsertJobs(list) {
      const s = get();
      let reorder = false;
      for (const j of list) {
        const prev = s.jobs.get(j.id);
        s.jobs.set(j.id, j);
        if (!prev || orderChanged(prev, j)) reorder = true;
      }
      set({ version: s.version + 1, orderVersion: reorder ? s.orderVersion + 1 : s.orderVersion });
    },

    mergePage(list) {
      if (!list.length) return;
      const s = get();
      let reorder = false;
      let approvals: Map<number, Approval> | null = null;
      for (const j of list) {
        const prev = s.jobs.get(j.id);
        s.jobs.set(j.id, j);
        if (!prev || orderChanged(prev, j)) reorder = true;
        // a question answered since the first page leaves the inbox with it
        if (j.status !== 'waiting' && (approvals ?? s.approvals).has(j.id)) {
          approvals ??= new Map(s.approvals);
          approvals.delete(j.id);
        }
      }
      const patch: Partial<AppState> = { version: s.version + 1 };
      if (reorder) patch.orderVersion = s.orderVersion + 1;
      if (approvals) {
        patch.approvals = approvals;
        patch.approvalsVersion = s.approvalsVersion + 1;
      }
      set(patch);
    },

    setConn: (conn) => set({ conn }),
    select: (id) => {
      const s = get();
      if (id === s.selectedId) return;
      set({ selectedId: id, detail: s.detail && s.detail.id === id ? s.detail : null, errors: clearJobErrors(s.errors) });
    },
    setView: (view) => set({ view }),
    setFilter: (filter) => set({ filter }),
    setLabel: (label) => set({ label }),
    openDialog: (dialog) => set({ dialog }),
    setError: (place, message, jobId = null, field) => {
      const errors = { ...get().errors };
      if (message === null) delete errors[place];
      else errors[place] = { message, jobId, field };
      set({ errors });
    },
    setDetail: (detail) => set({ detail }),
    setFocus: (focus) => set({ focus }),
    setApply: (id, state) => {
      const applies = new Map(get().applies);
      if (state) applies.set(id, state);
      else applies.delete(id);
      set({ applies });
    },
  }));
}

function clearJobErrors(errors: AppState['errors']): AppState['errors'] {
  const { job: _j, approval: _a, log: _l, result: _r, ...rest } = errors;
  return rest;
}
