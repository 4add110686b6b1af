import type { AgentName } from '../../../electron/contract/api';
import type { Job, ToolKind } from '../../../electron/contract/job';

// The coding agents Errand runs, as the window names them. The contract's AGENT_NAMES lives
// in a zod module the renderer may import only as types, so the list is spelled here and
// checked against the contract's type.
export const AGENTS = [
  { name: 'codex', title: 'Codex' },
  { name: 'claude', title: 'Claude Code' },
  { name: 'gemini', title: 'Gemini CLI' },
  { name: 'opencode', title: 'opencode' },
] as const satisfies readonly { name: AgentName; title: string }[];

// Every AgentName has a row above (a new agent in the contract fails the type check here).
type Missing = Exclude<AgentName, (typeof AGENTS)[number]['name']>;
const _everyAgent: Missing extends never ? true : never = true;
void _everyAgent;

export function agentTitle(name: string): string {
  return AGENTS.find((a) => a.name === name)?.title ?? name;
}

/** An agent job's task: its command reads "codex: <task>". */
export function taskOf(job: Pick<Job, 'command' | 'agent'>): string {
  const prefix = job.agent ? `${job.agent.with}: ` : '';
  return prefix && job.command.startsWith(prefix) ? job.command.slice(prefix.length) : job.command;
}

export const TOOL_KINDS: readonly ToolKind[] = ['read', 'edit', 'run', 'search', 'plan', 'ask', 'web', 'other'];

/** How a tool kind reads to a person (for screen readers and hover). */
export const TOOL_WORD: Record<ToolKind, string> = {
  read: 'read',
  edit: 'edit',
  run: 'run a command',
  search: 'search',
  plan: 'plan',
  ask: 'ask',
  web: 'web',
  other: 'tool call',
};
