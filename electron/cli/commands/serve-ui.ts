import { ErrandError } from '../../contract/errors';
import type { Host, Logger } from '../../host/host';

// Wired to electron/host/http-server.ts once the browser transport lands.
export async function startUi(_host: Host, _port: number, _log: Logger): Promise<{ url: string; open: () => void }> {
  throw new ErrandError('internal', 'The browser job window is not available in this build yet.');
}
