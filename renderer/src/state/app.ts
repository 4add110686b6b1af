import type { Input, Output } from '../../../electron/contract/api';
import type { HostEvent } from '../../../electron/contract/events';
import type { Job } from '../../../electron/contract/job';
import { FINISHED_STATUSES, isFinished } from '../../../electron/contract/status';
import type { ErrandClient } from '../client/types';
import { LogFeeds } from './logs';
import { type AppStore, createAppStore, type ErrorPlace } from './store';

export interface AppOptions {
  /** How event batches are scheduled (default: next animation frame, at most 100 ms). */
  schedule?: (fn: () => void) => void;
  /** Delay of the trailing refresh of the open job's detail after a change. */
  detailDelayMs?: number;
  isVisible?: () => boolean;
}

export interface ErrandApp {
  client: ErrandClient;
  store: AppStore;
  logs: LogFeeds;
  actions: Actions;
  /** Connects; returns the stop function. */
  start(): () => void;
  /** Applies queued events now (tests, and before applying a call's reply). */
  flush(): void;
}

export type Actions = ReturnType<typeof makeActions>;

/** Performance marks for the benchmark (test/bench/ui-bench.mjs); free when nobody reads them. */
export function mark(name: string): void {
  if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(name);
}

function defaultSchedule(fn: () => void): void {
  let done = false;
  const run = (): void => {
    if (done) return;
    done = true;
    fn();
  };
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(run);
  setTimeout(run, 100);
}

/** Wires a client to a store: snapshot + batched live events, detail refresh, actions. */
export function createApp(client: ErrandClient, opts: AppOptions = {}): ErrandApp {
  const store = createAppStore();
  const logs = new LogFeeds(client.call.bind(client) as ErrandClient['call']);
  const schedule = opts.schedule ?? defaultSchedule;
  const isVisible = opts.isVisible ?? (() => typeof document === 'undefined' || document.visibilityState !== 'hidden');
  // events and the snapshot's later pages, applied in the order they arrived
  let queue: (HostEvent | PageItem)[] = [];
  let scheduled = false;
  let openedId: number | null = null;

  const enqueue = (item: HostEvent | PageItem): void => {
    queue.push(item);
    if (!scheduled) {
      scheduled = true;
      schedule(flush);
    }
  };

  const flush = (): void => {
    scheduled = false;
    if (!queue.length) return;
    const batch = queue;
    queue = [];
    const sel = store.getState().selectedId;
    applyInOrder(store, batch);
    let touchesSelected = false;
    for (const e of batch) {
      if (e.type === 'page') continue;
      if (e.type === 'log') logs.onLog(e.jobId, e.attempt, e.size);
      else if (e.type === 'job') {
        logs.onJob(e.job.id);
        if (e.job.id === sel) touchesSelected = true;
        if (e.job.id === openedId && e.job.unread && isVisible()) void actions.markRead(e.job.id);
      } else if (e.type === 'approval' && e.approval.jobId === sel) touchesSelected = true;
      else if (e.type === 'removed') logs.drop(e.ids);
    }
    if (touchesSelected && sel !== null) detailSoon(sel);
  };

  // --- the open job's detail (steps, attempts, events): re-read after it changes -------
  let detailTimer: ReturnType<typeof setTimeout> | null = null;
  let detailSeq = 0;
  const loadDetail = async (id: number): Promise<void> => {
    const seq = ++detailSeq;
    try {
      const data = await client.call('get', { id });
      if (seq !== detailSeq || store.getState().selectedId !== id) return;
      store.getState().setDetail({ id, data, error: null });
    } catch (e) {
      if (seq !== detailSeq || store.getState().selectedId !== id) return;
      const prev = store.getState().detail;
      store.getState().setDetail({ id, data: prev?.id === id ? prev.data : null, error: (e as Error).message });
    }
  };
  const detailSoon = (id: number): void => {
    if (detailTimer) return;
    detailTimer = setTimeout(() => {
      detailTimer = null;
      void loadDetail(id);
    }, opts.detailDelayMs ?? 250);
  };

  store.subscribe((s, prev) => {
    if (s.selectedId !== prev.selectedId) {
      if (openedId !== s.selectedId) openedId = null;
      if (s.selectedId !== null) void loadDetail(s.selectedId);
    }
  });

  const actions = makeActions(client, store, flush, {
    open(id: number) {
      openedId = id;
    },
  });

  return {
    client,
    store,
    logs,
    actions,
    flush,
    start() {
      const offShell = client.onShell?.((cmd) => {
        if (cmd.type === 'new-job') store.getState().openDialog({ kind: 'new' });
        else {
          store.getState().openDialog(null);
          actions.open(cmd.id);
          store.getState().setFocus('detail');
        }
      });
      const stop = client.start({
        onSync(snap) {
          queue = [];
          mark('errand:sync-start');
          store.getState().sync(snap);
          mark('errand:sync-end');
          logs.resync();
          const sel = store.getState().selectedId;
          if (sel !== null) void loadDetail(sel);
        },
        onPage(jobs) {
          enqueue({ type: 'page', jobs });
        },
        onEvent(e) {
          enqueue(e);
        },
        onState(conn) {
          store.getState().setConn(conn);
        },
      });
      return () => {
        offShell?.();
        stop();
      };
    },
  };
}

/** A later page of the snapshot, queued with the events so both apply in arrival order. */
interface PageItem {
  type: 'page';
  jobs: readonly Job[];
}

/** Runs of events go to applyEvents, pages to mergePage, in the order they came. */
function applyInOrder(store: AppStore, batch: readonly (HostEvent | PageItem)[]): void {
  let run: HostEvent[] = [];
  for (const item of batch) {
    if (item.type !== 'page') {
      run.push(item);
      continue;
    }
    if (run.length) store.getState().applyEvents(run);
    run = [];
    store.getState().mergePage(item.jobs);
  }
  if (run.length) store.getState().applyEvents(run);
}

