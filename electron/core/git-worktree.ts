import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Git plumbing for jobs isolated in their own worktree. Every call is an async execFile:
// a big checkout or a slow disk must never hold up the host's event loop.

export interface GitRun {
  ok: boolean;
  /** stdout when ok (trimmed unless raw), else git's whole message (stderr, then stdout). */
  out: string;
}

// Variables that would point git at another repository or index than the one named.
const STRAY = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_PREFIX', 'GIT_NAMESPACE'];

function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', ...extra };
  for (const k of STRAY) if (!(k in extra)) delete env[k];
  return env;
}

const LOCKED = /\.lock'?:? File exists|Unable to create '.*\.lock'|cannot lock ref/i;

/** Runs git; never throws (read `ok`). A lock held by a parallel git call in the same repo is retried. */
export async function git(args: string[], cwd: string, o: { env?: Record<string, string>; signal?: AbortSignal; maxBuffer?: number; raw?: boolean } = {}): Promise<GitRun> {
  for (let tries = 0; ; tries++) {
    const r = await new Promise<GitRun>((resolve) => {
      execFile('git', args, { cwd, env: gitEnv(o.env), signal: o.signal, maxBuffer: o.maxBuffer ?? 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        resolve(err ? { ok: false, out: `${stderr}${stdout}`.trim() || err.message } : { ok: true, out: o.raw ? stdout : stdout.trim() });
      });
    });
    if (r.ok || tries >= 5 || !LOCKED.test(r.out) || o.signal?.aborted) return r;
    await new Promise((res) => setTimeout(res, 50 * (tries + 1)));
  }
}

/**
 * Makes a fresh worktree at `dir` on a new branch from `base`. Whatever an earlier
 * attempt left there (worktree, branch) is removed first, so a retry starts clean from
 * the same commit. Hooks are off: this is Errand's plumbing, not the user's checkout.
 * Throws with git's message.
 */
export async function addWorktree(repo: string, dir: string, branch: string, base: string, signal?: AbortSignal): Promise<void> {
  if (!fs.existsSync(repo)) throw new Error(`its repository ${repo} no longer exists`);
  await removeWorktree(repo, dir, branch);
  await fs.promises.mkdir(path.dirname(dir), { recursive: true, mode: 0o700 });
  const r = await git(['-c', `core.hooksPath=${os.devNull}`, 'worktree', 'add', '--quiet', '-b', branch, dir, base], repo, { signal });
  if (!r.ok) throw new Error(r.out);
}

/**
 * Removes a job's worktree and its branch. The branch goes first (HEAD detached so git
 * lets it go), so a crash part way leaves at most a directory, which the sweep finds.
 * A branch checked out anywhere else (a person looking at it) is left alone: git
 * refuses to delete it. With the repository gone, only the directory is deleted.
 * `repo` may be a work tree or a git dir. Never throws.
 */
export async function removeWorktree(repo: string | null, dir: string, branch: string): Promise<void> {
  const live = repo !== null && fs.existsSync(repo);
  if (live) {
    const inDir = fs.existsSync(path.join(dir, '.git'));
    // the ceiling keeps git from walking up to a repository that happens to hold the data dir
    if (inDir) await git(['checkout', '--quiet', '--detach'], dir, { env: { GIT_CEILING_DIRECTORIES: path.dirname(dir) } });
    await git(['branch', '-D', branch], repo);
    if (inDir) await git(['worktree', 'remove', '--force', '--force', dir], repo);
  }
  await fs.promises.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  if (live) {
    await git(['worktree', 'prune'], repo);
    await git(['branch', '-D', branch], repo); // in case it was still checked out in the directory above
  }
}

/**
 * The git dir of the repository a worktree belongs to, read from its `.git` file
 * (`gitdir: <repo>/.git/worktrees/<name>`); null when it is not a worktree or the
 * repository is gone.
 */
export async function worktreeRepo(dir: string): Promise<string | null> {
  try {
    const link = (await fs.promises.readFile(path.join(dir, '.git'), 'utf8')).match(/^gitdir: (.+)$/m)?.[1]?.trim();
    if (!link) return null;
    const own = path.resolve(dir, link);
    const common = (await fs.promises.readFile(path.join(own, 'commondir'), 'utf8').catch(() => '../..')).trim();
    const repo = path.resolve(own, common);
    return fs.existsSync(repo) ? repo : null;
  } catch {
    return null;
  }
}

/**
 * Everything in a worktree against `base` as a unified diff: edits, new (untracked but
 * not ignored) and deleted files, and whatever the job committed. Staged through a
 * throwaway index seeded from the worktree's own (its stat cache spares re-hashing), so
 * no index anyone uses is touched. '' when nothing changed.
 */
export async function worktreeDiff(dir: string, base: string): Promise<string> {
  const env = { GIT_CEILING_DIRECTORIES: path.dirname(dir) };
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'errand-idx-'));
  const index = path.join(tmp, 'index');
  try {
    const own = await git(['rev-parse', '--git-path', 'index'], dir, { env });
    if (!own.ok) throw new Error(own.out);
    await fs.promises.copyFile(path.resolve(dir, own.out), index).catch(() => undefined);
    const staged = { ...env, GIT_INDEX_FILE: index };
    const add = await git(['add', '-A', '.'], dir, { env: staged });
    if (!add.ok) throw new Error(add.out);
    const tree = await git(['write-tree'], dir, { env: staged });
    if (!tree.ok) throw new Error(tree.out);
    const diff = await git(['diff', '--binary', '--no-color', '--no-ext-diff', '--src-prefix=a/', '--dst-prefix=b/', base, tree.out], dir, { env, maxBuffer: 256 * 1024 * 1024, raw: true });
    if (!diff.ok) throw new Error(diff.out);
    return diff.out;
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }
}
