import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Where an agent's executable is: the path the settings give, else the first on PATH,
 * else the pinned copy `npm run agents:install` keeps in its cache
 * ($ERRAND_AGENTS_DIR or ~/.cache/errand-agents/<name>-<version>/). Null when nowhere.
 */
export function findAgentBin(name: string, bin: string, configured: string | undefined, env: NodeJS.ProcessEnv): string | null {
  if (configured) return executable(configured) ? configured : null;
  const exts = process.platform === 'win32' ? ['.cmd', '.exe', ''] : [''];
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) if (executable(path.join(dir, bin + ext))) return path.join(dir, bin + ext);
  }
  const cache = env.ERRAND_AGENTS_DIR || path.join(os.homedir(), '.cache', 'errand-agents');
  let found: string | null = null;
  try {
    // the newest pinned version there (names sort by version within a major)
    for (const d of fs.readdirSync(cache).filter((d) => d.startsWith(`${name}-`)).sort()) {
      const file = path.join(cache, d, 'node_modules', '.bin', bin);
      if (executable(file)) found = file;
    }
  } catch {
    // no cache
  }
  return found;
}
