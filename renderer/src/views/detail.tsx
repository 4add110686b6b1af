import { useEffect, useRef, useState } from 'react';
import type { Isolation, Job, JobDetail, Step } from '../../../electron/contract/job';
import { isActive, isFinished } from '../../../electron/contract/status';
import { useApp, useAppState, useNow } from '../ui/context';
import { clockTime, exactTime, formatDuration, shortPath, took } from '../ui/format';
import { agentTitle, taskOf } from '../ui/agents';
import { IsolationRows, runSteps, StepsView } from './agent';
import { ApplyBar } from './apply';
import { ApprovalCard } from './approval';
import { Ago, Eta, Labels, ProgressBar, Status } from './bits';
import { LogPanel } from './log';
import { ResultView } from './result';

type Tab = 'steps' | 'log' | 'result' | 'events' | 'attempts';
const COMMAND_TABS: { key: Tab; title: string }[] = [
  { key: 'log', title: 'Log' },
  { key: 'result', title: 'Result' },
  { key: 'events', title: 'Events' },
  { key: 'attempts', title: 'Attempts' },
];
/** An agent job leads with its steps (one per tool call). */
const AGENT_TABS: { key: Tab; title: string }[] = [{ key: 'steps', title: 'Steps' }, ...COMMAND_TABS];

export const isAgentJob = (job: Pick<Job, 'kind' | 'agent'>): boolean => job.kind === 'agent' || job.agent !== null;
const tabsOf = (job: Job): { key: Tab; title: string }[] => (isAgentJob(job) ? AGENT_TABS : COMMAND_TABS);

export function Detail() {
  const selectedId = useAppState((s) => s.selectedId);
  const job = useAppState((s) => (s.selectedId === null ? undefined : s.jobs.get(s.selectedId)));
  const empty = useAppState((s) => s.synced && s.jobs.size === 0);
  if (empty) return <section className="detail placeholder" aria-label="Job detail" />;
  if (selectedId === null || !job) {
    return (
      <section className="detail placeholder" aria-label="Job detail">
        <p>Select a job to see its log, steps and result. <kbd>j</kbd> <kbd>k</kbd> move, <kbd>Enter</kbd> opens, <kbd>?</kbd> lists every key.</p>
      </section>
    );
  }
  return <JobDetailPane key={job.id} job={job} />;
}

function defaultTab(job: Job): Tab {
  if (job.resultSummary && job.resultSummary.type !== 'none' && isFinished(job.status)) return 'result';
  return isAgentJob(job) ? 'steps' : 'log';
}

