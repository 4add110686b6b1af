// Jobs as MCP resources, errand://jobs/{id} (the job in detail, JSON) and
// errand://jobs/{id}/log (the tail of its output), with subscriptions fed by the host's
// events: a subscribed client hears of a change without polling.
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { isErrandError } from '../../contract/errors';
import type { HostEvent } from '../../contract/events';
import type { HostLink } from './host-link';
import { readLog } from './logs';
import { LOG_MAX } from './schemas';
import { detailView, jobLine } from './views';

/** MCP's "resource not found". */
const RESOURCE_NOT_FOUND = -32002;
/** Jobs resources/list names: the newest; older ones are read by their URI all the same. */
const LISTED = 50;
/** A chatty job writes its log many times a second; a subscriber hears of it at most this often. */
const LOG_NOTICE_MS = 250;

const JOB_URI = /^errand:\/\/jobs\/(\d{1,15})(\/log)?$/;
export const jobUri = (id: number): string => `errand://jobs/${id}`;
export const logUri = (id: number): string => `errand://jobs/${id}/log`;

function idOf(text: string | string[] | undefined, uri: string): number {
  const n = Number(Array.isArray(text) ? text[0] : text);
  if (!Number.isSafeInteger(n) || n < 1) throw new McpError(ErrorCode.InvalidParams, `Not a job resource: ${uri} (errand://jobs/ID or errand://jobs/ID/log).`);
  return n;
}

/** A host refusal as the protocol error a resource read answers with. */
async function reading<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isErrandError(e)) throw new McpError(e.code === 'not_found' ? RESOURCE_NOT_FOUND : e.code === 'invalid_input' ? ErrorCode.InvalidParams : ErrorCode.InternalError, e.message);
    throw e;
  }
}

export function registerResources(mcp: McpServer, link: HostLink): void {
  const list = async () => {
    const { jobs } = await link.call('list', { order: 'newest', limit: LISTED });
    return { resources: jobs.map((j) => ({ uri: jobUri(j.id), name: `job-${j.id}`, title: `#${j.id} ${j.title}`, description: jobLine(j), mimeType: 'application/json' })) };
  };
  mcp.registerResource(
    'job',
    new ResourceTemplate('errand://jobs/{id}', { list }),
    { title: 'An Errand job', description: 'One job in detail (state, activity, progress, ETA, plan and steps, questions for the person), as JSON.', mimeType: 'application/json' },
    (uri, vars) =>
      reading(async () => {
        const d = await link.call('get', { id: idOf(vars.id, uri.href) });
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(detailView(d)) }] };
      }),
  );
  mcp.registerResource(
    'job-log',
    new ResourceTemplate('errand://jobs/{id}/log', { list: undefined }),
    { title: "An Errand job's output", description: `The last ${LOG_MAX / 1024} KiB of a job's output (the logs tool reads any range).`, mimeType: 'text/plain' },
    (uri, vars) =>
      reading(async () => {
        const r = await readLog(link, { id: idOf(vars.id, uri.href), offset: 0, limit: LOG_MAX, tail: LOG_MAX });
        return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: r.text }] };
      }),
  );
}

/**
 * resources/subscribe and unsubscribe: the subscribed URIs, and the host events that tell
 * of a change to one of them. Host events flow only while something is subscribed.
 */
export class ResourceSubscriptions {
  private readonly uris = new Set<string>();
  private off: (() => void) | null = null;
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly mcp: McpServer,
    private readonly link: HostLink,
  ) {}

  install(): void {
    this.mcp.server.setRequestHandler(SubscribeRequestSchema, async (req) => {
      const uri = req.params.uri;
      const m = JOB_URI.exec(uri);
      if (!m) throw new McpError(ErrorCode.InvalidParams, `Not a job resource: ${uri} (errand://jobs/ID or errand://jobs/ID/log).`);
      // a job that is not there is refused now rather than never heard of
      await reading(() => this.link.call('get', { id: idOf(m[1], uri) }));
      this.uris.add(uri);
      this.off ??= this.link.listen((e) => this.onEvent(e));
      return {};
    });
    this.mcp.server.setRequestHandler(UnsubscribeRequestSchema, (req) => {
      this.uris.delete(req.params.uri);
      if (!this.uris.size) this.stop();
      return {};
    });
  }

  stop(): void {
    this.off?.();
    this.off = null;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }

  private onEvent(e: HostEvent): void {
    if (e.type === 'job') this.updated(jobUri(e.job.id));
    else if (e.type === 'log') this.later(logUri(e.jobId));
    else if (e.type === 'removed') for (const id of e.ids) [jobUri(id), logUri(id)].forEach((u) => this.updated(u));
  }

  private updated(uri: string): void {
    if (this.uris.has(uri)) void this.mcp.server.sendResourceUpdated({ uri }).catch(() => {});
  }

  /** At most one notice per LOG_NOTICE_MS per URI; the last change is never dropped. */
  private later(uri: string): void {
    if (!this.uris.has(uri) || this.pending.has(uri)) return;
    this.pending.set(
      uri,
      setTimeout(() => {
        this.pending.delete(uri);
        this.updated(uri);
      }, LOG_NOTICE_MS),
    );
  }
}
