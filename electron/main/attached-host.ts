import type { Input, MethodName, Output } from '../contract/api';
import { connectSocket } from '../client/node/socket';
import { socketPath as socketPathOf } from '../client/node/paths';
import type { HostLike } from '../host/host';

/**
 * A host another process owns (e.g. `errand serve` started by the CLI), used by the tray
 * through one client session over its socket, with the shape of an in-process host.
 * Windows reach it through their own relayed connections (window-link.ts), so this one
 * speaks only for the tray. close() only disconnects.
 */
export async function attachHost(home: string, socketPath = socketPathOf(home)): Promise<HostLike & { socketPath: string }> {
  const session = await connectSocket(socketPath, { client: 'tray', lostMessage: 'Lost the connection to the Errand host.' });
  return {
    home,
    socketPath,
    remote: true,
    call: <K extends MethodName>(method: K, input: Input<K>): Promise<Output<K>> => session.call(method, input),
    listen: (fn) => session.subscribe(fn),
    close: async () => session.close(),
    closed: session.closed,
  };
}
