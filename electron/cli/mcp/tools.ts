// The tools an MCP client sees: each a contract-derived input schema, a one-line
// description an agent understands, and a run that goes through the host. Approving and
// denying are deliberately absent: approvals are for the person.
import path from 'node:path';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { Job, JobResult } from '../../contract/job';
import { isFinished } from '../../contract/status';
import { validate } from '../../contract/validate';
import type { HostLink } from './host-link';
import { readLog } from './logs';
import * as S from './schemas';
import { detailView, jobLine, jobView, statusView } from './views';
import { type ProgressPoint, nextProgress, waitForJob } from './wait';

export interface ToolContext {
  link: HostLink;
  signal: AbortSignal;
  /** Sends an MCP progress notification; absent when the client gave no progressToken. */
  progress?: (p: ProgressPoint & { message: string }) => Promise<void>;
  /** Where an enqueued job runs and with which environment when the caller does not say. */
  defaults: { cwd: string; env: Record<string, string>; secretEnv: Record<string, string> };
}

type Schema = Parameters<typeof validate>[0];
type Out<S extends Schema> = ReturnType<S['parse']>;

export interface Tool {
  name: string;
  title: string;
  description: string;
  annotations: ToolAnnotations;
  /** Whether a client may run it as an MCP task (task-augmented tools/call). */
  taskSupport?: 'optional';
  schema: Schema;
  /** Checks raw arguments through the contract; a failure is an invalid_input naming the field. */
  parse(args: unknown): unknown;
  run(args: unknown, ctx: ToolContext): Promise<CallToolResult>;
}

function tool<S extends Schema>(d: Omit<Tool, 'parse' | 'run' | 'schema'> & { schema: S; run: (a: Out<S>, ctx: ToolContext) => Promise<CallToolResult> }): Tool {
  return { ...d, parse: (args) => validate(d.schema, args ?? {}, `${d.name} input`), run: (a, ctx) => d.run(a as Out<S>, ctx) };
}

/**
 * The data with its one-line summary first, as structuredContent and (as MCP asks) as its
 * JSON text. Clients that have structuredContent hand the model that alone (Claude Code
 * does), so the summary, with its hint of what to call next, lives inside it.
 */
export function answer(summary: string, data: Record<string, unknown>): CallToolResult {
  const structured = { summary, ...data };
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

const PERSON = 'Approvals are for the person (in the Errand tray, window or `errand approve`): no tool here approves or denies.';
const READ: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };

/** Result text handed to a model at most; the whole result stays in Errand (`errand result ID`). */
export const RESULT_TEXT_MAX = 100 * 1024;
const HEARTBEAT_MS = 10_000;

