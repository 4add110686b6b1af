import { readFileSync } from 'node:fs';
import type { Input } from '../../contract/api';
import { ErrandError } from '../../contract/errors';
import { MAX_FRAME_BYTES } from '../../contract/protocol';
import { formatAgo, parseDuration } from '../../contract/format';
import { type Globals, parseId, parseIntArg, print, printJson, withClient } from '../context';
import { jobSummary, painter, statusText, useColor } from '../output';

interface AddOptions {
  title?: string;
  cwd?: string;
  priority: string;
  after?: string;
  label: string[];
  retries: string;
  timeout?: string;
  delay?: string;
  restartable?: boolean;
  patch?: boolean;
  isolate?: string;
  shell?: boolean;
  plan?: string;
  json?: boolean;
}

function duration(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === null) throw new ErrandError('invalid_input', `${field} must be a duration like 30s, 5m or 2h, not '${text}'.`, field);
  return ms;
}

/** A single argument with spaces or shell syntax is a shell line; otherwise argv runs as is. */
export function commandSpec(cmd: string[], forceShell = false): Input<'add'>['command'] {
  if (!cmd.length || (cmd.length === 1 && !cmd[0]!.trim())) throw new ErrandError('invalid_input', 'No command given. Usage: errand add [options] -- CMD [ARG...]', 'command');
  if (forceShell) return { shell: cmd.join(' ') };
  if (cmd.length === 1 && /[\s|&;<>()$`*?"'\\]/.test(cmd[0]!)) return { shell: cmd[0]! };
  return { argv: cmd };
}

const ISOLATE = ['auto', 'worktree', 'none'] as const;

export function addInput(cmd: string[], o: AddOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Input<'add'> {
  if (o.isolate !== undefined && !(ISOLATE as readonly string[]).includes(o.isolate)) throw new ErrandError('invalid_input', `--isolate must be auto, worktree or none, not '${o.isolate}'.`, 'isolate');
  // The job runs with the environment it was added from, as if typed here, minus the
  // variables that would tie it to an enclosing job.
  const jobEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && !e[0].startsWith('ERRAND_')));
  return {
    title: o.title,
    command: commandSpec(cmd, o.shell),
    cwd: o.cwd ?? cwd,
    env: jobEnv,
    priority: parseIntArg(o.priority, 'priority'),
    after: o.after ? o.after.split(',').filter(Boolean).map((s) => parseId(s, 'after')) : [],
    labels: o.label,
    retries: parseIntArg(o.retries, 'retries'),
    timeoutMs: duration(o.timeout, 'timeout'),
    delayMs: duration(o.delay, 'delay'),
    restartable: Boolean(o.restartable),
    capturePatch: Boolean(o.patch),
    isolate: (o.isolate as (typeof ISOLATE)[number] | undefined) ?? 'auto',
    plan: o.plan ? o.plan.split(',').map((s) => s.trim()).filter(Boolean) : [],
  };
}

export async function add(g: Globals, cmd: string[], o: AddOptions): Promise<void> {
  const input = addInput(cmd, o);
  const job = await withClient(g, (c) => c.call('add', input));
  if (o.json) printJson(job);
  else print(String(job.id));
}

export async function batch(g: Globals, file: string, o: { cwd?: string; priority: string; label: string[]; retries: string }): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new ErrandError('invalid_input', `Cannot read ${file === '-' ? 'stdin' : file}: ${(e as Error).message}`, 'file');
  }
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (!lines.length) throw new ErrandError('invalid_input', `No commands in ${file === '-' ? 'stdin' : file}: give one shell line per job.`, 'file');
  const jobs = lines.map((line) => ({ ...addInput([line], { ...o, shell: true }), title: line.slice(0, 120) }));
  const ids = await withClient(g, async (c) => {
    const out: number[] = [];
    for (const chunk of chunks(jobs)) out.push(...(await c.call('addMany', { jobs: chunk })).ids);
    return out;
  });
  print(ids.join('\n'));
}

/**
 * Batches of at most 500 jobs and about a quarter of the frame cap: every job carries its
 * environment, which can be large, and a frame over the cap is refused.
 */
function* chunks<T>(items: T[], maxBytes = MAX_FRAME_BYTES / 4): Generator<T[]> {
  let chunk: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = JSON.stringify(item).length;
    if (chunk.length && (chunk.length === 500 || bytes + size > maxBytes)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(item);
    bytes += size;
  }
  if (chunk.length) yield chunk;
}

export async function show(g: Globals, idText: string, o: { json?: boolean }): Promise<void> {
  const id = parseId(idText);
  const detail = await withClient(g, async (c) => {
    const d = await c.call('get', { id });
    if (d.job.unread) await c.call('markRead', { ids: [id] });
    return d;
  });
  if (o.json) return printJson(detail);
  const paint = painter(useColor());
  const out = [jobSummary(detail.job, paint)];
  const iso = detail.isolation;
  if (iso) {
    out.push('', paint('bold', 'Worktree'), `  branch    ${iso.branch} (from ${iso.base.slice(0, 12)})`, `  worktree  ${iso.worktree}`, `  repo      ${iso.repo}`);
    if (iso.leftOutChanges) out.push(`  ${paint('yellow', 'your uncommitted changes were not included')}`);
  }
  const attempt = detail.job.attempt;
  const steps = detail.steps.filter((s) => s.attempt === attempt);
  if (detail.job.plan.length || steps.length) {
    out.push('', paint('bold', 'Plan / steps'));
    const recorded = new Map(steps.map((s) => [s.name, s]));
    const mark = { planned: '○', running: '▸', done: '✓', failed: '✗', skipped: '–' } as const;
    for (const name of detail.job.plan) out.push(`  ${mark[recorded.get(name)?.status ?? 'planned']} ${name}`);
    for (const s of steps) if (!detail.job.plan.includes(s.name)) out.push(`  ${mark[s.status]} ${s.name} ${paint('dim', '(unplanned)')}`);
  }
  const open = detail.approvals.find((a) => a.decision === null);
  if (open) out.push('', paint('magenta', `Needs you: ${open.question}`), `  errand approve ${id}   ·   errand deny ${id}`);
  if (detail.attempts.length > 1) {
    out.push('', paint('bold', 'Attempts'));
    for (const a of detail.attempts) out.push(`  ${a.n}  ${statusText(a.status, paint)}  ${a.error ?? ''}  ${paint('dim', `errand logs ${id} --attempt ${a.n}`)}`);
  }
  out.push('', paint('bold', 'Events'));
  const now = Date.now();
  for (const e of detail.events.slice(-15)) {
    const data = Object.entries(e.data)
      .filter(([k]) => k !== 'from' && k !== 'to')
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    out.push(`  ${paint('dim', formatAgo(e.at, now).padEnd(11))} ${e.type} ${paint('dim', `by ${e.by}`)} ${data}`.trimEnd());
  }
  print(out.join('\n'));
}

type Bulk = 'cancel' | 'retry' | 'hold' | 'release';
const DONE: Record<Bulk, string> = { cancel: 'cancelled', retry: 'queued again', hold: 'held', release: 'released' };

export async function bulk(g: Globals, method: Bulk, idTexts: string[], o: { json?: boolean }): Promise<void> {
  const ids = idTexts.map((t) => parseId(t, 'ids'));
  const { jobs } = await withClient(g, (c) => c.call(method, { ids }));
  if (o.json) return printJson(jobs);
  for (const j of jobs) print(`#${j.id} ${DONE[method]}${method === 'retry' ? ` (attempt ${j.attempt + 1} next)` : ''}`);
}

export async function prio(g: Globals, idText: string, p: string): Promise<void> {
  const job = await withClient(g, (c) => c.call('prioritise', { id: parseId(idText), priority: parseIntArg(p, 'priority') }));
  print(`#${job.id} priority ${job.priority}`);
}

export async function queue(g: Globals, method: 'pause' | 'resume'): Promise<void> {
  const q = await withClient(g, (c) => c.call(method, {}));
  print(q.paused ? `queue paused (${q.running} running go on; nothing new starts)` : `queue running (${q.concurrency} at a time)`);
}

export async function parallel(g: Globals, n: string | undefined): Promise<void> {
  const q = await withClient(g, (c) => (n === undefined ? c.call('queue', {}) : c.call('setConcurrency', { concurrency: parseIntArg(n, 'concurrency') })));
  print(`${q.concurrency} at a time${q.paused ? ' (queue paused)' : ''}`);
}

export async function decide(g: Globals, verb: 'approve' | 'deny', idText: string, o: { note?: string; forJob?: boolean; json?: boolean }): Promise<void> {
  const id = parseId(idText);
  const a = await withClient(g, (c) => (verb === 'approve' ? c.call('approve', { id, note: o.note, scope: o.forJob ? 'job' : 'once' }) : c.call('deny', { id, note: o.note })));
  if (o.json) return printJson(a);
  print(`#${a.jobId} ${a.decision}: ${a.question}`);
}

export async function result(g: Globals, idText: string, o: { attempt?: string; json?: boolean }): Promise<void> {
  const id = parseId(idText);
  const r = await withClient(g, (c) => c.call('result', { id, attempt: o.attempt ? parseIntArg(o.attempt, 'attempt') : undefined }));
  if (o.json) return printJson(r.result);
  const res = r.result;
  if (!res) throw new ErrandError('not_found', `Job #${id} has no result${o.attempt ? ` for attempt ${o.attempt}` : ''} yet. errand show ${id} says where it is.`);
  switch (res.type) {
    case 'patch':
      return void process.stdout.write(res.patch);
    case 'report':
      return print(res.markdown);
    case 'json':
      return printJson(res.value);
    case 'files':
      return print(res.files.join('\n'));
    case 'none':
      return print(res.summary);
  }
}

/** Applies a job's patch through the host, which says how it went: applied, already there, or (exit 1) the conflict in git's words. */
export async function apply(g: Globals, idText: string, o: { json?: boolean } = {}): Promise<void> {
  const out = await withClient(g, (c) => c.call('apply', { id: parseId(idText) }));
  if (o.json) printJson(out);
  else print(out.message);
}

export async function rm(g: Globals, idTexts: string[]): Promise<void> {
  const { removed } = await withClient(g, (c) => c.call('remove', { ids: idTexts.map((t) => parseId(t, 'ids')) }));
  print(`removed ${removed.map((i) => `#${i}`).join(', ')}`);
}

export async function clean(g: Globals, o: { olderThan?: string }): Promise<void> {
  const olderThanMs = duration(o.olderThan, 'older-than') ?? 0;
  const { removed } = await withClient(g, (c) => c.call('clean', { olderThanMs }));
  print(removed.length ? `removed ${removed.length} finished job${removed.length === 1 ? '' : 's'}` : 'nothing to clean');
}

export async function status(g: Globals, o: { json?: boolean }): Promise<void> {
  const s = await withClient(g, (c) => c.call('status', {}));
  if (o.json) printJson(s);
  else print(s.line);
}

export async function shutdown(g: Globals): Promise<void> {
  const { client } = await import('../context');
  let c;
  try {
    c = await client(g, { start: false });
  } catch {
    return print('no host running');
  }
  await c.call('shutdown', {});
  await c.closed;
  print('host stopped');
}