function JobDetailPane({ job }: { job: Job }) {
  const app = useApp();
  const detail = useAppState((s) => (s.detail?.id === job.id ? s.detail : null));
  const approval = useAppState((s) => s.approvals.get(job.id));
  // In the approvals inbox the card is already in the middle pane.
  const inInbox = useAppState((s) => s.view === 'approvals');
  const focus = useAppState((s) => s.focus);
  const jobError = useAppState((s) => s.errors.job);
  // A decision refused after the question went away (decided elsewhere, job ended): no card to show it on.
  const orphanApprovalError = useAppState((s) => (!s.approvals.has(job.id) && s.errors.approval?.jobId === job.id ? s.errors.approval.message : null));
  const [tab, setTab] = useState<Tab>(() => defaultTab(job));
  const [logAttempt, setLogAttempt] = useState<number | null>(null);
  const ref = useRef<HTMLElement>(null);
  const tabs = tabsOf(job);
  const tabsRef = useRef(tabs);
  tabsRef.current = tabs;

  // The detail's tab keys (t cycles) arrive as a window event from the keymap.
  useEffect(() => {
    const onCycle = (e: Event): void => {
      const dir = (e as CustomEvent<number>).detail;
      const tabs = tabsRef.current;
      setTab((t) => tabs[(tabs.findIndex((x) => x.key === t) + dir + tabs.length) % tabs.length]!.key);
    };
    const onTab = (e: Event): void => {
      const want = (e as CustomEvent<Tab>).detail;
      if (tabsRef.current.some((t) => t.key === want)) setTab(want);
    };
    window.addEventListener('errand:cycle-tab', onCycle);
    window.addEventListener('errand:tab', onTab);
    return () => {
      window.removeEventListener('errand:cycle-tab', onCycle);
      window.removeEventListener('errand:tab', onTab);
    };
  }, []);

  useEffect(() => {
    if (focus === 'detail' && ref.current && !ref.current.contains(document.activeElement)) ref.current.focus();
  }, [focus]);

  const attempt = logAttempt ?? job.attempt;
  return (
    <section
      ref={ref}
      className={`detail${focus === 'detail' ? ' has-focus' : ''}`}
      aria-label={`Job #${job.id}: ${job.title}`}
      tabIndex={-1}
      data-testid="detail"
      onFocus={() => app.store.getState().setFocus('detail')}
    >
      <div className="d-head">
        <h2>
          <span className="jid">#{job.id}</span> <span className="d-title">{job.title}</span>
        </h2>
        <Status status={job.status} />
      </div>
      <StatusLine job={job} />
      <Meta job={job} isolation={detail?.data?.isolation ?? null} />
      {approval && !inInbox ? <ApprovalCard approval={approval} job={job} autoFocusNote={false} /> : null}
      <JobActions job={job} />
      {jobError && (jobError.jobId === null || jobError.jobId === job.id) ? (
        <p className="error" role="alert" data-testid="job-error">
          {jobError.message}
        </p>
      ) : null}
      {orphanApprovalError ? (
        <p className="error" role="alert">
          {orphanApprovalError}
        </p>
      ) : null}
      {detail?.error ? (
        <p className="error" role="alert">
          {detail.error}
        </p>
      ) : null}
      {isAgentJob(job) ? null : <PlanAndRecord job={job} steps={detail?.data?.steps ?? []} />}
      <div className="tabs" role="tablist" aria-label="Job views">
        {tabs.map((t, i) => (
          <button
            key={t.key}
            type="button"
            role="tab"
            id={`tab-${t.key}`}
            aria-selected={tab === t.key}
            aria-controls={`panel-${t.key}`}
            tabIndex={tab === t.key ? 0 : -1}
            className={tab === t.key ? 'current' : ''}
            onClick={() => setTab(t.key)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                e.preventDefault();
                const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : -1) + tabs.length) % tabs.length]!;
                setTab(next.key);
                document.getElementById(`tab-${next.key}`)?.focus();
              }
            }}
          >
            {t.title}
            {t.key === 'steps' && detail?.data ? <span className="tab-note">{runSteps(job, detail.data).length}</span> : null}
            {t.key === 'result' && job.resultSummary && job.resultSummary.type !== 'none' ? <span className="tab-note">{job.resultSummary.type}</span> : null}
            {t.key === 'events' && detail?.data ? <span className="tab-note">{detail.data.events.length}</span> : null}
            {t.key === 'attempts' && job.attempt > 1 ? <span className="tab-note">{job.attempt}</span> : null}
          </button>
        ))}
      </div>
      <div className="tab-panel" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'steps' ? <StepsView job={job} detail={detail?.data ?? null} /> : null}
        {tab === 'log' ? <LogPanel job={job} attempt={attempt} onAttempt={(n) => setLogAttempt(n === job.attempt ? null : n)} /> : null}
        {tab === 'result' ? <ResultTab job={job} detail={detail?.data ?? null} /> : null}
        {tab === 'events' ? <EventTrail detail={detail?.data ?? null} /> : null}
        {tab === 'attempts' ? (
          <Attempts
            job={job}
            detail={detail?.data ?? null}
            onLog={(n) => {
              setLogAttempt(n === job.attempt ? null : n);
              setTab('log');
            }}
          />
        ) : null}
      </div>
    </section>
  );
}

function StatusLine({ job }: { job: Job }) {
  const now = useNow();
  const parts: React.ReactNode[] = [];
  if (job.attempt > 1 || job.maxRetries > 0) parts.push(`attempt ${job.attempt || 1} of ${job.maxRetries + 1}`);
  if (isActive(job.status)) {
    if (job.startedAt) parts.push(`running for ${took(job, Math.max(now, job.startedAt))}`);
  } else if (job.finishedAt && job.startedAt) {
    parts.push(`took ${took(job, now)}`);
  }
  if (job.exitCode !== null && isFinished(job.status)) parts.push(`exit ${job.exitCode}`);
  if (job.signal) parts.push(job.signal);
  return (
    <div className="d-status">
      <p className="activity-line" data-testid="activity">
        {job.activity}
      </p>
      <p className="d-facts">
        {isActive(job.status) ? <ProgressBar job={job} wide /> : null}
        {job.progress?.label ? <span className="plabel">{job.progress.label}</span> : null}
        <Eta job={job} spelled />
        {parts.map((p, i) => (
          <span key={i} className="fact">
            {p}
          </span>
        ))}
      </p>
    </div>
  );
}

