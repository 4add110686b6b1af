import { readFileSync } from 'node:fs';
import type { AgentName, Input } from '../../contract/api';
import { ErrandError } from '../../contract/errors';
import { AGENT_NAMES, SECRET_ENV_NAMES } from '../../contract/limits';
import { parseDuration } from '../../contract/format';
import { type Globals, parseId, parseIntArg, print, printJson, withClient } from '../context';

export interface AgentOptions {
  with?: string;
  cwd?: string;
  endpoint?: string;
  model?: string;
  timeout?: string;
  stall?: string;
  isolate?: string;
  title?: string;
  priority: string;
  after?: string;
  label: string[];
  taskFile?: string;
  json?: boolean;
}

const ISOLATE = ['auto', 'worktree', 'none'] as const;

/**
 * The add input of an agent job. The job gets the environment it was added from, as a
 * command job does, except the agents' API keys: those travel as secrets the host keeps
 * in memory only (never in the store, the log or any event).
 */
export function agentInput(task: string[], o: AgentOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Input<'add'> {
  if (!o.with) throw new ErrandError('invalid_input', `Choose the agent with --with ${AGENT_NAMES.join('|')}.`, 'with');
  if (!(AGENT_NAMES as readonly string[]).includes(o.with)) throw new ErrandError('invalid_input', `--with must be one of ${AGENT_NAMES.join(', ')}, not '${o.with}'.`, 'with');
  if (o.isolate !== undefined && !(ISOLATE as readonly string[]).includes(o.isolate)) throw new ErrandError('invalid_input', `--isolate must be auto, worktree or none, not '${o.isolate}'.`, 'isolate');
  let text = task.join(' ');
  if (o.taskFile !== undefined) {
    if (text.trim()) throw new ErrandError('invalid_input', 'Give the task either as words or with --task-file, not both.', 'task');
    try {
      text = readFileSync(o.taskFile === '-' ? 0 : o.taskFile, 'utf8');
    } catch (e) {
      throw new ErrandError('invalid_input', `Cannot read the task from ${o.taskFile === '-' ? 'stdin' : o.taskFile}: ${(e as Error).message}`, 'task-file');
    }
  }
  if (!text.trim()) throw new ErrandError('invalid_input', 'No task given. Usage: errand agent --with codex -- "what to do"', 'task');
  const secretNames = new Set<string>(SECRET_ENV_NAMES);
  const jobEnv: Record<string, string> = {};
  const secretEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || k.startsWith('ERRAND_')) continue;
    (secretNames.has(k) ? secretEnv : jobEnv)[k] = v;
  }
  const stallMs = o.stall === undefined ? undefined : parseDuration(o.stall);
  if (stallMs === null || (stallMs !== undefined && stallMs < 1000)) throw new ErrandError('invalid_input', `--stall must be a duration of a second or more, like 90s or 5m, not '${o.stall}'.`, 'stall');
  const timeoutMs = o.timeout === undefined ? undefined : parseDuration(o.timeout);
  if (timeoutMs === null) throw new ErrandError('invalid_input', `--timeout must be a duration like 30m or 2h, not '${o.timeout}'.`, 'timeout');
  return {
    kind: 'agent',
    title: o.title,
    agent: {
      with: o.with as AgentName,
      task: text,
      model: o.model,
      endpoint: o.endpoint,
      stallSeconds: stallMs === undefined ? undefined : Math.round(stallMs / 1000),
    },
    isolate: (o.isolate as (typeof ISOLATE)[number] | undefined) ?? 'auto',
    cwd: o.cwd ?? cwd,
    env: jobEnv,
    secretEnv,
    priority: parseIntArg(o.priority, 'priority'),
    after: o.after ? o.after.split(',').filter(Boolean).map((s) => parseId(s, 'after')) : [],
    labels: o.label,
    timeoutMs,
  };
}

export async function agent(g: Globals, task: string[], o: AgentOptions): Promise<void> {
  const input = agentInput(task, o);
  const job = await withClient(g, (c) => c.call('add', input));
  if (o.json) printJson(job);
  else print(String(job.id));
}
