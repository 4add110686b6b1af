import type { Input, MethodName, Output } from '../contract/api';
import type { Dispose, Listener } from '../core/event-hub';
import { socketPath as socketPathOf } from '../core/paths';
import type { CallContext } from './api';
import type { HostLike } from './host';
import { type Client, connect } from './socket-client';

/**
 * A host another process owns (e.g. `errand serve` started by the CLI), used through
 * its socket with the same shape as an in-process host. One connection per caller
 * name keeps the audit trail's "by" right (tray vs ui). close() only disconnects.
 */
export async function attachHost(home: string, socketPath = socketPathOf(home)): Promise<HostLike> {
  const main = await connect(socketPath, 'tray');
  const byName = new Map<string, Promise<Client>>([['tray', Promise.resolve(main)]]);
  const clientFor = (by: string): Promise<Client> => {
    let c = byName.get(by);
    if (!c) {
      c = connect(socketPath, by);
      byName.set(by, c);
    }
    return c;
  };
  return {
    home,
    remote: true,
    call: async <K extends MethodName>(method: K, input: Input<K>, ctx: CallContext = { by: 'tray' }): Promise<Output<K>> => (await clientFor(ctx.by)).call(method, input),
    listen: (fn: Listener): Dispose => {
      let dispose: (() => void) | null = null;
      let disposed = false;
      void main.subscribe(fn).then((d) => (disposed ? d() : (dispose = d)));
      return () => {
        disposed = true;
        dispose?.();
      };
    },
    close: async () => {
      for (const c of byName.values()) (await c).close();
    },
    closed: main.disconnected,
  };
}
