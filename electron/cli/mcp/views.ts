// What the tools tell an agent: compact job views (no event firehose, times as ISO text a
// model reads at a glance) and the one line that leads each answer.
import type { Job, JobDetail, StatusSummary } from '../../contract/job';
import { formatEta } from '../../contract/format';
import { isFinished } from '../../contract/status';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
/** Events of a job `get` shows: the latest few; the whole trail is in the window and `errand show`. */
const EVENTS_SHOWN = 10;

export function jobView(j: Job) {
  return {
    id: j.id,
    title: j.title,
    kind: j.kind,
    status: j.status,
    activity: j.activity,
    progress: j.progressText,
    eta: j.eta.seconds === null ? null : { seconds: Math.round(j.eta.seconds), basis: j.eta.basis },
    needsPerson: j.attention === 'needs-you',
    attempt: j.attempt,
    exitCode: j.exitCode,
    signal: j.signal,
    error: j.error,
    result: j.resultSummary,
    cwd: j.cwd,
    labels: j.labels,
    after: j.after,
    agent: j.agent,
    addedBy: j.addedBy,
    createdAt: iso(j.createdAt),
    startedAt: iso(j.startedAt),
    finishedAt: iso(j.finishedAt),
  };
}

export function detailView(d: JobDetail) {
  const attempt = d.job.attempt;
  return {
    ...jobView(d.job),
    command: d.job.command,
    plan: d.job.plan,
    steps: d.steps
      .filter((s) => s.attempt === attempt || s.status === 'planned')
      .map((s) => ({ name: s.name, status: s.status, ...(s.tool ? { tool: s.tool, detail: s.detail } : {}) })),
    isolation: d.isolation,
    // Pending questions are for the person: shown so the agent can tell them, never answered here.
    waitingFor: d.approvals.filter((a) => a.decision === null).map((a) => ({ question: a.question, tool: a.tool, askedAt: iso(a.requestedAt) })),
    attempts: d.attempts.map((a) => ({ n: a.n, status: a.status, exitCode: a.exitCode, error: a.error, logBytes: a.logBytes })),
    recentEvents: d.events.slice(-EVENTS_SHOWN).map((e) => ({ at: iso(e.at), type: e.type, by: e.by })),
  };
}

/** "#12 running: npm test · 62% · ETA 40s (progress)". */
export function jobLine(j: Job): string {
  const parts = [`#${j.id} ${j.activity.startsWith(j.status) ? j.activity : `${j.status}: ${j.activity}`}`];
  if (j.progressText) parts.push(j.progressText);
  if (!isFinished(j.status) && j.eta.seconds !== null) parts.push(`ETA ${formatEta(j.eta.seconds)} (${j.eta.basis})`);
  if (isFinished(j.status) && j.resultSummary) {
    const r = j.resultSummary;
    parts.push(j.activity.includes(r.summary) ? `result: ${r.type}` : `result: ${r.type}, ${r.summary}`);
  }
  if (j.attention === 'needs-you' && j.status === 'waiting') parts.push('waiting for the person to approve in Errand');
  return parts.join(' · ');
}

export function statusView(s: StatusSummary) {
  return { line: s.line, counts: s.counts, attention: s.attention, etaSeconds: s.etaSeconds, queue: s.queue };
}
