import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import type { Job } from '../../../electron/contract/job';
import { isActive } from '../../../electron/contract/status';
import { lineAt, readWholeLog, SKIP_MARK } from '../state/logs';
import { useApp, useAppState } from '../ui/context';
import { bytes } from '../ui/format';
import { AnsiLine, plainLine } from './ansi';
import { saveFile } from './download';

export const LINE_HEIGHT = 18;
const OVERSCAN = 20;

export function LogPanel({ job, attempt, onAttempt }: { job: Job; attempt: number; onAttempt: (n: number) => void }) {
  return (
    <div className="log-panel">
      {job.attempt > 1 ? (
        <div className="attempt-pick" role="group" aria-label="Attempt">
          <span className="muted">Attempt</span>
          {Array.from({ length: job.attempt }, (_, i) => i + 1).map((n) => (
            <button key={n} type="button" aria-pressed={n === attempt} className={n === attempt ? 'current' : ''} onClick={() => onAttempt(n)}>
              {n}
            </button>
          ))}
        </div>
      ) : null}
      {attempt === 0 ? <p className="muted log-none">No log yet: the job has not started.</p> : <LogBody key={`${job.id}:${attempt}`} jobId={job.id} attempt={attempt} live={attempt === job.attempt && isActive(job.status)} />}
    </div>
  );
}

