import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ErrandError } from '../../contract/errors';
import { workTreeTopSync } from '../git-patch';
import type { IsolateSpec } from '../isolation';
import type { AdmitContext } from './runner';

function gitOut(args: string[], cwd: string): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

/**
 * Decides at admission whether a job runs in its own git worktree: 'worktree' insists
 * (refused outside a repository), 'none' never, 'auto' when the job wants isolation
 * (agents, patch capture) and its cwd is in a repository with a commit to start from.
 * The base is HEAD now, so a retry starts from the same commit.
 */
export function admitIsolation(mode: 'auto' | 'worktree' | 'none', wants: boolean, ctx: AdmitContext): IsolateSpec | null {
  if (mode === 'none' || (mode === 'auto' && !wants)) return null;
  const key = `isolate:${ctx.cwd}`;
  if (!ctx.memo.has(key)) {
    const top = workTreeTopSync(ctx.cwd);
    const base = top ? gitOut(['rev-parse', '--verify', 'HEAD^{commit}'], top) : null;
    const dirty = top && base ? (gitOut(['status', '--porcelain', '--untracked-files=normal'], top) ?? '') !== '' : false;
    ctx.memo.set(key, top && base ? { repo: top, base, subdir: path.relative(top, ctx.cwd), leftOutChanges: dirty } : { top, base: null });
  }
  const found = ctx.memo.get(key) as IsolateSpec | { top: string | null; base: null };
  if ('repo' in found) return { ...found };
  if (mode === 'worktree') {
    const why = found.top ? `the repository at ${found.top} has no commit yet` : `${ctx.cwd} is not in a git repository`;
    throw new ErrandError('invalid_input', `Invalid input: ${ctx.prefix}isolate worktree needs a commit to start from, but ${why}. Commit first, or use --isolate none.`, `${ctx.prefix}isolate`);
  }
  return null;
}
