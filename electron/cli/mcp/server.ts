// `errand mcp`'s server: the SDK's McpServer with Errand's tools (listed and called here,
// so their input is checked by the contract and `enqueue` may run plain or as a task),
// jobs as resources with subscriptions, and one connection to the host.
import type { CreateTaskRequestHandlerExtra } from '@modelcontextprotocol/sdk/experimental/tasks/interfaces.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type CallToolResult, CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { isErrandError } from '../../contract/errors';
import { HOST_VERSION } from '../../host/api';
import type { HostLink } from './host-link';
import { ResourceSubscriptions, registerResources } from './resources';
import { JobTasks, startJobTask } from './tasks';
import { TOOLS, type Tool, type ToolContext, enqueue, toolNamed } from './tools';

export const INSTRUCTIONS =
  'Errand is the user\'s local job queue (a tray app). Hand it long work instead of blocking on it: enqueue a command or a coding agent, ' +
  'keep the job id, and come back with wait (blocks up to a timeout, with progress), get, logs or result. The user sees every job in the tray ' +
  'and decides any approval a job asks for; no tool here approves or denies.';

export interface ServerOptions {
  link: HostLink;
  defaults: ToolContext['defaults'];
}

export interface ErrandMcp {
  mcp: McpServer;
  /** Lets go of subscriptions, tasks and the host connection (the jobs go on). */
  dispose(): void;
}

/** Each tool as tools/list shows it: JSON Schema of its contract input, drawn once. */
const listed = new Map<string, object>();
function describe(t: Tool) {
  let inputSchema = listed.get(t.name);
  if (!inputSchema) {
    const { $schema: _drop, ...rest } = t.schema.toJSONSchema({ io: 'input', target: 'draft-7' }) as Record<string, unknown>;
    inputSchema = { ...rest, type: 'object' };
    listed.set(t.name, inputSchema);
  }
  return { name: t.name, title: t.title, description: t.description, inputSchema, annotations: t.annotations, ...(t.taskSupport ? { execution: { taskSupport: t.taskSupport } } : {}) };
}

/** Any failure as the tool error an agent reads (bad input names the field). */
export function toolError(e: unknown): CallToolResult {
  const message = e instanceof Error ? e.message : String(e);
  const error = isErrandError(e) ? e.toJSON() : { code: 'internal', message };
  return { content: [{ type: 'text', text: message }], structuredContent: { error }, isError: true };
}

export function createErrandMcp({ link, defaults }: ServerOptions): ErrandMcp {
  const tasks = new JobTasks(link);
  const mcp = new McpServer(
    { name: 'errand', title: 'Errand', version: HOST_VERSION },
    {
      capabilities: {
        tools: {},
        resources: { subscribe: true, listChanged: true },
        tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      },
      taskStore: tasks,
      instructions: INSTRUCTIONS,
    },
  );
  const server = mcp.server;
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: TOOLS.map(describe) }));
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    const t = toolNamed(req.params.name);
    if (!t) throw new McpError(ErrorCode.InvalidParams, `No tool ${req.params.name}; Errand's tools: ${TOOLS.map((x) => x.name).join(', ')}.`);
    const token = req.params._meta?.progressToken;
    const ctx: ToolContext = {
      link,
      signal: extra.signal,
      defaults,
      progress: token === undefined ? undefined : (p) => extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, ...p } }),
    };
    if (req.params.task) {
      if (!t.taskSupport) throw new McpError(ErrorCode.InvalidParams, `${t.name} does not run as a task; call it plainly.`);
      // A task is created only for a job that was added: a refusal is the call's error.
      try {
        const job = await enqueue(t.parse(req.params.arguments) as Parameters<typeof enqueue>[0], ctx);
        return await startJobTask(job, tasks, link, extra as CreateTaskRequestHandlerExtra, req.params.task.ttl ?? undefined);
      } catch (e) {
        if (e instanceof McpError) throw e;
        throw new McpError(ErrorCode.InvalidParams, e instanceof Error ? e.message : String(e));
      }
    }
    try {
      return await t.run(t.parse(req.params.arguments), ctx);
    } catch (e) {
      return toolError(e);
    }
  });
  registerResources(mcp, link);
  const subscriptions = new ResourceSubscriptions(mcp, link);
  subscriptions.install();
  server.oninitialized = () => {
    link.setClient(server.getClientVersion()?.name);
    // open the host connection (starting a host if none runs) before the first call needs it
    link.connect().catch(() => {});
  };
  return {
    mcp,
    dispose: () => {
      subscriptions.stop();
      tasks.cleanup();
      link.close();
    },
  };
}
