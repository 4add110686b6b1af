import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Isolation, Job, JobDetail, Step } from '../../../electron/contract/job';
import { isActive, isFinished } from '../../../electron/contract/status';
import { agentTitle, TOOL_WORD } from '../ui/agents';
import { useNow } from '../ui/context';
import { asUnifiedDiff } from '../ui/diff';
import { formatCost, formatDuration, formatEta, formatTokens, shortPath } from '../ui/format';
import { PatchView } from './result';
import { ToolIcon } from './tool-icon';

const STEP_MARK: Record<Step['status'], string> = { planned: '○', running: '▸', done: '✓', failed: '✗', skipped: '–' };
const STEP_WORD: Record<Step['status'], string> = { planned: 'planned', running: 'running', done: 'done', failed: 'failed', skipped: 'skipped' };

/** The shared clock, plus a 1 s tick while `active` (a running step's time) and the page is visible. */
export function useTicker(active: boolean, ms = 1000): number {
  const base = useNow();
  const [t, setT] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setT(Date.now());
    const id = setInterval(() => {
      if (typeof document === 'undefined' || document.visibilityState !== 'hidden') setT(Date.now());
    }, ms);
    return () => clearInterval(id);
  }, [active, ms]);
  return Math.max(base, t);
}

// A running job's axis grows in steps (10s, 30s, 1m, 2m, …) so the bars rescale now and
// then rather than every second.
const NICE_SPANS_S = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];
export function niceSpanMs(ms: number): number {
  const s = ms / 1000;
  for (const n of NICE_SPANS_S) if (s <= n) return n * 1000;
  return Math.ceil(s / 86400) * 86400 * 1000;
}

/**
 * The current attempt's recorded steps, in the order they began: the tool calls, and any
 * other step that is not an item of the plan (those are ticked off in the plan beside).
 */
export function runSteps(job: Job, detail: JobDetail | null): Step[] {
  const plan = new Set(job.plan);
  return (detail?.steps ?? []).filter((s) => s.attempt === job.attempt && s.status !== 'planned' && (s.tool !== null || !plan.has(s.name))).sort((a, b) => a.index - b.index);
}

/** An agent job's steps as a timeline, with the agent, its model and what it has used beside it. */
export function StepsView({ job, detail }: { job: Job; detail: JobDetail | null }) {
  const steps = useMemo(() => runSteps(job, detail), [job, detail]);
  return (
    <div className="steps-view">
      <Timeline job={job} steps={steps} loading={detail === null} />
      <AgentFacts job={job} allSteps={detail?.steps ?? []} />
    </div>
  );
}

function Timeline({ job, steps, loading }: { job: Job; steps: readonly Step[]; loading: boolean }) {
  const live = isActive(job.status);
  const hasRunning = steps.some((s) => s.status === 'running');
  const now = useTicker(live && hasRunning);
  const scrollRef = useRef<HTMLOListElement>(null);
  const [follow, setFollow] = useState(true);

  const firstStart = steps.find((s) => s.startedAt !== null)?.startedAt ?? null;
  const start = Math.min(job.startedAt ?? Infinity, firstStart ?? Infinity);
  const end = isFinished(job.status) && job.finishedAt ? job.finishedAt : Math.max(now, ...steps.map((s) => s.finishedAt ?? s.startedAt ?? 0));
  const known = Number.isFinite(start);
  const elapsed = known ? Math.max(1, end - start) : 1;
  const span = live ? niceSpanMs(elapsed) : elapsed;

  // Follow the newest step (the running one, at the bottom) unless the reader scrolled up.
  const last = steps.at(-1);
  const lastKey = last ? `${steps.length}:${last.status}` : '0';
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [follow, lastKey]);
  useEffect(() => {
    const onFollow = (): void => setFollow((f) => !f);
    window.addEventListener('errand:log-follow', onFollow);
    return () => window.removeEventListener('errand:log-follow', onFollow);
  }, []);
  const stopFollowing = useCallback(() => setFollow(false), []);
  const onScroll = (): void => {
    const el = scrollRef.current;
    if (!el) return;
    const atBottom = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
    if (atBottom !== follow) setFollow(atBottom);
  };

  const failed = steps.filter((s) => s.status === 'failed').length;
  return (
    <section className="timeline" aria-label="Steps">
      <div className="tl-head">
        <span className="muted">
          {steps.length ? `${steps.length} ${steps.length === 1 ? 'step' : 'steps'}` : ''}
          {failed ? ` · ${failed} failed` : ''}
        </span>
        <span className="spacer" />
        {known && steps.length ? (
          <span className="tl-scale muted" title="The bars share one time axis: the whole run so far">
            0 – {formatDuration(span / 1000)}
          </span>
        ) : null}
        <button type="button" aria-pressed={follow} className={follow ? 'on' : ''} onClick={() => setFollow((f) => !f)} title="Keep the newest step in view (f)">
          Follow <kbd>f</kbd>
        </button>
      </div>
      {steps.length ? (
        <ol ref={scrollRef} className="tl-rows" onScroll={onScroll} data-testid="timeline">
          {steps.map((s) => (
            <StepRow
              key={`${s.attempt}:${s.index}`}
              step={s}
              start={start}
              span={span}
              now={now}
              // reading an earlier step: the newest no longer pulls the view away from it
              onOpen={s === last ? undefined : stopFollowing}
            />
          ))}
        </ol>
      ) : (
        <p className="muted tl-none">
          {loading ? 'Reading the steps.' : job.status === 'queued' || job.status === 'held' ? 'Not started yet.' : live ? 'No tool call yet.' : 'No tool calls were recorded.'}
        </p>
      )}
    </section>
  );
}

