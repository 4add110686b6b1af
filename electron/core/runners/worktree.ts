import fs from 'node:fs';
import path from 'node:path';
import type { JobResult } from '../../contract/job';
import { summarizePatch } from '../git-patch';
import { addWorktree, worktreeDiff } from '../git-worktree';
import { branchName, isolateSpecOf, worktreePath } from '../isolation';
import type { LeaderEnd, RunContext, RunEnd, RunHandle, RunJob, Runner } from './runner';

/**
 * Wraps a runner so that a job whose spec says `isolate` runs in its own git worktree
 * (`<home>/worktrees/<id>` on branch `errand/<id>`, made from the base commit chosen at
 * admission) and never in the user's tree. Each attempt starts from a fresh worktree.
 * After the run, however it ended, everything in the worktree against the base (edits,
 * new and deleted files, commits the job made) becomes a `patch` result carrying the
 * inner run's report, if any. The worktree stays for a person to look at until the job
 * is removed.
 */
export function withWorktree(inner: Runner, home: string): Runner {
  return {
    ...inner,
    start(job: RunJob, ctx: RunContext): RunHandle {
      const iso = isolateSpecOf(job.spec);
      if (!iso) return inner.start(job, ctx);
      let resolveStarted!: (pgid: number) => void;
      const started = new Promise<number>((r) => (resolveStarted = r));
      let resolveLeader!: (e: LeaderEnd) => void;
      const leaderExited = new Promise<LeaderEnd>((r) => (resolveLeader = r));
      const notStarted = (error: string | null): RunEnd => {
        const end = { exitCode: null, signal: null, error };
        resolveStarted(-1);
        resolveLeader(end);
        return { ...end, result: null };
      };
      const dir = worktreePath(home, job.id);
      const note = (text: string | null): void => {
        try {
          ctx.report.note(text);
        } catch {
          // the run is no longer live: nobody to tell
        }
      };
      const ended = (async (): Promise<RunEnd> => {
        note(`preparing its worktree (${branchName(job.id)})`);
        let cwd: string;
        try {
          await addWorktree(iso.repo, dir, branchName(job.id), iso.base, ctx.signal);
          cwd = path.join(dir, iso.subdir);
          // a cwd the base commit lacks (an untracked directory, say) is made empty
          await fs.promises.mkdir(cwd, { recursive: true });
        } catch (e) {
          return notStarted(ctx.signal.aborted ? null : `could not make its worktree: ${(e as Error).message}`);
        } finally {
          note(null);
        }
        if (ctx.signal.aborted) return notStarted(null);
        const runJob: RunJob = { ...job, cwd, capturePatch: false };
        const run = inner.start(runJob, { ...ctx, job: runJob });
        void run.started.then(resolveStarted);
        // a cancel or shutdown that stopped the run decides it, and throws any result away
        let discarded = false;
        void run.leaderExited.then((e) => {
          discarded = ctx.signal.aborted && (ctx.signal.reason === 'cancel' || ctx.signal.reason === 'shutdown');
          resolveLeader(e);
        });
        const end = await run.ended;
        await run.leaderExited;
        if (discarded || (end.result && end.result.type !== 'report')) return end;
        const report = end.result?.type === 'report' ? end.result.markdown : undefined;
        try {
          const patch = await worktreeDiff(dir, iso.base);
          if (patch) {
            const result: JobResult = { type: 'patch', summary: summarizePatch(patch), patch, ...(report !== undefined ? { report } : {}) };
            return { ...end, result };
          }
        } catch (e) {
          ctx.log.warn(`job #${job.id}: could not take its worktree's changes as a patch`, e);
        }
        return end;
      })();
      return { started, leaderExited, ended };
    },
  };
}
