import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ErrandError } from '../../contract/errors';
import type { Host, Logger } from '../../host/host';
import { serveUi } from '../../host/http-server';
import { cliEntry } from '../context';

/** The built renderer beside this checkout's CLI (electron/cli/bin/errand → out/renderer). */
export function rendererDir(entry = cliEntry()): string {
  return path.resolve(path.dirname(entry), '../../../out/renderer');
}

export async function startUi(host: Host, port: number, log: Logger): Promise<{ url: string; open: () => void }> {
  const staticDir = rendererDir();
  if (!fs.existsSync(path.join(staticDir, 'index.html'))) {
    throw new ErrandError('internal', `The job window is not built (${staticDir} is missing). Run npm run build in the Errand checkout.`);
  }
  const ui = await serveUi({ handlers: host.handlers, listen: host.listen, home: host.home, port, staticDir, log });
  void host.closed.then(() => ui.close());
  return {
    url: ui.url,
    open: () => {
      const [cmd, args] = process.platform === 'darwin' ? ['open', [ui.url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', ui.url]] : ['xdg-open', [ui.url]];
      spawn(cmd, args, { detached: true, stdio: 'ignore' }).on('error', () => log.warn(`could not open a browser; visit ${ui.url}`)).unref();
    },
  };
}