interface StepRowProps {
  step: Step;
  start: number;
  span: number;
  now: number;
  onOpen?: (() => void) | undefined;
}

const sameStep = (a: Step, b: Step): boolean =>
  a.index === b.index && a.attempt === b.attempt && a.status === b.status && a.name === b.name && a.startedAt === b.startedAt && a.finishedAt === b.finishedAt && a.tool === b.tool && a.detail === b.detail;

/**
 * A row re-renders when its step changes, the axis moves, or (running) the clock ticks:
 * a long run's hundreds of rows stay put while the detail is re-read.
 */
const StepRow = memo(StepRowView, (a: StepRowProps, b: StepRowProps) => a.start === b.start && a.span === b.span && a.onOpen === b.onOpen && sameStep(a.step, b.step) && (a.step.status !== 'running' || a.now === b.now));

function StepRowView({ step, start, span, now, onOpen }: StepRowProps) {
  const [open, setOpen] = useState(false);
  const s0 = step.startedAt;
  const s1 = step.finishedAt ?? (step.status === 'running' && s0 !== null ? Math.max(now, s0) : s0);
  const ms = s0 !== null && s1 !== null ? Math.max(0, s1 - s0) : null;
  const left = s0 !== null && Number.isFinite(start) ? Math.min(1, Math.max(0, (s0 - start) / span)) : 0;
  const width = ms !== null ? Math.min(1 - left, ms / span) : 0;
  const took = ms === null ? '' : ms < 1000 && step.status !== 'running' ? '<1s' : formatDuration(ms / 1000);
  const kind = step.tool ? TOOL_WORD[step.tool] : 'step';
  const id = `step-${step.attempt}-${step.index}`;
  const body = (
    <>
      <span className={`tl-mark`} aria-hidden="true">
        {STEP_MARK[step.status]}
      </span>
      <ToolIcon kind={step.tool} />
      <span className="tl-name">{step.name}</span>
      <span className="sr-only">
        {' '}
        ({kind}, {STEP_WORD[step.status]}
        {took ? `, ${took}` : ''})
      </span>
      <span className="tl-track" aria-hidden="true">
        {ms !== null ? <span className="tl-bar" style={{ left: `${left * 100}%`, width: `max(2px, ${width * 100}%)` }} /> : null}
      </span>
      <span className="tl-took" aria-hidden="true">
        {took}
      </span>
    </>
  );
  return (
    <li className={`tl-row st-${step.status}${step.tool ? ` tool-${step.tool}` : ''}${open ? ' open' : ''}`}>
      {step.detail ? (
        <button type="button" className="tl-main" aria-expanded={open} aria-controls={id} onClick={() => {
            if (!open) onOpen?.();
            setOpen(!open);
          }} title={step.detail.length > 300 ? undefined : step.detail}>
          {body}
        </button>
      ) : (
        <div className="tl-main">{body}</div>
      )}
      {open && step.detail ? (
        <div id={id} className="tl-detail">
          <StepDetail step={step} />
        </div>
      ) : null}
    </li>
  );
}