function makeActions(client: ErrandClient, store: AppStore, flush: () => void, hooks: { open(id: number): void }) {
  const st = () => store.getState();

  /** Runs a call; its error is shown at `place` (and returned as null); success clears it. */
  async function run<T>(place: ErrorPlace, jobId: number | null, fn: () => Promise<T>): Promise<T | null> {
    try {
      const r = await fn();
      if (st().errors[place]) st().setError(place, null);
      return r;
    } catch (e) {
      st().setError(place, (e as Error).message || String(e), jobId, (e as { field?: string }).field);
      return null;
    }
  }

  /** A reply is newer than any event already queued, so those go first. */
  const applyJobs = (jobs: readonly Job[]): void => {
    flush();
    st().upsertJobs(jobs);
  };

  const actions = {
    async add(input: Input<'add'>): Promise<Job | null> {
      const job = await run('new', null, () => client.call('add', input));
      if (job) {
        applyJobs([job]);
        st().select(job.id);
      }
      return job;
    },
    async cancel(ids: number[]): Promise<boolean> {
      const r = await run('job', ids[0] ?? null, () => client.call('cancel', { ids }));
      if (r) applyJobs(r.jobs);
      return r !== null;
    },
    async retry(ids: number[]): Promise<boolean> {
      const r = await run('job', ids[0] ?? null, () => client.call('retry', { ids }));
      if (r) applyJobs(r.jobs);
      return r !== null;
    },
    async hold(ids: number[]): Promise<boolean> {
      const r = await run('job', ids[0] ?? null, () => client.call('hold', { ids }));
      if (r) applyJobs(r.jobs);
      return r !== null;
    },
    async release(ids: number[]): Promise<boolean> {
      const r = await run('job', ids[0] ?? null, () => client.call('release', { ids }));
      if (r) applyJobs(r.jobs);
      return r !== null;
    },
    /** h: hold a queued job, release a held one. */
    async toggleHold(id: number): Promise<boolean> {
      const j = st().jobs.get(id);
      if (!j) return false;
      return j.status === 'held' ? actions.release([id]) : actions.hold([id]);
    },
    async prioritise(id: number, priority: number): Promise<boolean> {
      const r = await run('job', id, () => client.call('prioritise', { id, priority }));
      if (r) applyJobs([r]);
      return r !== null;
    },
    async bump(id: number, delta: number): Promise<boolean> {
      const j = st().jobs.get(id);
      if (!j) return false;
      return actions.prioritise(id, j.priority + delta);
    },
    /** scope 'job': the same tool is approved for the rest of the job (tool requests only). */
    async approve(id: number, note?: string, scope: 'once' | 'job' = 'once'): Promise<boolean> {
      const input: Input<'approve'> = { id };
      if (note) input.note = note;
      if (scope === 'job') input.scope = 'job';
      const r = await run('approval', id, () => client.call('approve', input));
      return r !== null;
    },
    async deny(id: number, note?: string): Promise<boolean> {
      const r = await run('approval', id, () => client.call('deny', note ? { id, note } : { id }));
      return r !== null;
    },
    /**
     * Applies the job's patch to the tree it was made from; the outcome (applied, already
     * applied, or the refusal with git's whole message) stays with the job in `applies`.
     */
    async apply(id: number): Promise<boolean> {
      const attempt = st().jobs.get(id)?.attempt ?? 0;
      if (st().applies.get(id)?.kind === 'busy') return false;
      st().setApply(id, { kind: 'busy', attempt });
      try {
        const r = await client.call('apply', { id });
        st().setApply(id, { kind: r.outcome, attempt, files: r.files, message: r.message });
        return true;
      } catch (e) {
        st().setApply(id, { kind: 'refused', attempt, message: (e as Error).message || String(e) });
        return false;
      }
    },
    /** The settings record (agent defaults for the New job form); null when it cannot be read. */
    async settings(): Promise<Output<'settings'> | null> {
      try {
        return await client.call('settings', {});
      } catch {
        return null;
      }
    },
    async markRead(id: number): Promise<void> {
      await run('job', id, () => client.call('markRead', { ids: [id] }));
    },
    /** Enter / click: select, mark read, and remember it is being looked at. */
    open(id: number): void {
      st().select(id);
      hooks.open(id);
      if (st().jobs.get(id)?.unread) void actions.markRead(id);
    },
    /**
     * The snapshot holds the newest finished jobs only; this pages further back, newest
     * first, from the oldest finished job loaded so far.
     */
    async loadOlder(limit = 1000): Promise<boolean> {
      let oldest = Infinity;
      for (const j of st().jobs.values()) if (isFinished(j.status) && j.id < oldest) oldest = j.id;
      const page = Number.isFinite(oldest) ? { beforeId: oldest } : {};
      const r = await run('list', null, () => client.call('list', { status: [...FINISHED_STATUSES], order: 'newest', limit, ...page }));
      if (r) applyJobs(r.jobs);
      return r !== null;
    },
    async togglePause(): Promise<boolean> {
      const paused = st().queue?.paused ?? false;
      const r = await run('queue', null, () => client.call(paused ? 'resume' : 'pause', {}));
      if (r) st().applyEvents([{ type: 'queue', queue: r }]);
      return r !== null;
    },
    async setConcurrency(concurrency: number): Promise<boolean> {
      const r = await run('queue', null, () => client.call('setConcurrency', { concurrency }));
      if (r) st().applyEvents([{ type: 'queue', queue: r }]);
      return r !== null;
    },
  };
  return actions;
}
