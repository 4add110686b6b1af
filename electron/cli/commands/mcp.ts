import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { defaultHome } from '../../client/node/paths';
import { SECRET_ENV_NAMES } from '../../contract/limits';
import { type Globals, cliEntry, print, resolveHome } from '../context';
import { mcpConfig } from '../mcp/config';
import { HostLink } from '../mcp/host-link';
import { createErrandMcp } from '../mcp/server';

/**
 * `errand mcp`: an MCP server on stdin/stdout for one data dir, a client of its host like
 * every other command. stdout carries only the protocol; when the MCP client goes away
 * the server ends and the jobs it enqueued run on in the host.
 */
export async function mcp(g: Globals, o: { printConfig?: string }): Promise<void> {
  const home = resolveHome(g);
  if (o.printConfig !== undefined) {
    const { ERRAND_HOME: _unset, ...env } = process.env;
    const pinned = home !== defaultHome(env) ? ['--home', home] : [];
    return print(mcpConfig(o.printConfig, { command: process.execPath, args: [cliEntry(), 'mcp', ...pinned] }));
  }
  const link = new HostLink(home);
  const server = createErrandMcp({ link, defaults: { cwd: process.cwd(), ...jobEnv(process.env) } });
  const transport = new StdioServerTransport();
  const gone = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.stdout.once('error', () => resolve()); // EPIPE: the client is gone
  });
  await server.mcp.connect(transport);
  await gone;
  server.dispose();
  await server.mcp.close().catch(() => {});
  // a wait or a task still in flight must not keep a server nobody talks to alive
  setTimeout(() => process.exit(0), 1000).unref();
}

/**
 * Jobs run with the server's environment (the agent's, as if it ran them itself), minus
 * Errand's own; API keys go as secrets the host keeps in memory only, as `errand agent` does.
 */
export function jobEnv(env: NodeJS.ProcessEnv): { env: Record<string, string>; secretEnv: Record<string, string> } {
  const secret = new Set<string>(SECRET_ENV_NAMES);
  const out = { env: {} as Record<string, string>, secretEnv: {} as Record<string, string> };
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !k.startsWith('ERRAND_')) (secret.has(k) ? out.secretEnv : out.env)[k] = v;
  return out;
}
