import { ErrandError } from '../contract/errors';
import type { Approval, Decision } from '../contract/job';
import type { Announcer } from './announcer';
import { approvalById, decideApproval, insertApproval, listApprovals, openApproval } from './store/approvals';
import { askJob, resumeJob } from './store/job-transitions';
import { requireJob } from './store/jobs';
import type { Sql } from './store/sql';

type Waiter = { resolve: (d: { decision: Decision; note: string | null }) => void; signal: AbortSignal | undefined; onAbort: () => void };

export interface BrokerDeps {
  sql: Sql;
  announcer: Announcer;
  /** A job started or stopped waiting for a person (a waiting job holds no slot). */
  waiting: (jobId: number, waiting: boolean) => void;
}

/**
 * Questions from jobs to people: a job asks (it goes `waiting` and gives up its slot),
 * a person decides (it runs again), and whoever waits for the answer hears it. A waiter
 * whose caller went away (its connection closed: the signal aborts) is dropped, never
 * left behind.
 */
export class ApprovalBroker {
  private readonly waiters = new Map<number, Set<Waiter>>();
  /** Tools a person approved for the rest of a job's attempt (scope 'job'): job id → attempt and tool names. */
  private readonly jobRules = new Map<number, { attempt: number; tools: Set<string> }>();

  constructor(private readonly d: BrokerDeps) {}

  /** The job's live attempt asks a question; returns the approval's id. */
  ask(jobId: number, attempt: number, question: string, context: string | null, now: number, tool: string | null = null): number {
    const { sql } = this.d;
    const row = requireJob(sql, jobId, 'jobId');
    if (row.attempt !== attempt || (row.status !== 'running' && row.status !== 'waiting')) {
      throw new ErrandError('illegal_transition', `Job #${jobId} attempt ${attempt} is not running (the job is ${row.status}, attempt ${row.attempt}).`);
    }
    if (row.status !== 'running') throw new ErrandError('illegal_transition', `Job #${jobId} is already waiting for a decision; ask one question at a time.`);
    const approvalId = sql.tx(() => {
      const id = insertApproval(sql, jobId, attempt, question, context, now, tool);
      askJob(sql, jobId, id, question, now);
      return id;
    });
    this.d.waiting(jobId, true);
    this.d.announcer.approval(approvalById(sql, approvalId)!);
    this.d.announcer.job(jobId);
    return approvalId;
  }

  decide(jobId: number, decision: 'approved' | 'denied', note: string | null, by: string, now: number, scope: 'once' | 'job' = 'once'): Approval {
    const { sql } = this.d;
    const row = requireJob(sql, jobId);
    const open = openApproval(sql, jobId);
    if (row.status !== 'waiting' || !open) {
      throw new ErrandError('illegal_transition', `Cannot ${decision === 'approved' ? 'approve' : 'deny'} job #${jobId}: it is ${row.status}, not waiting for approval.`);
    }
    const grantsJob = decision === 'approved' && scope === 'job' && open.tool !== null;
    sql.tx(() => {
      decideApproval(sql, open.id, decision, note, by, now, open.tool !== null ? scope : null);
      resumeJob(sql, jobId, { type: 'approval-decided', by, data: { approvalId: open.id, decision, note: note ?? undefined, scope: grantsJob ? 'job' : undefined } }, now);
    });
    if (grantsJob) {
      const rule = this.jobRules.get(jobId);
      if (rule?.attempt === open.attempt) rule.tools.add(open.tool!);
      else this.jobRules.set(jobId, { attempt: open.attempt, tools: new Set([open.tool!]) });
    }
    this.d.waiting(jobId, false);
    const approval = approvalById(sql, open.id)!;
    this.settle(approval);
    this.d.announcer.job(jobId);
    return approval;
  }

  /** A person approved this tool for the rest of the job's attempt: no need to ask again. */
  grantedForJob(jobId: number, attempt: number, tool: string): boolean {
    const rule = this.jobRules.get(jobId);
    return rule !== undefined && rule.attempt === attempt && rule.tools.has(tool);
  }

  /** A run ended: its job-scoped grants end with it. */
  forgetRun(jobId: number): void {
    this.jobRules.delete(jobId);
  }

  /** Resolves with the decision; at once when it is already made. */
  awaitDecision(approvalId: number, signal?: AbortSignal): Promise<{ decision: Decision; note: string | null }> {
    const a = approvalById(this.d.sql, approvalId);
    if (!a) return Promise.reject(new ErrandError('not_found', `No approval #${approvalId}.`, 'approvalId'));
    if (a.decision) return Promise.resolve({ decision: a.decision, note: a.note });
    if (signal?.aborted) return Promise.reject(new ErrandError('busy', 'The caller went away before a decision.'));
    return new Promise((resolve, reject) => {
      let set = this.waiters.get(approvalId);
      if (!set) this.waiters.set(approvalId, (set = new Set()));
      const waiter: Waiter = {
        resolve,
        signal,
        onAbort: () => {
          this.drop(approvalId, waiter);
          reject(new ErrandError('busy', 'The caller went away before a decision.'));
        },
      };
      set.add(waiter);
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
    });
  }

  /** Announces a decided (or expired) approval and answers everyone waiting for it. */
  settle(a: Approval): void {
    this.d.announcer.approval(a);
    const set = this.waiters.get(a.id);
    this.waiters.delete(a.id);
    for (const w of set ?? []) {
      w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve({ decision: a.decision!, note: a.note });
    }
  }

  open(): Approval[] {
    return listApprovals(this.d.sql);
  }

  /** Callers waiting for a decision (for diagnostics and tests). */
  get waiterCount(): number {
    let n = 0;
    for (const s of this.waiters.values()) n += s.size;
    return n;
  }

  /** The host stops: everyone still waiting hears "expired". */
  close(): void {
    for (const set of this.waiters.values()) {
      for (const w of set) {
        w.signal?.removeEventListener('abort', w.onAbort);
        w.resolve({ decision: 'expired', note: 'the host shut down' });
      }
    }
    this.waiters.clear();
  }

  private drop(approvalId: number, w: Waiter): void {
    const set = this.waiters.get(approvalId);
    set?.delete(w);
    if (set && !set.size) this.waiters.delete(approvalId);
  }
}