/** What a tool call was given: a diff drawn like the patch view, a command in monospace, else the text. */
function StepDetail({ step }: { step: Step }) {
  const text = step.detail ?? '';
  const path = step.name.replace(/^\S+\s+/, '').trim() || 'file';
  const diff = step.tool === 'edit' || step.tool === null || step.tool === 'other' ? asUnifiedDiff(text, path) : null;
  if (diff) return <PatchView patch={diff} name={`step-${step.index}`} tools={false} />;
  if (step.tool === 'run') {
    return (
      <pre className="tl-cmd">
        <span className="prompt" aria-hidden="true">
          ${' '}
        </span>
        {text}
      </pre>
    );
  }
  return <pre className="tl-text">{text}</pre>;
}

/** Beside the timeline: which agent and model, the tokens it used, its cost and time left. */
function AgentFacts({ job, allSteps }: { job: Job; allSteps: readonly Step[] }) {
  const live = isActive(job.status);
  const now = useNow();
  const a = job.agent;
  const u = a?.usage ?? null;
  const planStatus = new Map<string, Step['status']>();
  for (const s of allSteps) if (s.attempt === job.attempt) planStatus.set(s.name, s.status);
  // the time budget: what is left of the job's limit while it runs, the limit itself after
  let budget: { term: string; text: string } | null = null;
  if (job.timeoutMs !== null) {
    const limit = formatDuration(job.timeoutMs / 1000);
    if (live && job.startedAt !== null) budget = { term: 'Time left', text: `${formatEta(Math.max(0, job.timeoutMs - (Math.max(now, job.startedAt) - job.startedAt)) / 1000)} of ${limit}` };
    else budget = { term: 'Time limit', text: limit };
  }
  return (
    <aside className="agent-facts" aria-label="Agent">
      <dl>
        <dt>Agent</dt>
        <dd>{a ? agentTitle(a.with) : 'not an agent'}</dd>
        <dt>Model</dt>
        <dd>{a?.model ? <code>{a.model}</code> : <span className="muted">its default</span>}</dd>
        <dt>Tokens</dt>
        <dd data-testid="usage">
          {u ? (
            <span className="tokens">
              <span title={`${u.inputTokens.toLocaleString()} input tokens`}>{formatTokens(u.inputTokens)} in</span>
              <span title={`${u.outputTokens.toLocaleString()} output tokens`}>{formatTokens(u.outputTokens)} out</span>
              {u.cachedTokens !== null ? <span title={`${u.cachedTokens.toLocaleString()} of the input tokens were cached`}>{formatTokens(u.cachedTokens)} cached</span> : null}
            </span>
          ) : (
            <span className="muted">none reported{live ? ' yet' : ''}</span>
          )}
        </dd>
        {u?.costUsd !== null && u?.costUsd !== undefined ? (
          <>
            <dt>Cost</dt>
            <dd title={`$${u.costUsd}`}>{formatCost(u.costUsd)}</dd>
          </>
        ) : null}
        {budget ? (
          <>
            <dt>{budget.term}</dt>
            <dd>{budget.text}</dd>
          </>
        ) : null}
      </dl>
      {job.plan.length ? (
        <section className="agent-plan" aria-label="Plan">
          <h4>Plan</h4>
          <ol className="steps">
            {job.plan.map((name, i) => {
              const st = planStatus.get(name) ?? 'planned';
              return (
                <li key={i} className={`step st-${st}`}>
                  <span className="mark" aria-hidden="true">
                    {STEP_MARK[st]}
                  </span>
                  <span className="step-name">{name}</span>
                  <span className="sr-only"> ({st})</span>
                </li>
              );
            })}
          </ol>
        </section>
      ) : null}
    </aside>
  );
}

/** Where an isolated job runs: its branch, base commit and worktree; and whether the person's uncommitted changes were left out. */
export function IsolationRows({ isolation, cwd }: { isolation: Isolation; cwd: string }) {
  return (
    <>
      <dt>Worktree</dt>
      <dd className="isolation" data-testid="isolation">
        <code>{isolation.branch}</code> from <code title={isolation.base}>{isolation.base.slice(0, 7)}</code>
        {isolation.repo !== cwd ? (
          <>
            {' of '}
            <code title={isolation.repo}>{shortPath(isolation.repo)}</code>
          </>
        ) : null}
        {' · '}
        <code className="wt-path" title={isolation.worktree}>
          {shortPath(isolation.worktree)}
        </code>
      </dd>
      {isolation.leftOutChanges ? (
        <dd className="left-out" role="note">
          Your uncommitted changes were not included: the job started from the last commit.
        </dd>
      ) : null}
    </>
  );
}
