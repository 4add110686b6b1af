import fs from 'node:fs';
import type { Input } from '../../contract/api';
import { ErrandError } from '../../contract/errors';
import { type Globals, withClient } from '../context';

interface JobRef {
  jobId: number;
  attempt: number;
  home: string;
}

/** The job this process runs in, from the variables the host sets for it. */
export function currentJob(env: NodeJS.ProcessEnv = process.env): JobRef {
  const jobId = Number(env.ERRAND_JOB_ID);
  const attempt = Number(env.ERRAND_ATTEMPT ?? '1');
  if (!Number.isSafeInteger(jobId) || jobId < 1) {
    throw new ErrandError('invalid_input', 'This command works inside an Errand job (ERRAND_JOB_ID is not set). Run it from a job started with errand add.', 'ERRAND_JOB_ID');
  }
  return { jobId, attempt, home: env.ERRAND_HOME ?? '' };
}

const jobGlobals = (g: Globals, ref: JobRef): Globals => ({ home: g.home ?? (ref.home || undefined) });

/** "3/10" → {done 3, total 10}; "42" → {done 42, total null}. */
export function parseProgress(text: string): { done: number; total: number | null } {
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(text.trim());
  if (!m || (m[2] !== undefined && Number(m[2]) <= 0)) throw new ErrandError('invalid_input', `Progress must look like N/M or N (e.g. 3/10), not '${text}'.`, 'progress');
  return { done: Number(m[1]), total: m[2] === undefined ? null : Number(m[2]) };
}

export async function progress(g: Globals, nm: string, label: string[], o: { unit?: string }): Promise<void> {
  const ref = currentJob();
  const p = parseProgress(nm);
  await withClient(jobGlobals(g, ref), (c) => c.call('jobProgress', { jobId: ref.jobId, attempt: ref.attempt, ...p, unit: o.unit ?? null, label: label.join(' ') || null }));
}

export async function step(g: Globals, name: string[], o: { status?: 'done' | 'failed' | 'skipped' }): Promise<void> {
  const ref = currentJob();
  await withClient(jobGlobals(g, ref), (c) => c.call('jobStep', { jobId: ref.jobId, attempt: ref.attempt, name: name.join(' '), status: o.status ?? 'running' }));
}

export async function plan(g: Globals, steps: string[]): Promise<void> {
  const ref = currentJob();
  const list = steps.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  await withClient(jobGlobals(g, ref), (c) => c.call('jobPlan', { jobId: ref.jobId, attempt: ref.attempt, steps: list }));
}

function readInput(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new ErrandError('invalid_input', `Cannot read ${file === '-' ? 'stdin' : file}: ${(e as Error).message}`, 'file');
  }
}

/** Blocks until a person decides. Exit 0 approved, 1 denied, 3 when the question expired. */
export async function ask(g: Globals, question: string[], o: { context?: string }): Promise<void> {
  const ref = currentJob();
  const context = o.context ? readInput(o.context) : undefined;
  const d = await withClient(jobGlobals(g, ref), async (c) => {
    const { approvalId } = await c.call('jobAsk', { jobId: ref.jobId, attempt: ref.attempt, question: question.join(' '), context });
    return c.call('awaitDecision', { approvalId });
  });
  process.stderr.write(`errand: ${d.decision}${d.note ? `: ${d.note}` : ''}\n`);
  process.exitCode = d.decision === 'approved' ? 0 : d.decision === 'denied' ? 1 : 3;
}

export async function setResult(g: Globals, o: { json?: string; report?: string; patch?: string; files?: string[]; summary?: string }): Promise<void> {
  const ref = currentJob();
  const given = [o.json, o.report, o.patch, o.files].filter((x) => x !== undefined).length;
  if (given !== 1) throw new ErrandError('invalid_input', 'Give exactly one of --json FILE, --report FILE, --patch FILE or --files PATH...', 'result');
  let result: Input<'jobResult'>['result'];
  if (o.json !== undefined) {
    let value: unknown;
    try {
      value = JSON.parse(readInput(o.json));
    } catch (e) {
      if (e instanceof ErrandError) throw e;
      throw new ErrandError('invalid_input', `${o.json} is not valid JSON: ${(e as Error).message}`, 'json');
    }
    result = { type: 'json', summary: o.summary ?? 'JSON payload', value };
  } else if (o.report !== undefined) {
    const markdown = readInput(o.report);
    result = { type: 'report', summary: o.summary ?? (markdown.split('\n').find((l) => l.trim())?.replace(/^#+\s*/, '').slice(0, 200) || 'report'), markdown };
  } else if (o.patch !== undefined) {
    const patch = readInput(o.patch);
    const files = patch.match(/^diff --git /gm)?.length ?? 0;
    result = { type: 'patch', summary: o.summary ?? `${files} file${files === 1 ? '' : 's'} changed`, patch };
  } else {
    result = { type: 'files', summary: o.summary ?? `${o.files!.length} file${o.files!.length === 1 ? '' : 's'}`, files: o.files! };
  }
  await withClient(jobGlobals(g, ref), (c) => c.call('jobResult', { jobId: ref.jobId, attempt: ref.attempt, result }));
}
