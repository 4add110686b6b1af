import { ErrandError } from '../contract/errors';
import type { JobResult, Progress, StepStatus, Usage } from '../contract/job';
import type { Announcer } from './announcer';
import type { ApprovalBroker } from './approval-broker';
import type { ProgressBuffer } from './progress-buffer';
import type { RunJob, RunReporter } from './runners/runner';
import { insertEvent } from './store/events';
import type { JobRow } from './store/job-row';
import { setPlan, setResult, setUsage } from './store/job-updates';
import { jobState, requireJob } from './store/jobs';
import type { Sql } from './store/sql';
import { type StepTool, recordStep } from './store/steps';

export interface ReportDeps {
  sql: Sql;
  progress: ProgressBuffer;
  announcer: Announcer;
  broker: ApprovalBroker;
  /** A sign of life from a run (for the stall detector). */
  alive: (jobId: number) => void;
}

/**
 * What a running job says about itself: progress, steps, its plan, its result, and the
 * questions it asks. The same for `errand progress …` from inside a command and for a
 * runner's RunReporter. Only the job's live attempt may report.
 */
export class JobReports {
  /** What live runs say they are doing beyond their steps (in memory: it means nothing once a run ends). */
  private readonly notes = new Map<number, string>();
  private readonly pendingUsage = new Map<number, { attempt: number; usage: Usage }>();
  private usageTimer: NodeJS.Timeout | null = null;

  constructor(private readonly d: ReportDeps) {}

  note(jobId: number): string | null {
    return this.notes.get(jobId) ?? null;
  }

  /** Usage reported but not written yet, for that attempt. */
  latestUsage(jobId: number, attempt: number): Usage | undefined {
    const p = this.pendingUsage.get(jobId);
    return p && p.attempt === attempt ? p.usage : undefined;
  }

  flushUsage(): void {
    if (this.usageTimer) clearTimeout(this.usageTimer);
    this.usageTimer = null;
    if (!this.pendingUsage.size || !this.d.sql.open) return;
    for (const [id, p] of this.pendingUsage) setUsage(this.d.sql, id, p.attempt, JSON.stringify(p.usage));
    this.pendingUsage.clear();
  }

  get usageArmed(): boolean {
    return this.usageTimer !== null;
  }

  /** A run ended: its note goes with it. */
  forgetRun(jobId: number): void {
    this.notes.delete(jobId);
  }

  progress(jobId: number, attempt: number, p: Progress, now = Date.now()): void {
    this.live(jobId, attempt);
    this.d.progress.report(jobId, attempt, p, now);
    this.d.alive(jobId);
    this.d.announcer.jobSoon(jobId);
  }

  step(jobId: number, attempt: number, name: string, status: Exclude<StepStatus, 'planned'>, now = Date.now(), tool: StepTool | null = null): void {
    this.live(jobId, attempt);
    recordStep(this.d.sql, jobId, attempt, name, status, now, tool ? 'agent' : 'job', tool);
    // a new step replaces whatever the run said it was doing
    if (status === 'running') this.notes.delete(jobId);
    this.d.alive(jobId);
    this.d.announcer.jobSoon(jobId);
  }

  /** Declares (or revises) the planned steps. The plan may change; the record of steps taken never does. */
  plan(jobId: number, attempt: number, steps: readonly string[], now = Date.now()): void {
    this.live(jobId, attempt);
    const { sql } = this.d;
    sql.tx(() => {
      if (!setPlan(sql, jobId, attempt, steps)) throw notLive(requireJob(sql, jobId, 'jobId'), attempt);
      insertEvent(sql, jobId, attempt, now, { type: 'plan', by: 'job', data: { steps } });
    });
    this.d.alive(jobId);
    this.d.announcer.job(jobId);
  }

  result(jobId: number, attempt: number, result: JobResult, now = Date.now()): void {
    this.live(jobId, attempt);
    const { sql } = this.d;
    sql.tx(() => {
      if (!setResult(sql, jobId, attempt, JSON.stringify(result))) throw notLive(requireJob(sql, jobId, 'jobId'), attempt);
      insertEvent(sql, jobId, attempt, now, { type: 'result', by: 'job', data: { resultType: result.type, summary: result.summary } });
    });
    this.d.alive(jobId);
    this.d.announcer.job(jobId);
  }

  /**
   * Tokens used so far. Agents report it with nearly every message: kept in memory and
   * written in one batch every 500 ms (and before a run's end is recorded), like progress.
   */
  usage(jobId: number, attempt: number, u: Usage): void {
    this.live(jobId, attempt);
    this.pendingUsage.set(jobId, { attempt, usage: u });
    this.usageTimer ??= setTimeout(() => this.flushUsage(), 500).unref();
    this.d.alive(jobId);
    this.d.announcer.jobSoon(jobId);
  }

  setNote(jobId: number, attempt: number, text: string | null): void {
    this.live(jobId, attempt);
    if (text) this.notes.set(jobId, text);
    else this.notes.delete(jobId);
    this.d.alive(jobId);
    this.d.announcer.jobSoon(jobId);
  }

  /** The reporter a runner's context carries. */
  reporterFor(job: RunJob, signal: AbortSignal): RunReporter {
    const { broker } = this.d;
    return {
      progress: (p) => this.progress(job.id, job.attempt, p),
      step: (name, status = 'running', tool) => this.step(job.id, job.attempt, name, status, Date.now(), tool ?? null),
      plan: (steps) => this.plan(job.id, job.attempt, steps),
      result: (r) => this.result(job.id, job.attempt, r),
      usage: (u) => this.usage(job.id, job.attempt, u),
      note: (text) => this.setNote(job.id, job.attempt, text),
      // a run that is stopped while it waits hears "expired", like a job whose host stopped
      ask: async (question, context, opts) => {
        const tool = opts?.tool ?? null;
        if (tool !== null && broker.grantedForJob(job.id, job.attempt, tool)) {
          // approved for the rest of this job: recorded, not asked again
          insertEvent(this.d.sql, job.id, job.attempt, Date.now(), { type: 'approval-granted', by: 'rule', data: { tool, question } });
          return { decision: 'approved', note: 'approved for the rest of this job' };
        }
        return broker
          .awaitDecision(broker.ask(job.id, job.attempt, question, context ?? null, Date.now(), tool), signal)
          .catch(() => ({ decision: 'expired' as const, note: 'the run was stopped before a decision' }));
      },
    };
  }

  /** Only the job's live attempt may report (a cheap look: this runs for every report). */
  private live(jobId: number, attempt: number): void {
    const row = jobState(this.d.sql, jobId);
    if (!row) throw new ErrandError('not_found', `No job #${jobId}. List jobs with \`errand ls\`.`, 'jobId');
    if ((row.status !== 'running' && row.status !== 'waiting') || row.attempt !== attempt) throw notLive(row, attempt);
  }
}

function notLive(row: Pick<JobRow, 'id' | 'status' | 'attempt'>, attempt: number): ErrandError {
  return new ErrandError('illegal_transition', `Job #${row.id} attempt ${attempt} is not running (the job is ${row.status}, attempt ${row.attempt}).`);
}
