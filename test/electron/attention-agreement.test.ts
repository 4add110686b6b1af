// One meaning of "needs you" and "unread result" on every surface. A real host owns one
// store holding a mix of jobs; then the host's own count, the built CLI, the tray model,
// the window's groups and the notifications are each asked which jobs want a person, and
// all must give the same answer. A surface that re-derives the word (say, counts a result
// of type `none`, or an unread failure someone already read) fails here.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HostEvent } from '../../electron/contract/events';
import { shellQuote } from '../../electron/contract/format';
import type { Job, StatusSummary } from '../../electron/contract/job';
import { attentionOf } from '../../electron/contract/status';
import { type Host, startHost } from '../../electron/host/host';
import { loadMirror, snapshotOf } from '../../electron/main/mirror';
import { type Note, createNotifyMemory, notificationsFor } from '../../electron/main/notifications';
import { type TrayState, badgeCount, trayMenuModel, trayState } from '../../electron/main/tray-model';
import { buildList } from '../../renderer/src/state/derive';
import { createAppStore } from '../../renderer/src/state/store';
import { ROOT } from '../helpers/cli';
import { tempHome } from '../helpers/temp-home';

const CLI = path.join(ROOT, 'out/main/cli.js');
// what a job runs to talk back: the built CLI, found through the ERRAND_HOME its host sets
const ERRAND = shellQuote([process.execPath, CLI]);