function Meta({ job, isolation }: { job: Job; isolation: Isolation | null }) {
  const app = useApp();
  return (
    <dl className="meta">
      {job.agent ? (
        <>
          <dt>Agent</dt>
          <dd data-testid="agent">
            <span className="agent-tag">{agentTitle(job.agent.with)}</span>
            {job.agent.model ? (
              <>
                {' '}
                <code>{job.agent.model}</code>
              </>
            ) : null}
          </dd>
          <dt>Task</dt>
          <dd className="task" title={taskOf(job)}>
            {taskOf(job)}
          </dd>
        </>
      ) : (
        <>
          <dt>Command</dt>
          <dd>
            <code className="cmd">{job.command}</code>
          </dd>
        </>
      )}
      <dt>In</dt>
      <dd>
        <code title={job.cwd}>{shortPath(job.cwd)}</code>
      </dd>
      {isolation ? <IsolationRows isolation={isolation} cwd={job.cwd} /> : null}
      {job.labels.length ? (
        <>
          <dt>Labels</dt>
          <dd>
            <Labels labels={job.labels} />
          </dd>
        </>
      ) : null}
      <dt>Priority</dt>
      <dd>{job.priority}</dd>
      {job.after.length ? (
        <>
          <dt>After</dt>
          <dd>
            {job.after.map((d, i) => (
              <span key={d}>
                {i ? ', ' : ''}
                <button type="button" className="link" onClick={() => app.actions.open(d)}>
                  #{d}
                </button>
              </span>
            ))}
          </dd>
        </>
      ) : null}
      <dt>Added</dt>
      <dd>
        <Ago ms={job.createdAt} />
        {job.startedAt ? (
          <>
            {' · started '}
            <Ago ms={job.startedAt} />
          </>
        ) : null}
        {job.finishedAt ? (
          <>
            {' · finished '}
            <Ago ms={job.finishedAt} />
          </>
        ) : null}
      </dd>
    </dl>
  );
}

function JobActions({ job }: { job: Job }) {
  const app = useApp();
  const s = job.status;
  const finished = isFinished(s);
  const cancellable = !finished;
  return (
    <div className="actions" role="toolbar" aria-label={`Actions for job #${job.id}`}>
      {cancellable ? (
        <button type="button" onClick={() => app.store.getState().openDialog({ kind: 'cancel', ids: [job.id] })}>
          Cancel <kbd>c</kbd>
        </button>
      ) : null}
      {finished ? (
        <button type="button" onClick={() => void app.actions.retry([job.id])}>
          Retry <kbd>r</kbd>
        </button>
      ) : null}
      {s === 'queued' ? (
        <button type="button" onClick={() => void app.actions.hold([job.id])}>
          Hold <kbd>h</kbd>
        </button>
      ) : null}
      {s === 'held' ? (
        <button type="button" onClick={() => void app.actions.release([job.id])}>
          Release <kbd>h</kbd>
        </button>
      ) : null}
      {!finished ? (
        <span className="prio-control" role="group" aria-label="Priority">
          <button type="button" aria-label="Lower priority (-)" title="Lower priority (-)" onClick={() => void app.actions.bump(job.id, -1)}>
            −
          </button>
          <button type="button" className="prio-value" title="Set priority (P)" onClick={() => app.store.getState().openDialog({ kind: 'priority', id: job.id })}>
            priority {job.priority}
          </button>
          <button type="button" aria-label="Raise priority (+)" title="Raise priority (+)" onClick={() => void app.actions.bump(job.id, 1)}>
            +
          </button>
        </span>
      ) : null}
    </div>
  );
}

const STEP_MARK: Record<Step['status'], string> = { planned: '○', running: '▸', done: '✓', failed: '✗', skipped: '–' };

