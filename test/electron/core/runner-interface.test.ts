import { afterEach, describe, expect, test } from 'vitest';
import type { AddParsed } from '../../../electron/contract/api';
import type { Admitted, LeaderEnd, RunContext, RunEnd, RunHandle, RunJob, Runner } from '../../../electron/core/runners/runner';
import { openTestEngine, type TestEngine, until, waitFor } from '../../helpers/engine';

// The scheduler and supervisor know nothing kind-specific: a runner written against the
// Runner interface alone (no processes here at all) is queued, started, reported on,
// asked through, timed out, stalled and cancelled like any command job.

/** A runner that follows a little script in argv: "progress:3/4", "step:name", "plan:a,b", "ask:question", "result:text", "wait:ms", "hang", "exit:N". */
function scriptRunner(opts: { stallAfterMs?: number } = {}): Runner & { started: RunJob[] } {
  const started: RunJob[] = [];
  return {
    kind: 'command',
    started,
    admit(input: AddParsed): Admitted {
      const argv = input.command?.argv ?? [input.command?.shell ?? ''];
      return { spec: { argv }, display: `script ${argv.join(' ')}`, etaKey: argv.join(' '), lockTree: null };
    },
    describe: (spec) => `script ${(spec as { argv: string[] }).argv.join(' ')}`,
    stallAfterMs: () => opts.stallAfterMs ?? null,
    start(job: RunJob, ctx: RunContext): RunHandle {
      started.push(job);
      let resolveLeader!: (e: LeaderEnd) => void;
      const leaderExited = new Promise<LeaderEnd>((r) => (resolveLeader = r));
      const stopped = new Promise<LeaderEnd>((r) => ctx.signal.addEventListener('abort', () => r({ exitCode: null, signal: 'SIGTERM', error: null }), { once: true }));
      const ended = (async (): Promise<RunEnd> => {
        let end: LeaderEnd = { exitCode: 0, signal: null, error: null };
        for (const line of (job.spec as { argv: string[] }).argv) {
          const [op, arg = ''] = line.split(/:(.*)/s);
          const step = (async (): Promise<LeaderEnd | null> => {
            switch (op) {
              case 'progress': {
                const [done, total] = arg.split('/').map(Number);
                ctx.report.progress({ done: done!, total: total ?? null, unit: 'files', label: null });
                return null;
              }
              case 'step':
                ctx.report.step(arg);
                return null;
              case 'plan':
                ctx.report.plan(arg.split(','));
                return null;
              case 'ask': {
                const d = await ctx.report.ask(arg, 'context for the person');
                return d.decision === 'approved' ? null : { exitCode: 1, signal: null, error: null };
              }
              case 'result':
                ctx.report.result({ type: 'report', summary: arg, markdown: `# ${arg}` });
                return null;
              case 'wait':
                await new Promise((r) => setTimeout(r, Number(arg)));
                ctx.output();
                return null;
              case 'hang':
                await new Promise(() => {});
                return null;
              case 'exit':
                return { exitCode: Number(arg), signal: null, error: null };
              default:
                return { exitCode: null, signal: null, error: `unknown step ${op}` };
            }
          })();
          const r = await Promise.race([step, stopped]);
          if (r) {
            end = r;
            break;
          }
        }
        resolveLeader(end);
        return { ...end, result: null };
      })();
      return { started: Promise.resolve(-1), leaderExited, ended };
    },
  };
}

let t: TestEngine;
afterEach(() => t.dispose());

const add = (argv: string[], over: Record<string, unknown> = {}) => t.engine.add({ command: { argv }, cwd: t.home, ...over });