function LogBody({ jobId, attempt, live }: { jobId: number; attempt: number; live: boolean }) {
  const app = useApp();
  const feed = useMemo(() => app.logs.get(jobId, attempt), [app, jobId, attempt]);
  const subscribe = useCallback((fn: () => void) => feed.subscribe(fn), [feed]);
  const view = useSyncExternalStore(subscribe, () => feed.snapshot);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [hit, setHit] = useState(0);
  const [saving, setSaving] = useState<string | null>(null);
  const logError = useAppState((s) => s.errors.log);
  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const count = view.count;

  const q = query.trim().toLowerCase();
  const hits = useMemo(() => {
    if (!q) return [] as number[];
    const out: number[] = [];
    for (let i = 0; i < view.count; i++) {
      const l = lineAt(view, i);
      if (!l.startsWith(SKIP_MARK) && plainLine(l).toLowerCase().includes(q)) out.push(i);
    }
    return out;
    // view changes identity on every read; the lines are append-only, so version is the key
  }, [view, q]);
  const hitSet = useMemo(() => new Set(hits), [hits]);
  const current = hits.length ? hits[Math.min(hit, hits.length - 1)]! : -1;

  // Lines have one fixed height, so the visible window is plain arithmetic: O(1) per
  // update however long the log (a general virtualizer re-measures every line on growth).
  const [win, setWin] = useState({ top: 0, height: 400 });
  const frame = useRef<number | null>(null);
  const readWindow = useCallback(() => {
    frame.current = null;
    const el = scrollRef.current;
    if (el) setWin((w) => (w.top === el.scrollTop && w.height === el.clientHeight ? w : { top: el.scrollTop, height: el.clientHeight || w.height }));
  }, []);
  useLayoutEffect(() => {
    readWindow();
    const el = scrollRef.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => readWindow());
    ro.observe(el);
    return () => ro.disconnect();
  }, [readWindow]);
  const first = Math.max(0, Math.floor(win.top / LINE_HEIGHT) - OVERSCAN);
  const last = Math.min(count, Math.ceil((win.top + win.height) / LINE_HEIGHT) + OVERSCAN);

  const scrollToLine = useCallback((i: number, align: 'end' | 'center') => {
    const el = scrollRef.current;
    if (!el) return;
    const h = el.clientHeight || win.height;
    const top = align === 'end' ? (i + 1) * LINE_HEIGHT - h : i * LINE_HEIGHT - h / 2 + LINE_HEIGHT / 2;
    el.scrollTop = Math.max(0, top);
    readWindow();
  }, [readWindow, win.height]);

  // Follow the tail: after new lines, jump to the end, unless the reader scrolled up.
  useLayoutEffect(() => {
    if (follow && count && !q) scrollToLine(count - 1, 'end');
  }, [follow, count, view.version, q, scrollToLine]);

  useEffect(() => {
    if (current >= 0) scrollToLine(current, 'center');
  }, [current, scrollToLine]);

  const onScroll = (): void => {
    const el = scrollRef.current;
    if (!el) return;
    frame.current ??= requestAnimationFrame(readWindow);
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - LINE_HEIGHT;
    if (atBottom !== follow) setFollow(atBottom);
  };

  const download = useCallback(async () => {
    setSaving('reading');
    try {
      const data = await readWholeLog(app.client.call.bind(app.client) as typeof app.client.call, jobId, attempt);
      saveFile(`errand-job-${jobId}-attempt-${attempt}.log`, data, 'application/octet-stream');
      app.store.getState().setError('log', null);
      setSaving(null);
    } catch (e) {
      app.store.getState().setError('log', (e as Error).message, jobId);
      setSaving(null);
    }
  }, [app, jobId, attempt]);

  // Keys from the keymap: f follow, s search, S save.
  useEffect(() => {
    const onFollow = (): void => setFollow((f) => !f);
    const onSearch = (): void => searchRef.current?.focus();
    const onSave = (): void => void download();
    window.addEventListener('errand:log-follow', onFollow);
    window.addEventListener('errand:log-search', onSearch);
    window.addEventListener('errand:log-save', onSave);
    return () => {
      window.removeEventListener('errand:log-follow', onFollow);
      window.removeEventListener('errand:log-search', onSearch);
      window.removeEventListener('errand:log-save', onSave);
    };
  }, [download]);

  const step = (d: number): void => {
    if (!hits.length) return;
    setFollow(false);
    setHit((h) => (Math.min(h, hits.length - 1) + d + hits.length) % hits.length);
  };

  return (
    <>
      <div className="log-tools" role="toolbar" aria-label="Log">
        <input
          ref={searchRef}
          type="search"
          className="log-search"
          placeholder="Search log  (s)"
          aria-label="Search the log"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setHit(0);
            if (e.target.value) setFollow(false);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              step(e.shiftKey ? -1 : 1);
            } else if (e.key === 'Escape') {
              e.preventDefault();
              if (query) setQuery('');
              else (e.target as HTMLInputElement).blur();
            }
          }}
        />
        {q ? (
          <span className="hits" aria-live="polite" data-testid="log-hits">
            {hits.length ? `${Math.min(hit, hits.length - 1) + 1}/${hits.length}` : 'no match'}
          </span>
        ) : null}
        {q && hits.length > 1 ? (
          <>
            <button type="button" aria-label="Previous match (Shift+Enter)" onClick={() => step(-1)}>
              ↑
            </button>
            <button type="button" aria-label="Next match (Enter)" onClick={() => step(1)}>
              ↓
            </button>
          </>
        ) : null}
        <span className="spacer" />
        <span className="log-size muted">
          {bytes(view.size)}
          {live ? ' · live' : ''}
        </span>
        <button type="button" aria-pressed={follow} className={follow ? 'on' : ''} onClick={() => setFollow((f) => !f)} title="Follow the end of the log (f)">
          Follow <kbd>f</kbd>
        </button>
        <button type="button" onClick={() => void download()} disabled={saving !== null} title="Download every byte of this log (S)">
          {saving ? 'Reading log' : 'Download'}
        </button>
      </div>
      {view.error ? (
        <p className="error" role="alert">
          {view.error}
        </p>
      ) : null}
      {logError && logError.jobId === jobId ? (
        <p className="error" role="alert">
          {logError.message}
        </p>
      ) : null}
      <div ref={scrollRef} className="log-scroll" role="log" aria-live="off" aria-label={`Log of job #${jobId}, attempt ${attempt}`} tabIndex={0} onScroll={onScroll} data-testid="log">
        {count === 0 ? (
          <p className="muted log-none">{view.done ? 'The job wrote nothing.' : live ? 'No output yet.' : ''}</p>
        ) : (
          <div style={{ height: count * LINE_HEIGHT, position: 'relative' }}>
            {Array.from({ length: Math.max(0, last - first) }, (_, k) => {
              const i = first + k;
              const text = lineAt(view, i);
              const style = { transform: `translateY(${i * LINE_HEIGHT}px)` };
              if (text.startsWith(SKIP_MARK)) {
                return (
                  <div key={i} className="ll skip" style={style}>
                    ⋯ {bytes(Number(text.slice(SKIP_MARK.length)))} not shown here · Download has every byte ⋯
                  </div>
                );
              }
              return (
                <div key={i} className={`ll${hitSet.has(i) ? ' hit' : ''}${i === current ? ' current' : ''}`} style={style}>
                  <AnsiLine text={text} query={hitSet.has(i) ? q : ''} />
                </div>
              );
            })}
          </div>
        )}
      </div>
    </>
  );
}
