import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The work tree's full state (tracked and untracked, minus ignored files) as a git
 * tree id, written through a throwaway index so the user's index is never touched.
 * Null when cwd is not inside a git work tree.
 */
export async function snapshotTree(cwd: string): Promise<string | null> {
  let top: string;
  try {
    top = (await run('git', ['rev-parse', '--show-toplevel'], { cwd })).stdout.trim();
  } catch {
    return null;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'errand-idx-'));
  const env = { ...process.env, GIT_INDEX_FILE: path.join(tmp, 'index') };
  try {
    // Seeding from the real index reuses its stat cache, so unchanged files are not re-hashed.
    const real = path.resolve(top, (await run('git', ['rev-parse', '--git-path', 'index'], { cwd: top })).stdout.trim());
    if (fs.existsSync(real)) fs.copyFileSync(real, env.GIT_INDEX_FILE);
    await run('git', ['add', '-A', '.'], { cwd: top, env });
    return (await run('git', ['write-tree'], { cwd: top, env })).stdout.trim();
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The top of the git work tree holding `cwd`, or null when it is not in one (or git is missing). */
export function workTreeTopSync(cwd: string): string | null {
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
    return top ? fs.realpathSync(top) : null;
  } catch {
    return null;
  }
}

/** The changes between two snapshots as a unified diff git can apply. */
export async function diffTrees(cwd: string, from: string, to: string): Promise<string> {
  const { stdout } = await run('git', ['diff', '--binary', '--no-color', '--no-ext-diff', from, to], { cwd, maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

export function summarizePatch(patch: string): string {
  const files = patch.match(/^diff --git /gm)?.length ?? 0;
  let add = 0;
  let del = 0;
  for (const line of patch.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) add++;
    else if (line.startsWith('-') && !line.startsWith('---')) del++;
  }
  return files ? `${files} file${files === 1 ? '' : 's'} changed, +${add} −${del}` : 'no changes';
}
