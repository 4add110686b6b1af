import type { AgentName } from '../../../contract/api';
import { CLAUDE } from './claude';
import { CODEX } from './codex';
import { GEMINI } from './gemini';
import { OPENCODE } from './opencode';
import type { AgentPreset } from './preset';

/** Every agent Errand can run, by name: one preset file each (command line + event-stream adapter). */
export const AGENT_PRESETS: Partial<Record<AgentName, AgentPreset>> = {
  codex: CODEX,
  claude: CLAUDE,
  gemini: GEMINI,
  opencode: OPENCODE,
};
