// Start and stop decisions as data: what to ask before quitting, what to say when
// the host cannot start. The Electron calls that show them live in index.ts.
import type { StatusSummary } from '../contract/job';

export interface QuitPrompt {
  message: string;
  detail: string;
  buttons: [string, string];
  defaultId: 1;
  cancelId: 1;
}

/**
 * Quitting stops the host, and with it every running job (and every job blocked on
 * a question). Ask first when that would interrupt work; otherwise quit quietly.
 */
export function quitPrompt(status: StatusSummary): QuitPrompt | null {
  const running = status.counts.running ?? 0;
  const waiting = status.counts.waiting ?? 0;
  const n = running + waiting;
  if (!n) return null;
  const what = [running ? `${running} running` : '', waiting ? `${waiting} waiting for you` : ''].filter(Boolean).join(', ');
  return {
    message: `Quit Errand and stop ${n === 1 ? '1 job' : `${n} jobs`}?`,
    detail: `${what[0]!.toUpperCase()}${what.slice(1)}. Quitting stops them; they show as interrupted, and restartable jobs go back to the queue. Queued jobs wait for the next start.`,
    buttons: ['Quit', 'Cancel'],
    defaultId: 1,
    cancelId: 1,
  };
}

/** One clear title and message for a host that would not start. */
export function startupFailure(e: unknown): { title: string; message: string } {
  const err = e as { code?: unknown; message?: unknown } | null;
  const msg = typeof err?.message === 'string' ? err.message : String(e);
  if (/NODE_MODULE_VERSION|was compiled against a different Node\.js version|better_sqlite3\.node|Could not locate the bindings file/i.test(msg)) {
    return {
      title: 'Errand could not open its database',
      message:
        'The SQLite module is not built for this Electron. Start Errand with `npm start`, which builds it, or run `node build/scripts/ensure-electron-sqlite.mjs` and pass ERRAND_SQLITE_BINDING.\n\n' +
        msg,
    };
  }
  if (err?.code === 'busy') {
    // the lock's message already names the pid and the way out (errand shutdown)
    return { title: 'Another Errand host owns this data', message: msg };
  }
  return { title: 'Errand could not start', message: msg };
}
