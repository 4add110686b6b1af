import type { Input, MethodName, Output } from '../../../electron/contract/api';
import { ErrandError } from '../../../electron/contract/errors';
import type { HostEvent } from '../../../electron/contract/events';
import type { ErrandBridge } from '../../../electron/contract/bridge';
import type { ErrandClient, SyncHandlers } from './types';

/** The Electron preload bridge (window.errand): replies are {result} | {error} envelopes. */
export function bridgeClient(bridge: ErrandBridge): ErrandClient {
  const call = async <K extends MethodName>(method: K, input: Input<K>): Promise<Output<K>> => {
    let reply;
    try {
      reply = await bridge.call(method, input);
    } catch (e) {
      throw new ErrandError('internal', `The window could not reach the host: ${(e as Error)?.message ?? String(e)}.`);
    }
    if ('error' in reply) throw ErrandError.from(reply.error);
    return reply.result;
  };
  return {
    transport: 'bridge',
    call,
    ...(bridge.onShell ? { onShell: (fn) => bridge.onShell!(fn) } : {}),
    start(h: SyncHandlers) {
      let stopped = false;
      // Events that arrive before the snapshot reply are already part of it (one ordered
      // channel), so they are dropped; everything after is applied on top.
      let synced = false;
      const off = bridge.onEvent((e: HostEvent) => {
        if (synced && !stopped) h.onEvent(e);
      });
      h.onState({ kind: 'connecting' });
      call('snapshot', {}).then(
        (snap) => {
          if (stopped) return;
          h.onSync(snap);
          synced = true;
          h.onState({ kind: 'open' });
        },
        (e: unknown) => {
          if (!stopped) h.onState({ kind: 'failed', message: (e as Error).message });
        },
      );
      return () => {
        stopped = true;
        off();
      };
    },
  };
}
