import path from 'node:path';
import { ErrandError } from '../../contract/errors';
import { type Globals, cliEntry, parseIntArg, resolveHome } from '../context';

// The CLI's own output is allowed to use the console; the host logs through this.
const stamp = (): string => new Date().toISOString();
const stderrLogger = {
  debug: (): void => {},
  info: (m: string): void => void process.stderr.write(`${stamp()} info  ${m}\n`),
  warn: (m: string, ...r: unknown[]): void => void process.stderr.write(`${stamp()} warn  ${m}${r.length ? ` ${r.map(String).join(' ')}` : ''}\n`),
  error: (m: string, ...r: unknown[]): void => void process.stderr.write(`${stamp()} error ${m}${r.length ? ` ${r.map((e) => (e instanceof Error ? e.stack : String(e))).join(' ')}` : ''}\n`),
};

export async function serve(g: Globals, o: { ui?: boolean; port: string; open?: boolean }): Promise<void> {
  const { startHost } = await import('../../host/host');
  const home = resolveHome(g);
  const host = await startHost({ home, logger: stderrLogger, binDir: path.dirname(cliEntry()) });
  const stop = (): void => void host.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stderr.write(`errand host running for ${home} (pid ${process.pid}); stop with Ctrl+C or errand shutdown\n`);
  if (o.ui) {
    const port = parseIntArg(o.port, 'port');
    if (port < 0 || port > 65535) throw new ErrandError('invalid_input', `port must be 0…65535, not ${port}.`, 'port');
    const { startUi } = await import('./serve-ui');
    const ui = await startUi(host, port, stderrLogger);
    process.stdout.write(`Job window: ${ui.url}\n`);
    if (o.open) ui.open();
  }
  await host.closed;
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
}
