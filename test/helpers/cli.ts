import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BIN = path.join(ROOT, 'electron/cli/bin/errand');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI (npm test builds before running vitest), as a user would run it. */
export function errand(home: string, args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? home,
    env: { ...process.env, ERRAND_HOME: home, NO_COLOR: '1', ...opts.env },
    input: opts.input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI without waiting; `output` resolves on its first stdout bytes. */
export function errandAsync(home: string, args: string[], opts: SpawnOptions = {}): { done: Promise<Run>; output: Promise<void> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: home, env: { ...process.env, ERRAND_HOME: home, NO_COLOR: '1' }, ...opts });
  let stdout = '';
  let stderr = '';
  const output = new Promise<void>((r) => child.stdout?.once('data', () => r()));
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { done, output };
}

export function json<T>(r: Run): T {
  if (r.code !== 0) throw new Error(`errand exited ${r.code}: ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

export function hostPid(home: string): number | null {
  try {
    return Number(fs.readFileSync(path.join(home, 'host.lock'), 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

/** True while the process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/** Stops the test's host, whatever state it is in. */
export function stopHost(home: string): void {
  errand(home, ['shutdown']);
  const pid = hostPid(home);
  if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
}
