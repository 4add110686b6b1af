import fs from 'node:fs';
import path from 'node:path';
import { removeWorktree, worktreeRepo } from './git-worktree';
import { branchName, worktreePath, worktreesDir } from './isolation';
import type { Logger } from './logger';
import { jobStatuses } from './store/jobs';
import type { Sql } from './store/sql';

// Jobs' worktrees never outlive their jobs: removed with them (rm, clean), and after a
// crash the ones whose job is gone are found and removed when the next host opens.

/** Removals in one repository run one after another: git's locks do not like company. */
const queues = new Map<string, Promise<void>>();

function inTurn(key: string, fn: () => Promise<void>): Promise<void> {
  const next = (queues.get(key) ?? Promise.resolve()).then(fn, fn);
  queues.set(key, next);
  void next.then(() => queues.get(key) === next && queues.delete(key));
  return next;
}

/**
 * Removes removed jobs' worktrees and branches, in the repository each job's spec named
 * (with the repository gone, just the directory). Never throws.
 */
export function removeJobWorktrees(home: string, jobs: readonly { id: number; repo: string }[], log: Logger): Promise<void> {
  return Promise.all(
    jobs.map(({ id, repo }) =>
      inTurn(repo, () =>
        removeWorktree(repo, worktreePath(home, id), branchName(id)).catch((e: unknown) => log.warn(`job #${id}: could not remove its worktree`, e)),
      ),
    ),
  ).then(() => undefined);
}

/**
 * Finds worktrees whose job no longer exists (its row went while the host was down, or
 * the host died between removing the row and the worktree) and removes them, pruning
 * their repository's worktree list. Ids are never reused, so a directory named after a
 * missing job is an orphan for good. Resolves with the ids swept; never throws.
 */
export async function sweepWorktrees(home: string, sql: Sql, log: Logger): Promise<number[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(worktreesDir(home));
  } catch {
    return [];
  }
  const ids = names.filter((n) => /^[1-9]\d*$/.test(n)).map(Number);
  if (!ids.length) return [];
  let known: Map<number, unknown>;
  try {
    known = jobStatuses(sql, ids);
  } catch (e) {
    log.warn('could not look for orphaned worktrees', e);
    return [];
  }
  const orphans = ids.filter((id) => !known.has(id));
  await Promise.all(
    orphans.map(async (id) => {
      const dir = worktreePath(home, id);
      const repo = await worktreeRepo(dir);
      log.warn(`removing the worktree of job #${id}, which no longer exists: ${dir}${repo ? ` (repository ${path.dirname(repo)})` : ''}`);
      await inTurn(repo ?? dir, () => removeWorktree(repo, dir, branchName(id)));
    }),
  );
  return orphans;
}
