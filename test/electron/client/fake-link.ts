// A scripted transport for session tests: records the frames a session sends; the test
// opens, answers, pushes events and closes.
import { PROTOCOL_VERSION } from '../../../electron/contract/protocol';
import type { Connector, Transport, TransportSink } from '../../../electron/client/transport';

export interface SentFrame {
  id: number;
  method: string;
  params: unknown;
}

export class FakeLink implements Transport {
  sent: SentFrame[] = [];
  closed = false;
  failSend: Error | null = null;
  constructor(readonly sink: TransportSink) {}
  send(text: string): void {
    if (this.failSend) throw this.failSend;
    this.sent.push(JSON.parse(text) as SentFrame);
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.sink.onOpen();
  }
  raw(text: string): void {
    this.sink.onFrame(text);
  }
  push(frame: unknown): void {
    this.raw(JSON.stringify(frame));
  }
  last(method: string): SentFrame {
    const f = [...this.sent].reverse().find((x) => x.method === method);
    if (!f) throw new Error(`no ${method} sent (sent: ${this.sent.map((x) => x.method).join(', ')})`);
    return f;
  }
  reply(method: string, result: unknown): void {
    this.push({ id: this.last(method).id, result });
  }
  fail(method: string, error: { code: string; message: string; field?: string }): void {
    this.push({ id: this.last(method).id, error });
  }
  /** Opens and answers hello (and subscribe when it was asked for). */
  greet(): void {
    this.open();
    this.reply('hello', { protocolVersion: PROTOCOL_VERSION, hostVersion: 'test', pid: 1, home: '/h' });
    if (this.sent.some((f) => f.method === 'subscribe')) this.reply('subscribe', { ok: true });
  }
  drop(reason = 'connection lost', error?: Error): void {
    this.sink.onClose(reason, error);
  }
}

export function fakeConnector(): { connect: Connector; links: FakeLink[] } {
  const links: FakeLink[] = [];
  return {
    links,
    connect: (sink) => {
      const l = new FakeLink(sink);
      links.push(l);
      return l;
    },
  };
}