export const TOOLS: Tool[] = [
  tool({
    name: 'enqueue',
    title: 'Enqueue a job',
    description:
      'Hand long work (a test run, a build, a data job, or a coding agent on a task) to the Errand queue instead of blocking on it; returns the job id at once. Follow it with wait, get or logs, read its outcome with result. The person sees the job in the Errand tray. ' +
      PERSON,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    taskSupport: 'optional',
    schema: S.enqueueInput,
    run: async (a, ctx) => {
      const job = await enqueue(a, ctx);
      return answer(
        `Enqueued job #${job.id} (${job.status}): ${job.title}. Call wait {"id": ${job.id}} to block until it ends (up to ${S.WAIT_MAX_S}s a call), get or logs to check on it, result for its outcome. Resource: errand://jobs/${job.id}.`,
        { id: job.id, job: jobView(job), resource: `errand://jobs/${job.id}` },
      );
    },
  }),
  tool({
    name: 'status',
    title: 'Queue status',
    description: "The Errand queue at a glance: the tray's status line, counts by state, what needs the person, the queue's ETA.",
    annotations: READ,
    schema: S.statusInput,
    run: async (_a, { link }) => {
      const s = await link.call('status', {});
      return answer(s.line, statusView(s));
    },
  }),
  tool({
    name: 'list',
    title: 'List jobs',
    description: `Jobs newest first, optionally only some states (e.g. ["running","queued"]); at most ${S.LIST_MAX} a call, page back with beforeId.`,
    annotations: READ,
    schema: S.listInput,
    run: async (a, { link }) => {
      const { jobs } = await link.call('list', { status: a.status, limit: a.limit, beforeId: a.beforeId, unread: a.unread, order: 'newest' });
      const nextBeforeId = jobs.length === a.limit ? jobs[jobs.length - 1]!.id : null;
      const lines = jobs.map(jobLine);
      return answer(jobs.length ? `${jobs.length} job${jobs.length === 1 ? '' : 's'}${nextBeforeId ? ` (more: beforeId ${nextBeforeId})` : ''}:\n${lines.join('\n')}` : 'No jobs match.', { jobs: jobs.map(jobView), nextBeforeId });
    },
  }),
  tool({
    name: 'get',
    title: 'One job in detail',
    description: 'One job: state, current activity, progress, ETA and its basis, plan and steps, attempts, pending questions for the person, recent events.',
    annotations: READ,
    schema: S.getInput,
    run: async (a, { link }) => {
      const d = await link.call('get', { id: a.id });
      return answer(jobLine(d.job), detailView(d));
    },
  }),
  tool({
    name: 'logs',
    title: "A job's output",
    description: `A job's output (stdout and stderr as it was written): from a byte offset, or the last bytes with tail; at most ${S.LOG_MAX} bytes a call, with nextOffset to continue from.`,
    annotations: READ,
    schema: S.logsInput,
    run: async (a, { link }) => {
      const r = await readLog(link, a);
      const more = r.nextOffset < r.size ? `continue with offset ${r.nextOffset}` : r.done ? 'the whole log' : 'the job is still writing';
      const footer = `[#${a.id} attempt ${r.attempt}: bytes ${r.offset}–${r.nextOffset} of ${r.size}; ${more}]`;
      // plain text, no structuredContent: a model reads output better unescaped; the footer says where to go on
      return { content: [{ type: 'text', text: r.text ? `${r.text}${r.text.endsWith('\n') ? '' : '\n'}${footer}` : `(no output in this range) ${footer}` }] };
    },
  }),
  tool({
    name: 'wait',
    title: 'Wait for a job',
    description: `Block until a job ends or timeoutSeconds pass (at most ${S.WAIT_MAX_S}), sending progress notifications meanwhile; returns its state either way. A job waiting on the person's approval keeps waiting: tell them. ${PERSON}`,
    annotations: READ,
    schema: S.waitInput,
    run: async (a, ctx) => {
      const progress = progressSender(ctx);
      // a beat now and then also while nothing changes: clients that restart their request timer on progress keep waiting
      const beat = progress && setInterval(progress.beat, HEARTBEAT_MS);
      const out = await waitForJob(ctx.link, a.id, a.timeoutSeconds * 1000, { signal: ctx.signal, onChange: progress?.change }).finally(() => beat && clearInterval(beat));
      const j = out.job;
      const line = out.ended
        ? `${jobLine(j)}.${j.resultSummary && j.resultSummary.type !== 'none' ? ` Read it with result {"id": ${j.id}}.` : ''}`
        : `${jobLine(j)}. Still going after ${a.timeoutSeconds}s: call wait again to keep waiting.`;
      return answer(line, { ended: out.ended, job: jobView(j) });
    },
  }),
  tool({
    name: 'result',
    title: "A job's result",
    description: "A finished job's typed result: a patch (unified diff), a report (markdown), JSON, or a list of files. Reading it here leaves the job unread in the person's inbox.",
    annotations: READ,
    schema: S.resultInput,
    run: async (a, { link }) => {
      // `get` carries the current attempt's result and, unlike `result` without an attempt,
      // does not mark the job read: the tray's "unread result" stays the person's.
      const d = a.attempt === undefined ? await link.call('get', { id: a.id }) : null;
      const r = d ? { attempt: d.job.attempt, result: d.result } : await link.call('result', { id: a.id, attempt: a.attempt });
      const job = d?.job ?? (await link.call('get', { id: a.id })).job;
      return resultAnswer(job, r.attempt, r.result);
    },
  }),
  tool({
    name: 'cancel',
    title: 'Cancel jobs',
    description: 'Stop jobs: queued ones never start, running ones get SIGTERM then SIGKILL. They stay listed as cancelled.',
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    schema: S.idsInput,
    run: async (a, { link }) => {
      const { jobs } = await link.call('cancel', { ids: a.ids });
      return answer(jobs.map(jobLine).join('\n'), { jobs: jobs.map(jobView) });
    },
  }),
  tool({
    name: 'retry',
    title: 'Retry jobs',
    description: 'Run finished jobs again: the same id, a new attempt (earlier attempts keep their logs and results).',
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    schema: S.idsInput,
    run: async (a, { link }) => {
      const { jobs } = await link.call('retry', { ids: a.ids });
      return answer(jobs.map(jobLine).join('\n'), { jobs: jobs.map(jobView) });
    },
  }),
];

