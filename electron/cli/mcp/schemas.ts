// The tools' inputs, built from the contract's own schemas so their JSON Schema and their
// checks are the host's. What MCP adds (a tail, a wait timeout, caps sized for a model's
// context) is derived from contract schemas too: this layer builds no zod of its own.
import { AddInput, methods } from '../../contract/api';
import { LOG_CHUNK_MAX, PAGE_MAX } from '../../contract/limits';

/** Jobs one `list` call returns at most: a page an agent can read, never the whole store. */
export const LIST_MAX = Math.min(100, PAGE_MAX);
export const LIST_DEFAULT = 20;
/** Log bytes one `logs` call returns at most (the host's own cap is 1 MiB, far more than a context wants). */
export const LOG_MAX = Math.min(64 * 1024, LOG_CHUNK_MAX);
export const LOG_DEFAULT = 16 * 1024;
/** A `wait` lasts at most this long; the caller calls again to keep waiting. */
export const WAIT_MAX_S = 300;
export const WAIT_DEFAULT_S = 30;

const listShape = methods.list.input.unwrap().shape;
const logsShape = methods.logs.input.shape;
/** A whole number ≥ 0 (the contract's log offset), to build the new numeric fields from. */
const whole = logsShape.offset.unwrap();

export const enqueueInput = AddInput.safeExtend({
  command: AddInput.shape.command.describe('For kind "command": {"shell": "npm test"} runs one line with /bin/sh -c; {"argv": ["npm", "test"]} runs a program without a shell.'),
  agent: AddInput.shape.agent.describe('For kind "agent": a coding agent on a task, e.g. {"with": "codex", "task": "fix the failing test"}.'),
  cwd: AddInput.shape.cwd.describe('Directory to run in: absolute (your project), or relative to where the MCP server runs ("." for there). In a git repo an agent job (or capturePatch) runs in its own worktree unless isolate says otherwise.'),
  env: AddInput.shape.env.describe("Extra environment variables, on top of the MCP server's own."),
  title: AddInput.shape.title.describe('Shown in the Errand tray and window (default: the command or task).'),
  after: AddInput.shape.after.describe('Job ids that must succeed before this one starts.'),
  timeoutMs: AddInput.shape.timeoutMs.describe('Fail the attempt after this many milliseconds.'),
  capturePatch: AddInput.shape.capturePatch.describe("Capture the changes the command makes as a patch result (read it with the result tool)."),
});

export const statusInput = methods.status.input;

export const listInput = methods.list.input
  .unwrap()
  .pick({ status: true, beforeId: true, unread: true })
  .extend({
    status: listShape.status.describe('Only jobs in these states.'),
    beforeId: listShape.beforeId.describe('Only jobs older than this id: pass the nextBeforeId of the previous page.'),
    limit: listShape.limit.unwrap().max(LIST_MAX, `must be at most ${LIST_MAX}`).default(LIST_DEFAULT).describe(`How many jobs, newest first (at most ${LIST_MAX}).`),
  });

export const getInput = methods.get.input;

export const logsInput = methods.logs.input.extend({
  offset: logsShape.offset.describe('Byte offset to read from (a previous call\'s nextOffset); ignored with tail.'),
  limit: logsShape.limit.unwrap().max(LOG_MAX, `must be at most ${LOG_MAX} bytes`).default(LOG_DEFAULT).describe(`Bytes to read (at most ${LOG_MAX}).`),
  tail: logsShape.limit.unwrap().max(LOG_MAX, `must be at most ${LOG_MAX} bytes`).optional().describe('Read the last this many bytes instead of from offset.'),
  attempt: logsShape.attempt.describe('An earlier attempt (default: the current one).'),
});

export const waitInput = methods.get.input.extend({
  timeoutSeconds: whole.min(1, 'must be at least 1').max(WAIT_MAX_S, `must be at most ${WAIT_MAX_S} (call wait again to keep waiting)`).default(WAIT_DEFAULT_S).describe(`Return after this many seconds if the job is still going (at most ${WAIT_MAX_S}).`),
});

export const resultInput = methods.result.input.extend({
  attempt: methods.result.input.shape.attempt.describe('An earlier attempt (default: the current one).'),
});

export const idsInput = methods.cancel.input;
