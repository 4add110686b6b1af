import type { Input, MethodName, Output } from '../../contract/api';
import type { HostEvent } from '../../contract/events';
import { connectSocket } from '../../client/node/socket';
import { socketPath } from '../../client/node/paths';
import type { Session } from '../../client/session';
import { connectOrStart } from '../autostart';
import { cliEntry } from '../context';

const NO_HOST = new Set(['ENOENT', 'ECONNREFUSED']);
const LOST = 'Lost the connection to the Errand host (it stopped or crashed). Call the tool again: a new host starts automatically.';
/** hello's client field holds at most 60 characters. */
const NAME_MAX = 60;

/** "mcp:claude-code" from the name an MCP client gave in initialize (printable, no spaces, short). */
export function callerName(clientName: string | undefined): string {
  const clean = (clientName ?? '').replace(/[^\x21-\x7e]+/g, '-').replace(/^-+|-+$/g, '');
  return clean ? `mcp:${clean}`.slice(0, NAME_MAX) : 'mcp';
}

/**
 * The MCP server's one connection to the host of its data dir, opened on first use under
 * the MCP client's name (so jobs say "added by mcp:claude-code") and opened again after the
 * host went away (starting one, as every CLI command does). Host events reach listeners
 * only while some are registered; they carry over to the next connection.
 */
export class HostLink {
  private name = 'mcp';
  private session: Promise<Session> | null = null;
  private readonly listeners = new Set<(e: HostEvent) => void>();
  private detach: (() => void) | null = null;
  private live: Session | null = null;
  private closedForGood = false;

  constructor(private readonly home: string) {}

  /** Set once the client has said who it is; a connection already open keeps its name. */
  setClient(clientName: string | undefined): void {
    this.name = callerName(clientName);
  }

  get caller(): string {
    return this.name;
  }

  connect(): Promise<Session> {
    if (this.closedForGood) return Promise.reject(new Error('closed'));
    if (!this.session) {
      const p = this.open();
      this.session = p;
      p.then(
        (s) => {
          this.live = s;
          if (this.listeners.size) this.attach(s);
          void s.closed.then(() => {
            if (this.session !== p) return;
            this.session = null;
            this.live = null;
            this.detach = null;
          });
        },
        () => {
          if (this.session === p) this.session = null;
        },
      );
    }
    return this.session;
  }

  async call<K extends MethodName>(method: K, input: Input<K>): Promise<Output<K>> {
    return (await this.connect()).call(method, input);
  }

  /**
   * The callback form: the reply runs in the turn its frame arrives, in order with the
   * events around it (a wait must not let an older reply overwrite a newer event).
   */
  async request<K extends MethodName>(method: K, input: Input<K>, reply: (e: Error | null, r?: Output<K>) => void): Promise<void> {
    (await this.connect()).request(method, input, reply);
  }

  /** Host events while registered. Registering subscribes the connection (and the next ones). */
  listen(fn: (e: HostEvent) => void): () => void {
    this.listeners.add(fn);
    if (this.listeners.size === 1 && this.live) this.attach(this.live);
    return () => {
      if (!this.listeners.delete(fn) || this.listeners.size) return;
      this.detach?.();
      this.detach = null;
    };
  }

  /** Resolves when the current connection closes (a waiter's cue that it lost the host). */
  async lost(): Promise<void> {
    await (await this.connect()).closed;
  }

  close(): void {
    this.closedForGood = true;
    this.live?.close();
  }

  private attach(s: Session): void {
    this.detach = s.subscribe((e) => {
      for (const fn of [...this.listeners]) fn(e);
    });
  }

  private async open(): Promise<Session> {
    const socket = socketPath(this.home);
    const opts = { client: this.name, lostMessage: LOST };
    try {
      return await connectSocket(socket, opts);
    } catch (e) {
      if (!NO_HOST.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
    // No host: start one the way every CLI command does, connected under our own name.
    return connectOrStart(this.home, socket, cliEntry(), { client: this.name });
  }
}