export const toolNamed = (name: string): Tool | undefined => TOOLS.find((t) => t.name === name);

/** Adds the job: a relative cwd is taken from the MCP server's, and the server's environment (and secrets) are the base of the job's. */
export async function enqueue(a: Out<typeof S.enqueueInput>, ctx: ToolContext): Promise<Job> {
  const input = { ...a, cwd: path.resolve(ctx.defaults.cwd, a.cwd), env: { ...ctx.defaults.env, ...a.env }, secretEnv: { ...ctx.defaults.secretEnv, ...a.secretEnv } };
  return ctx.link.call('add', input);
}

/** Progress notifications of one wait: on every change of the job, and a beat while none comes. */
function progressSender(ctx: ToolContext): { change: (j: Job) => void; beat: () => void } | undefined {
  const send = ctx.progress;
  if (!send) return undefined;
  const started = Date.now();
  let last = 0;
  let key = '';
  let job: Job | null = null;
  const emit = (j: Job, note = ''): void => {
    const p = nextProgress(last, j);
    last = p.progress;
    void send({ ...p, message: `${jobLine(j)}${note}` }).catch(() => {});
  };
  return {
    change: (j) => {
      job = j;
      const k = `${j.status}|${j.activity}|${j.progressText}`;
      if (k === key) return;
      key = k;
      emit(j);
    },
    beat: () => {
      if (job) emit(job, ` (waited ${Math.round((Date.now() - started) / 1000)}s)`);
    },
  };
}

export function resultAnswer(job: Job, attempt: number, result: JobResult | null): CallToolResult {
  const head = `#${job.id} attempt ${attempt}`;
  if (!result) {
    const why = isFinished(job.status) ? `${job.status} without a result` : `no result yet (${job.status})`;
    return { content: [{ type: 'text', text: `${head}: ${why}.` }] };
  }
  let body: string;
  if (result.type === 'patch') body = result.report ? `${result.patch}\n---\n${result.report}` : result.patch;
  else if (result.type === 'report') body = result.markdown;
  else if (result.type === 'json') body = JSON.stringify(result.value, null, 2);
  else if (result.type === 'files') body = result.files.join('\n');
  else body = '';
  const cut = body.length > RESULT_TEXT_MAX;
  const text = cut ? `${body.slice(0, RESULT_TEXT_MAX)}\n[cut at ${RESULT_TEXT_MAX} of ${body.length} characters: \`errand result ${job.id}\` prints it whole]` : body;
  // plain text like logs: a patch or a report reads better unescaped than inside JSON
  return { content: [{ type: 'text', text: `${head} ${result.type}: ${result.summary}${text ? `\n${text}` : ''}` }] };
}
