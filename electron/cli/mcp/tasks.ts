// Task-augmented `enqueue` (MCP tasks, experimental in the SDK): the client gets a task at
// once and the task ends when the job does, its result the job's outcome. A plain
// `enqueue` call still answers with the job id at once; a task is what a client asks for.
import type { CreateTaskOptions, CreateTaskRequestHandlerExtra } from '@modelcontextprotocol/sdk/experimental/tasks/interfaces.js';
import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js';
import type { CallToolResult, Request, RequestId, Task } from '@modelcontextprotocol/sdk/types.js';
import type { Job } from '../../contract/job';
import { isFinished } from '../../contract/status';
import type { HostLink } from './host-link';
import { answer, resultAnswer } from './tools';
import { jobLine, jobView } from './views';
import { waitForJob } from './wait';

/** A task outlives no longer than this after it ends (and never than the server). */
const TTL_MAX_MS = 24 * 3600 * 1000;
/** Longest follow of one job (setTimeout's own limit is ~24.8 days). */
const FOLLOW_MAX_MS = 7 * 24 * 3600 * 1000;

/**
 * The SDK's in-memory task store, plus what ties a task to its job: a client's
 * tasks/cancel cancels the job (any other end of the task is the job's own end).
 */
export class JobTasks extends InMemoryTaskStore {
  private readonly jobs = new Map<string, number>();

  constructor(private readonly link: HostLink) {
    super();
  }

  override createTask(params: CreateTaskOptions, requestId: RequestId, request: Request, sessionId?: string): Promise<Task> {
    return super.createTask({ ...params, ttl: Math.min(params.ttl ?? TTL_MAX_MS, TTL_MAX_MS), pollInterval: params.pollInterval ?? 1000 }, requestId, request, sessionId);
  }

  bind(taskId: string, jobId: number): void {
    this.jobs.set(taskId, jobId);
  }

  override async updateTaskStatus(taskId: string, status: Task['status'], statusMessage?: string, sessionId?: string): Promise<void> {
    await super.updateTaskStatus(taskId, status, statusMessage, sessionId);
    const id = this.jobs.get(taskId);
    if (status === 'cancelled' && id !== undefined) await this.link.call('cancel', { ids: [id] }).catch(() => {});
  }
}

/** Creates the task for a job just enqueued and follows the job until it ends. */
export async function startJobTask(job: Job, tasks: JobTasks, link: HostLink, extra: CreateTaskRequestHandlerExtra, ttl: number | undefined): Promise<{ task: Task }> {
  const store = extra.taskStore;
  const task = await store.createTask({ ttl });
  tasks.bind(task.taskId, job.id);
  let state = job.status;
  const finish = async (result: CallToolResult, ok: boolean): Promise<void> => {
    await store.storeTaskResult(task.taskId, ok ? 'completed' : 'failed', result).catch(() => {}); // cancelled or expired meanwhile
  };
  void waitForJob(link, job.id, FOLLOW_MAX_MS, {
    onChange: (j) => {
      if (j.status === state) return;
      state = j.status;
      if (!isFinished(j.status)) void store.updateTaskStatus(task.taskId, 'working', jobLine(j)).catch(() => {});
    },
  }).then(
    async ({ job: j }) => {
      const outcome = j.resultSummary ? (await link.call('get', { id: j.id }).catch(() => null))?.result ?? null : null;
      // the job's state as JSON, then its result as text; no structuredContent, which some clients would show alone
      const state = answer(`${jobLine(j)}.`, { ended: true, job: jobView(j) }).content;
      const result = outcome ? resultAnswer(j, j.attempt, outcome).content : [];
      await finish({ content: [...state, ...result], isError: j.status !== 'succeeded' }, j.status === 'succeeded');
    },
    (e: unknown) => finish({ content: [{ type: 'text', text: (e as Error).message }], isError: true }, false),
  );
  return { task };
}
