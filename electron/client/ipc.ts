// The Electron IPC transport: the same text frames as the socket, over the preload
// bridge, on one ordered channel (replies and events keep their order).
import type { FrameBridge } from '../contract/bridge';
import type { Connector } from './transport';

export function ipcConnector(bridge: FrameBridge): Connector {
  return (sink) => {
    let open = true;
    const off = bridge.onFrame((frame) => {
      if (!open) return;
      if (frame === null) {
        open = false;
        off();
        sink.onClose('the host closed the connection');
      } else sink.onFrame(frame);
    });
    // a fresh connection in main: replies meant for an earlier page never reach this one
    bridge.open();
    // reported in a later turn, as a socket would, so the session has its link in hand
    queueMicrotask(() => {
      if (open) sink.onOpen();
    });
    return {
      send: (text) => {
        if (!open) throw new Error('the window is disconnected');
        bridge.send(text);
      },
      close: () => {
        if (!open) return;
        open = false;
        off();
        bridge.close();
      },
    };
  };
}
