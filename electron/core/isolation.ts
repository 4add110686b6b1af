import path from 'node:path';
import type { Isolation } from '../contract/job';

/**
 * How a job isolated in its own git worktree is stored in its spec (`spec.isolate`),
 * decided at admission: the repository, the commit the worktree is made from, where in
 * the repository the job's cwd is, and whether the user had uncommitted changes then
 * (they are not carried into the worktree).
 */
export interface IsolateSpec {
  repo: string;
  base: string;
  /** The job's cwd relative to the repository's top ('' at the top). */
  subdir: string;
  leftOutChanges: boolean;
}

export const worktreesDir = (home: string): string => path.join(home, 'worktrees');
export const worktreePath = (home: string, jobId: number): string => path.join(worktreesDir(home), String(jobId));
export const branchName = (jobId: number): string => `errand/${jobId}`;

export function isolateSpecOf(spec: unknown): IsolateSpec | null {
  const i = (spec as { isolate?: IsolateSpec } | null)?.isolate;
  return i && typeof i.repo === 'string' && typeof i.base === 'string' ? i : null;
}

/** The contract's Isolation of a job, or null when it runs in its cwd itself. */
export function isolationOf(spec: unknown, home: string, jobId: number): Isolation | null {
  const i = isolateSpecOf(spec);
  return i ? { repo: i.repo, branch: branchName(jobId), worktree: worktreePath(home, jobId), base: i.base, leftOutChanges: i.leftOutChanges } : null;
}
