import path from 'node:path';
import { DB_NAME } from '../contract/protocol';

// Files in the data dir. The data dir itself and the socket path are the client's
// (electron/client/node/paths.ts): every side needs them, not only the engine.

export const dbPath = (home: string): string => path.join(home, DB_NAME);
export const logDir = (home: string, jobId: number): string => path.join(home, 'logs', String(jobId));
export const logPath = (home: string, jobId: number, attempt: number): string => path.join(logDir(home, jobId), `${attempt}.log`);
