import fs from 'node:fs';
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

/** A directory holding an `errand` executable for jobs' PATH: this checkout's bin, or the tray app's shim. */
function jobBinDir(home: string): string | undefined {
  const candidates = [path.dirname(cliEntry()), path.join(home, 'bin')];
  return candidates.find((d) => fs.existsSync(path.join(d, process.platform === 'win32' ? 'errand.cmd' : 'errand')));
}

export async function serve(g: Globals, o: { ui?: boolean; port: string; open?: boolean }): Promise<void> {
  const { startHost } = await import('../../host/host');
  const home = resolveHome(g);
  // Under the tray app's shim (Electron's Node) the store needs the Electron build of the binding.
  const host = await startHost({ home, logger: stderrLogger, binDir: jobBinDir(home), nativeBinding: process.env.ERRAND_SQLITE_BINDING || undefined });
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
