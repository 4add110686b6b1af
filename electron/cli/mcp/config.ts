// `errand mcp --print-config claude|codex|cursor`: the snippet each client needs to start
// this server. It names node and the CLI by absolute path, so it works from an app
// launched outside a shell (no PATH, no npx), and pins the data dir when it is not the default.
import { ErrandError } from '../../contract/errors';
import { WAIT_MAX_S } from './schemas';

export const CONFIG_CLIENTS = ['claude', 'codex', 'cursor'] as const;
export type ConfigClient = (typeof CONFIG_CLIENTS)[number];

export interface Launch {
  command: string;
  args: string[];
}

export function mcpConfig(client: string, launch: Launch): string {
  switch (client) {
    case 'claude':
      // Claude Code: `claude --mcp-config FILE`, or a project's .mcp.json
      return `${JSON.stringify({ mcpServers: { errand: { type: 'stdio', ...launch } } }, null, 2)}\n`;
    case 'cursor':
      // Cursor: ~/.cursor/mcp.json, or a project's .cursor/mcp.json
      return `${JSON.stringify({ mcpServers: { errand: launch } }, null, 2)}\n`;
    case 'codex':
      // Codex: ~/.codex/config.toml. A JSON string is a valid TOML basic string.
      return [
        '[mcp_servers.errand]',
        `command = ${JSON.stringify(launch.command)}`,
        `args = [${launch.args.map((a) => JSON.stringify(a)).join(', ')}]`,
        `# wait blocks for up to ${WAIT_MAX_S} s; Codex's default tool timeout is 60 s`,
        `tool_timeout_sec = ${WAIT_MAX_S + 30}`,
        '',
      ].join('\n');
    default:
      throw new ErrandError('invalid_input', `--print-config takes ${CONFIG_CLIENTS.join(', ')}, not '${client}'.`, 'print-config');
  }
}
