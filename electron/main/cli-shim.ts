// Jobs talk back through the `errand` CLI (errand progress / step / ask). A packaged
// app has no Node on PATH, so the host puts a small shim first on the jobs' PATH that
// runs the bundled CLI with Electron's own Node (ELECTRON_RUN_AS_NODE).
import path from 'node:path';

export interface Shim {
  file: string;
  content: string;
  mode: number;
}

const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * `binding` (the Electron-ABI better-sqlite3) is passed on as ERRAND_SQLITE_BINDING, so
 * a headless host the CLI may start under Electron's Node can open the store too.
 */
export function cliShim(o: { dir: string; platform: NodeJS.Platform; execPath: string; cliPath: string; binding?: string | undefined }): Shim {
  if (o.platform === 'win32') {
    // %* passes the arguments on; quotes keep paths with spaces intact; setlocal keeps the variables to this run
    const binding = o.binding ? `set "ERRAND_SQLITE_BINDING=${o.binding}"\r\n` : '';
    return {
      file: path.join(o.dir, 'errand.cmd'),
      content: `@echo off\r\nsetlocal\r\nset ELECTRON_RUN_AS_NODE=1\r\n${binding}"${o.execPath}" "${o.cliPath}" %*\r\n`,
      mode: 0o644,
    };
  }
  const binding = o.binding ? `ERRAND_SQLITE_BINDING=${sh(o.binding)} ` : '';
  return {
    file: path.join(o.dir, 'errand'),
    content: `#!/bin/sh\n# Written by Errand at start: runs the bundled CLI with Electron's Node.\nELECTRON_RUN_AS_NODE=1 ${binding}exec ${sh(o.execPath)} ${sh(o.cliPath)} "$@"\n`,
    mode: 0o755,
  };
}

/** Writes the shim if its content changed; returns the directory to put on PATH. */
export function writeShim(
  shim: Shim,
  fs: {
    mkdirSync(p: string, o: { recursive: true; mode: number }): unknown;
    readFileSync(p: string, enc: 'utf8'): string;
    writeFileSync(p: string, d: string, o: { mode: number }): void;
    chmodSync(p: string, mode: number): void;
  },
): string {
  const dir = path.dirname(shim.file);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let current: string | null = null;
  try {
    current = fs.readFileSync(shim.file, 'utf8');
  } catch {
    // not there yet
  }
  if (current !== shim.content) {
    fs.writeFileSync(shim.file, shim.content, { mode: shim.mode });
    fs.chmodSync(shim.file, shim.mode);
  }
  return dir;
}
