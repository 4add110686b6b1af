import type { Output } from '../contract/api';
import { ErrandError } from '../contract/errors';
import type { HostEvent } from '../contract/events';
import type { Job } from '../contract/job';
import type { Session } from './session';

export type Snapshot = Output<'snapshot'>;
type Cursor = Snapshot['cursor'];

/** What a window shows about its link to the host: quiet, never a spinner. */
export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'open' }
  | { kind: 'reconnecting'; attempt: number; retryInMs: number; reason: string }
  | { kind: 'failed'; message: string };

export interface SyncHandlers {
  /** The first page of a fresh snapshot: on the first connect and after every reconnect. Replaces all state. */
  onSync(snapshot: Snapshot): void;
  /**
   * The snapshot's further pages, in the background. Each job replaces the one of its id:
   * on one ordered connection a page is newer than any event read before it.
   */
  onPage(jobs: Job[]): void;
  /** A live event that happened after the snapshot. */
  onEvent(event: HostEvent): void;
  onState(state: ConnectionState): void;
}

/**
 * Keeps a window in step with its host over a session: on every (re)connect a fresh
 * snapshot, whose first, most urgent page paints at once while the rest follows page by
 * page; events once the snapshot is in (earlier ones are part of it). Replies are taken
 * in frame order (session.request), so pages and events apply in the order sent.
 * Starts the session; the returned function stops both.
 */
export function syncWindow(session: Session, h: SyncHandlers): () => void {
  let stopped = false;
  /** Bumped on every new link: replies of an older one are ignored. */
  let generation = 0;
  let synced = false;

  const offEvents = session.subscribe((e) => {
    if (synced && !stopped) h.onEvent(e);
  });

  const page = (gen: number, cursor: Cursor): void => {
    if (!cursor) return;
    session.request('snapshotPage', { cursor }, (err, r) => {
      if (gen !== generation || stopped) return;
      if (err || !r) return session.drop(`the snapshot's next page failed: ${err?.message ?? 'no reply'}`);
      h.onPage(r.jobs);
      page(gen, r.cursor);
    });
  };

  const resync = (): void => {
    const gen = ++generation;
    synced = false;
    session.request('snapshot', {}, (err, snap) => {
      if (gen !== generation || stopped) return;
      if (err || !snap) return session.drop(`the snapshot failed: ${err?.message ?? 'no reply'}`);
      h.onSync(snap);
      synced = true;
      h.onState({ kind: 'open' });
      page(gen, snap.cursor);
    });
  };

  const offState = session.onState((s) => {
    if (stopped) return;
    if (s.kind === 'open') return resync();
    generation++;
    synced = false;
    if (s.kind === 'connecting') h.onState({ kind: 'connecting' });
    else if (s.kind === 'reconnecting') h.onState({ kind: 'reconnecting', attempt: s.attempt, retryInMs: s.retryInMs, reason: s.reason });
    else {
      // a refused hello (protocol mismatch) heals only with the host's own, newer page
      const mismatch = s.error instanceof ErrandError && s.error.code === 'invalid_input';
      h.onState({ kind: 'failed', message: mismatch ? `${s.reason} Reload the page.` : s.reason });
    }
  });

  h.onState({ kind: 'connecting' });
  session.start();
  return () => {
    stopped = true;
    session.close();
    offEvents();
    offState();
  };
}