function PlanAndRecord({ job, steps }: { job: Job; steps: readonly Step[] }) {
  const now = useNow();
  const ofAttempt = steps.filter((s) => s.attempt === job.attempt);
  // Recorded steps: what ran or was skipped; planned-only rows belong to the plan column.
  const current = ofAttempt.filter((s) => s.status !== 'planned');
  if (!job.plan.length && !current.length) return null;
  const byName = new Map<string, Step>();
  for (const s of ofAttempt) byName.set(s.name, s);
  return (
    <div className="plan-record">
      <section aria-label="Plan">
        <h3>Plan</h3>
        {job.plan.length ? (
          <ol className="steps">
            {job.plan.map((name, i) => {
              const st = byName.get(name)?.status ?? 'planned';
              return (
                <li key={i} className={`step st-${st}`}>
                  <span className="mark" aria-hidden="true">
                    {STEP_MARK[st]}
                  </span>
                  {name}
                  <span className="sr-only"> ({st})</span>
                </li>
              );
            })}
          </ol>
        ) : (
          <p className="muted">No plan declared.</p>
        )}
      </section>
      <section aria-label="Done so far">
        <h3>Done</h3>
        {current.length ? (
          <ol className="steps">
            {current.map((s) => (
              <li key={s.index} className={`step st-${s.status}`}>
                <span className="mark" aria-hidden="true">
                  {STEP_MARK[s.status]}
                </span>
                {s.name}
                <span className="sr-only"> ({s.status})</span>
                {s.startedAt ? <span className="took">{formatDuration(((s.finishedAt ?? Math.max(now, s.startedAt)) - s.startedAt) / 1000)}</span> : null}
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted">Nothing recorded yet.</p>
        )}
      </section>
    </div>
  );
}

function ResultTab({ job, detail }: { job: Job; detail: JobDetail | null }) {
  const earlier = (detail?.attempts ?? []).filter((a) => a.n !== job.attempt && a.result && a.result.type !== 'none');
  return (
    <div className="result-tab">
      {/* lists carry only the summary; the result itself comes with the job's detail */}
      {detail?.result ? (
        <ResultView result={detail.result} name={`job-${job.id}`} apply={<ApplyBar job={job} isolation={detail.isolation} />} />
      ) : (
        <p className="muted">{job.resultSummary ? `Loading the ${job.resultSummary.type}…` : isFinished(job.status) ? 'This attempt left no result.' : 'No result yet; it appears here when the job reports one.'}</p>
      )}
      {earlier.map((a) => (
        <details key={a.n} className="earlier">
          <summary>
            Attempt {a.n}: {a.result!.summary || a.result!.type}
          </summary>
          <ResultView result={a.result!} name={`job-${job.id}-attempt-${a.n}`} />
        </details>
      ))}
    </div>
  );
}

function describeData(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

function EventTrail({ detail }: { detail: JobDetail | null }) {
  if (!detail) return <p className="muted">Reading the event trail.</p>;
  return (
    <table className="events" aria-label="Event trail">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">What</th>
          <th scope="col">By</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {detail.events.map((e) => (
          <tr key={e.id}>
            <td title={exactTime(e.at)}>{clockTime(e.at)}</td>
            <td>{e.type}</td>
            <td>{e.by}</td>
            <td className="ev-data">{describeData(e.data)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Attempts({ job, detail, onLog }: { job: Job; detail: JobDetail | null; onLog: (n: number) => void }) {
  if (!detail) return <p className="muted">Reading attempts.</p>;
  if (!detail.attempts.length) return <p className="muted">Not started yet.</p>;
  return (
    <table className="attempts" aria-label="Attempts">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Took</th>
          <th scope="col">Outcome</th>
          <th scope="col">Log</th>
        </tr>
      </thead>
      <tbody>
        {[...detail.attempts].reverse().map((a) => (
          <tr key={a.n} className={a.n === job.attempt ? 'current' : ''}>
            <td>{a.n}</td>
            <td>
              <Status status={a.status} />
            </td>
            <td>
              <Ago ms={a.startedAt} />
            </td>
            <td>{a.finishedAt ? formatDuration((a.finishedAt - a.startedAt) / 1000) : '–'}</td>
            <td className="ev-data">{a.error ?? a.result?.summary ?? (a.exitCode !== null ? `exit ${a.exitCode}` : '')}</td>
            <td>
              <button type="button" className="link" onClick={() => onLog(a.n)}>
                view log ({a.logBytes} B)
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