let home: string;
let work: string;
let cleanup: () => void;
let host: Host;
const events: HostEvent[] = [];
const notes: Note[] = [];
let memory = createNotifyMemory(0);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The built CLI, run asynchronously: the host lives in this process and must keep serving. */
function errand(args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of ['ERRAND_HOME', 'ERRAND_JOB_ID', 'ERRAND_ATTEMPT']) delete env[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args, '--home', home], { env, cwd: work, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function cliJson<T>(args: string[]): Promise<T> {
  const r = await errand([...args, '--json']);
  if (r.code !== 0) throw new Error(`errand ${args.join(' ')} exited ${r.code}: ${r.stderr || r.stdout}`);
  return JSON.parse(r.stdout) as T;
}

/** Polls the host until a job reaches a status (test helper only). */
async function reach(id: number, status: Job['status'], timeoutMs = 20_000): Promise<Job> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const { job } = await host.call('get', { id });
    if (job.status === status) return job;
    if (Date.now() > end) throw new Error(`#${id} is ${job.status} (${job.activity}), not ${status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const add = async (shell: string, title: string, over: { delayMs?: number } = {}): Promise<number> => (await host.call('add', { command: { shell }, cwd: work, title, ...over })).id;

async function open(): Promise<void> {
  host = await startHost({ home, socket: true, killGraceMs: 500 });
  host.listen((e) => void events.push(e));
  await host.call('setConcurrency', { concurrency: 8 });
}

/** The tray app's notifications, fed every host event since `memory.since`, as the app batches them. */
function notify(): void {
  const jobs = new Map<number, Job>();
  for (const e of events) if (e.type === 'job') jobs.set(e.job.id, e.job);
  notes.push(...notificationsFor(memory, events.splice(0), jobs));
}

const ids = (jobs: readonly Job[], attention: Job['attention']): number[] => jobs.filter((j) => j.attention === attention).map((j) => j.id).sort((a, b) => a - b);
const sorted = (xs: Iterable<number>): number[] => [...new Set(xs)].sort((a, b) => a - b);

interface Expected {
  needs: number[];
  results: number[];
  tray: TrayState;
}

/** Asks every surface which jobs need you and which hold an unread result; all must agree with the host. */
async function agree(want: Expected): Promise<void> {
  // the host: its count and its per-job word
  const status: StatusSummary = await host.call('status', {});
  const all = (await host.call('list', {})).jobs;
  for (const j of all) expect(j.attention, `#${j.id} ${j.status}`).toBe(attentionOf(j.status, j.unread, j.resultSummary?.type ?? null));
  const needs = ids(all, 'needs-you');
  const results = ids(all, 'unread-result');
  expect({ needs, results }).toEqual({ needs: want.needs, results: want.results }); // the mix is what the test built
  expect(status.attention).toEqual({ needsYou: needs.length, unreadResults: results.length });

  // the CLI: errand status (JSON and the line), errand ls --json
  const cliStatus = await cliJson<StatusSummary>(['status']);
  expect(cliStatus.attention).toEqual(status.attention);
  const line = await errand(['status']);
  expect(line.stdout.trim()).toBe(status.line);
  expect(status.line).toContain(`${needs.length} needs you`);
  const listed = await cliJson<Job[]>(['ls']);
  expect({ needs: ids(listed, 'needs-you'), results: ids(listed, 'unread-result') }).toEqual({ needs, results });

  // the tray: filled the way the app fills it, then badge, icon and the "Needs you" section
  const tray = snapshotOf(await loadMirror(host));
  expect(badgeCount(tray)).toBe(needs.length + results.length);
  expect(trayState(tray.status)).toBe(want.tray);
  const menu = trayMenuModel(tray, Date.now(), { perSection: 1000 }).entries;
  const start = menu.findIndex((e) => e.kind === 'header' && e.label === 'Needs you');
  const end = menu.findIndex((e, i) => i > start && (e.kind === 'header' || e.kind === 'separator'));
  const trayNeeds = menu.slice(start + 1, end).flatMap((e) => (e.kind === 'item' && e.action.type === 'open-job' ? [e.action.id] : []));
  expect(start).toBeGreaterThan(-1);
  expect(sorted(trayNeeds)).toEqual(needs);

  // the window: the snapshot and its pages into the store, then groups and sidebar counts
  const store = createAppStore();
  const snap = await host.call('snapshot', {});
  store.getState().sync(snap);
  for (let cursor = snap.cursor; cursor; ) {
    const page = await host.call('snapshotPage', { cursor });
    store.getState().upsertJobs(page.jobs);
    cursor = page.cursor;
  }
  const s = store.getState();
  const model = buildList(s.jobs, s.approvals, 'all', { text: '', label: null });
  const windowNeeds = model.rows.flatMap((r) => (r.kind === 'job' && r.group === 'needs' ? [r.id] : []));
  expect(sorted(windowNeeds)).toEqual(needs);
  expect(model.counts.needs).toBe(needs.length);
  expect(buildList(s.jobs, s.approvals, 'needs', { text: '', label: null }).ids.slice().sort((a, b) => a - b)).toEqual(needs);
  expect(s.status?.line).toBe(status.line);

  // notifications: every event since the app "started"; a note says what it asks of you
  notify();
  expect(sorted(notes.flatMap((n) => (n.attention === 'needs-you' && n.open.type === 'open-job' ? [n.open.id] : [])))).toEqual(needs);
  expect(sorted(notes.flatMap((n) => (n.attention === 'unread-result' && n.open.type === 'open-job' ? [n.open.id] : [])))).toEqual(results);
}

beforeAll(() => {
  ({ home, cleanup } = tempHome('errand-attention-'));
  work = path.join(home, 'work');
  fs.mkdirSync(work);
  if (!fs.existsSync(CLI)) throw new Error(`no built CLI at ${CLI}: run npx electron-vite build`);
});

afterAll(async () => {
  await host?.close();
  cleanup();
});

describe('attention: one meaning on every surface', () => {
  test('host, CLI, tray, window and notifications agree on who needs you and which results are unread', async () => {
    // Before the tray app "starts": a report and a failure, both read since, and a job
    // that is running when the host shuts down (it becomes interrupted, unread).
    await open();
    const readReport = await add(`printf '# Read already\\n' > r1.md && ${ERRAND} result --report r1.md`, 'read report');
    const readFailure = await add('exit 2', 'read failure');
    await reach(readReport, 'succeeded');
    await reach(readFailure, 'failed');
    await host.call('markRead', { ids: [readReport, readFailure] });
    const interrupted = await add('sleep 30', 'cut short');
    await reach(interrupted, 'running');
    events.length = 0;
    memory = createNotifyMemory(Date.now());
    await host.close();
    // the same store, a new host: the interrupted job is still there, unread
    await open();
    expect((await host.call('get', { id: interrupted })).job.status).toBe('interrupted');

    const failed = await add('echo boom; exit 3', 'unread failure');
    const report = await add(`printf '# Findings\\n\\nall good\\n' > r2.md && ${ERRAND} result --report r2.md`, 'unread report');
    // a result of type `none` is not worth a look: it must not count anywhere
    const none = await add('while [ ! -e go ]; do sleep 0.05; done', 'none result');
    const plain = await add('true', 'no result');
    const readPlain = await add('true', 'no result, read');
    const running = await add('sleep 30', 'still running');
    const held = await add('true', 'held', { delayMs: 3_600_000 });
    const cancelled = await add('sleep 30', 'cancelled');
    const noneJob = await reach(none, 'running');
    await host.call('jobResult', { jobId: none, attempt: noneJob.attempt, result: { type: 'none', summary: 'nothing to show' } });
    fs.writeFileSync(path.join(work, 'go'), '');
    await host.call('hold', { ids: [held] });
    await reach(cancelled, 'running');
    await host.call('cancel', { ids: [cancelled] });
    await Promise.all([reach(failed, 'failed'), reach(report, 'succeeded'), reach(none, 'succeeded'), reach(plain, 'succeeded'), reach(readPlain, 'succeeded'), reach(running, 'running'), reach(cancelled, 'cancelled')]);
    await host.call('markRead', { ids: [readPlain] });
    expect((await host.call('get', { id: none })).job.resultSummary?.type).toBe('none');

    // nothing waits yet: the unread failures make the tray's "failed" mark
    await agree({ needs: [interrupted, failed], results: [report], tray: 'failed' });

    // a job asks a question through the CLI, as a real one would
    const asking = await add(`${ERRAND} ask 'Deploy preview to staging?' && echo deployed`, 'asks');
    await reach(asking, 'waiting');
    await agree({ needs: [interrupted, failed, asking], results: [report], tray: 'needs-you' });
  }, 120_000);
});