describe('a runner written against the interface alone', () => {
  test('runs through the queue: concurrency, priority, reports, result, exit code', async () => {
    const runner = scriptRunner();
    t = openTestEngine({ runners: [runner] });
    t.engine.pause();
    t.engine.setConcurrency(1);
    const a = add(['plan:fetch,build', 'step:fetch', 'progress:1/4', 'step:build', 'progress:4/4', 'result:all built', 'exit:0']);
    const b = add(['exit:3'], { priority: 5 });
    expect(a.command).toBe('script plan:fetch,build step:fetch progress:1/4 step:build progress:4/4 result:all built exit:0');
    t.engine.resume();
    const [da, db] = [await waitFor(t.engine, a.id), await waitFor(t.engine, b.id)];
    expect(runner.started.map((j) => j.id)).toEqual([b.id, a.id]); // priority first, one at a time
    expect(db).toMatchObject({ status: 'failed', error: 'exited with code 3', exitCode: 3 });
    expect(da).toMatchObject({ status: 'succeeded', plan: ['fetch', 'build'], progressText: '100%', resultSummary: { type: 'report', summary: 'all built' } });
    expect(t.engine.get(a.id).steps.map((s) => `${s.name}:${s.status}`)).toEqual(['fetch:done', 'build:done']);
  });

  test('ask: the job waits for a person holding no slot; approve resumes it, deny ends it as the runner decides', async () => {
    t = openTestEngine({ runners: [scriptRunner()] });
    t.engine.setConcurrency(1);
    const asking = add(['ask:Deploy?', 'exit:0']);
    await waitFor(t.engine, asking.id, ['waiting']);
    const other = add(['exit:0']);
    expect((await waitFor(t.engine, other.id)).status).toBe('succeeded'); // the slot was free
    expect(t.engine.approvals()).toMatchObject([{ jobId: asking.id, question: 'Deploy?', context: 'context for the person' }]);
    t.engine.approve(asking.id, 'go');
    expect((await waitFor(t.engine, asking.id)).status).toBe('succeeded');
    const denied = add(['ask:Drop the table?', 'exit:0']);
    await waitFor(t.engine, denied.id, ['waiting']);
    t.engine.deny(denied.id);
    expect(await waitFor(t.engine, denied.id)).toMatchObject({ status: 'failed', exitCode: 1 });
  });

  test('timeout and cancel reach the runner through its abort signal', async () => {
    t = openTestEngine({ runners: [scriptRunner()] });
    const slow = add(['hang'], { timeoutMs: 200 });
    expect(await waitFor(t.engine, slow.id)).toMatchObject({ status: 'failed', error: 'timed out after 200ms', signal: 'SIGTERM' });
    const stuck = add(['hang']);
    await waitFor(t.engine, stuck.id, ['running']);
    const [after] = await t.engine.cancel([stuck.id], 'ui');
    expect(after).toMatchObject({ status: 'cancelled', error: 'cancelled by ui' });
  });

  test('a cancel while the run waits for a decision ends it and expires the question', async () => {
    t = openTestEngine({ runners: [scriptRunner()] });
    const job = add(['ask:Proceed?', 'exit:0']);
    await waitFor(t.engine, job.id, ['waiting']);
    const [after] = await t.engine.cancel([job.id], 'cli');
    expect(after!.status).toBe('cancelled');
    expect(t.engine.get(job.id).approvals).toMatchObject([{ decision: 'expired' }]);
    expect(t.engine.approvals()).toEqual([]);
  });

  test('the stall hook: no sign of life for the runner\'s limit fails the run; output keeps it alive', async () => {
    t = openTestEngine({ runners: [scriptRunner({ stallAfterMs: 300 })] });
    const lively = add(['wait:150', 'wait:150', 'wait:150', 'exit:0']);
    const silent = add(['hang']);
    expect((await waitFor(t.engine, lively.id)).status).toBe('succeeded');
    expect(await waitFor(t.engine, silent.id)).toMatchObject({ status: 'failed', error: 'stalled: no sign of life for 300ms' });
    await until(() => t.engine.diagnostics().idle || undefined, 5000, 'idle');
  });
});

describe('the stall clock', () => {
  test('stops while the run waits for a person: a slow decision does not fail the job', async () => {
    t = openTestEngine({ runners: [scriptRunner({ stallAfterMs: 300 })] });
    const job = add(['ask:Proceed?', 'exit:0']);
    await waitFor(t.engine, job.id, ['waiting']);
    await new Promise((r) => setTimeout(r, 900));
    expect(t.engine.get(job.id).job.status).toBe('waiting');
    t.engine.approve(job.id);
    expect((await waitFor(t.engine, job.id)).status).toBe('succeeded');
  });
});
