import type { Input, MethodName, Output } from '../../../electron/contract/api';
import { ErrandError } from '../../../electron/contract/errors';
import type { Session } from '../../../electron/client/session';
import { syncWindow } from '../../../electron/client/window-sync';
import type { ErrandClient, SyncHandlers } from './types';

/** An ErrandClient over client sessions: a fresh one per start(), calls go to the current one. */
export function sessionClient(transport: ErrandClient['transport'], newSession: () => Session): ErrandClient {
  let session: Session | null = null;
  return {
    transport,
    call<K extends MethodName>(method: K, input: Input<K>): Promise<Output<K>> {
      if (!session) return Promise.reject(new ErrandError('busy', 'Not connected to the Errand host; reconnecting.'));
      return session.call(method, input);
    },
    start(h: SyncHandlers) {
      // for the benchmark: connecting → first screen (test/bench/ui-bench.mjs)
      if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark('errand:connect');
      const s = newSession();
      session = s;
      const stop = syncWindow(s, h);
      return () => {
        stop();
        if (session === s) session = null;
      };
    },
  };
}
