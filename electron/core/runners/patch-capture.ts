import { diffTrees, snapshotTree, summarizePatch } from '../git-patch';
import type { LeaderEnd, RunContext, RunEnd, RunHandle, RunJob, Runner } from './runner';

/**
 * Wraps a runner so that a job added with capturePatch ends with its changes to the git
 * work tree as a `patch` result: the tree is snapshotted before the run starts and
 * diffed against a snapshot taken after a successful run. A cancel that arrives after the
 * job exited 0 (while leftovers drain or the diff is taken) does not throw the patch away.
 */
export function withPatchCapture(inner: Runner): Runner {
  return {
    ...inner,
    start(job: RunJob, ctx: RunContext): RunHandle {
      if (!job.capturePatch) return inner.start(job, ctx);
      let resolveStarted!: (pgid: number) => void;
      const started = new Promise<number>((r) => (resolveStarted = r));
      let resolveLeader!: (e: LeaderEnd) => void;
      const leaderExited = new Promise<LeaderEnd>((r) => (resolveLeader = r));
      const ended = (async (): Promise<RunEnd> => {
        const base = await snapshotTree(job.cwd).catch((e: unknown) => {
          ctx.log.warn(`job #${job.id}: could not snapshot the work tree`, e);
          return null;
        });
        if (ctx.signal.aborted) {
          // stopped before it began: nothing ran
          const end = { exitCode: null, signal: null, error: null };
          resolveStarted(-1);
          resolveLeader(end);
          return { ...end, result: null };
        }
        const run = inner.start(job, ctx);
        void run.started.then(resolveStarted);
        let stoppedFirst = false;
        void run.leaderExited.then((e) => {
          stoppedFirst = ctx.signal.aborted;
          resolveLeader(e);
        });
        const end = await run.ended;
        const leader = await run.leaderExited;
        if (end.result || !base || leader.exitCode !== 0 || leader.error !== null || stoppedFirst) return end;
        try {
          const after = await snapshotTree(job.cwd);
          if (after && after !== base) {
            const patch = await diffTrees(job.cwd, base, after);
            return { ...end, result: { type: 'patch', summary: summarizePatch(patch), patch } };
          }
        } catch (e) {
          ctx.log.warn(`job #${job.id}: could not capture its changes as a patch`, e);
        }
        return end;
      })();
      return { started, leaderExited, ended };
    },
  };
}
