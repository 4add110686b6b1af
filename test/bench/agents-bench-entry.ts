// What the agents benchmark needs as plain Node: the engine, the agent runner and the
// real Codex and Claude Code adapters. Bundled by agents-bench.mjs.
export { openEngine } from '../helpers/test-api';
export { agentRunner } from '../../electron/core/runners/agent/agent-runner';
export { CLAUDE } from '../../electron/core/runners/agent/claude';
export { CODEX } from '../../electron/core/runners/agent/codex';
