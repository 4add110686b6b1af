import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Job, JobDetail, StatusSummary } from '../../../electron/contract/job';
import { alive, errand, errandAsync, hostPid, json, stopHost } from '../../helpers/cli';
import { tempHome, until } from '../../helpers/temp-home';

// Black-box: the built `errand` against a real host it starts itself in a temp ERRAND_HOME.

let home: string;
let cleanup: () => void;

const jobs = (): Job[] => json<Job[]>(errand(home, ['ls', '--json']));
const job = (id: number): Job => json<JobDetail>(errand(home, ['show', String(id), '--json'])).job;
const add = (...args: string[]): number => {
  const r = errand(home, ['add', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return Number(r.stdout.trim());
};
const waitStatus = (id: number, status: Job['status']): Promise<Job> => until(() => (job(id).status === status ? job(id) : undefined), 20_000, `#${id} ${status}`);

beforeAll(() => {
  ({ home, cleanup } = tempHome('errand-cli-'));
});
afterAll(() => {
  stopHost(home);
  cleanup();
});

describe('errand CLI against a real host', () => {
  test('add starts a host in the background, prints the id; wait, ls, show and logs report it', () => {
    const id = add('--title', 'greet', '--', 'sh', '-c', "printf 'hello\\nworld\\n'");
    expect(id).toBeGreaterThan(0);
    expect(hostPid(home)).not.toBeNull();
    const w = errand(home, ['wait', String(id)]);
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(new RegExp(`#${id} succeeded: done in`));
    const listed = jobs().find((j) => j.id === id)!;
    expect(listed).toMatchObject({ title: 'greet', status: 'succeeded', exitCode: 0, kind: 'command' });
    const ls = errand(home, ['ls']);
    expect(ls.stdout).toMatch(/ID\s+STATUS\s+TITLE/);
    expect(ls.stdout).toMatch(new RegExp(`#${id}\\s+succeeded\\s+greet`));
    expect(errand(home, ['logs', String(id)]).stdout).toBe('hello\nworld\n');
    const show = errand(home, ['show', String(id)]);
    expect(show.stdout).toMatch(/status\s+succeeded/);
    expect(show.stdout).toMatch(/started by scheduler/);
  });

  test('logs -f follows a running job to its end, byte for byte', async () => {
    const id = add('--', 'sh', '-c', 'for i in 1 2 3 4 5; do echo "line $i"; sleep 0.2; done; printf "no newline"');
    const follow = errandAsync(home, ['logs', '-f', String(id)]);
    const r = await follow.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('line 1\nline 2\nline 3\nline 4\nline 5\nno newline');
  });

  test('cancel stops the whole process group of a running job', async () => {
    const pids = path.join(home, 'pids');
    const id = add('--', 'sh', '-c', `sleep 300 & echo $! > ${pids}; trap '' TERM; sleep 300`);
    await waitStatus(id, 'running');
    const grandchild = Number(await until(() => fs.existsSync(pids) && fs.readFileSync(pids, 'utf8').trim(), 10_000, 'pid file'));
    expect(alive(grandchild)).toBe(true);
    const r = errand(home, ['cancel', String(id)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`#${id} cancelled`));
    expect(job(id)).toMatchObject({ status: 'cancelled', error: 'cancelled by cli' });
    await until(() => !alive(grandchild), 15_000, 'grandchild gone');
  });

  test('priority orders the queue and --after waits for a dependency', () => {
    const order = path.join(home, 'order');
    errand(home, ['pause']);
    errand(home, ['parallel', '1']);
    const low = add('--', 'sh', '-c', `echo low >> ${order}`);
    const dependant = add('--after', String(low), '--priority', '100', '--', 'sh', '-c', `echo dependant >> ${order}`);
    const high = add('--priority', '5', '--', 'sh', '-c', `echo high >> ${order}`);
    expect(job(dependant).activity).toBe(`waiting on #${low}`);
    expect(job(high).activity).toBe('queue paused');
    expect(errand(home, ['status']).stdout.trim()).toMatch(/^paused · 3 queued/);
    errand(home, ['resume']);
    expect(errand(home, ['wait', String(low), String(dependant), String(high)]).code).toBe(0);
    expect(fs.readFileSync(order, 'utf8')).toBe('high\nlow\ndependant\n');
    errand(home, ['parallel', '2']);
  });

  test('a failed dependency fails its dependant with the reason', () => {
    const bad = add('--', 'sh', '-c', 'exit 4');
    const dep = add('--after', String(bad), '--', 'true');
    expect(errand(home, ['wait', String(bad), String(dep)]).code).toBe(1);
    expect(job(bad)).toMatchObject({ status: 'failed', exitCode: 4, error: 'exited with code 4' });
    expect(job(dep)).toMatchObject({ status: 'failed', error: `dependency #${bad} failed` });
  });

  test('retry keeps the id, adds an attempt, and earlier logs stay readable', () => {
    const flag = path.join(home, 'flag');
    const id = add('--', 'sh', '-c', `if [ -e ${flag} ]; then echo second; else echo first; touch ${flag}; exit 1; fi`);
    expect(errand(home, ['wait', String(id)]).code).toBe(1);
    const r = errand(home, ['retry', String(id)]);
    expect(r.stdout).toMatch(new RegExp(`#${id} queued again`));
    expect(errand(home, ['wait', String(id)]).code).toBe(0);
    const d = json<JobDetail>(errand(home, ['show', String(id), '--json']));
    expect(d.job.attempt).toBe(2);
    expect(d.attempts.map((a) => a.status)).toEqual(['failed', 'succeeded']);
    expect(errand(home, ['logs', String(id), '--attempt', '1']).stdout).toBe('first\n');
    expect(errand(home, ['logs', String(id)]).stdout).toBe('second\n');
  });

  test('errand ask blocks until approve or deny from another CLI call', async () => {
    const out = path.join(home, 'answers');
    const id = add('--', 'sh', '-c', `errand ask "Deploy to prod?" && echo yes >> ${out} || echo no >> ${out}; errand ask "Delete build?" && echo yes >> ${out} || echo no >> ${out}`);
    const w = await waitStatus(id, 'waiting');
    expect(w.activity).toBe('waiting for approval: Deploy to prod?');
    expect(json<StatusSummary>(errand(home, ['status', '--json'])).attention.needsYou).toBeGreaterThanOrEqual(1);
    expect(errand(home, ['approve', String(id), '--note', 'go']).stdout).toMatch(/approved: Deploy to prod\?/);
    await until(() => job(id).activity === 'waiting for approval: Delete build?', 20_000, 'second question');
    errand(home, ['deny', String(id)]);
    expect(errand(home, ['wait', String(id)]).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe('yes\nno\n');
    const events = json<JobDetail>(errand(home, ['show', String(id), '--json'])).events;
    expect(events.filter((e) => e.type === 'approval-decided').map((e) => [e.data.decision, e.by])).toEqual([
      ['approved', 'cli'],
      ['denied', 'cli'],
    ]);
  });

  test('approving a job that is not waiting is refused and changes nothing', () => {
    const id = add('--', 'true');
    errand(home, ['wait', String(id)]);
    const r = errand(home, ['approve', String(id)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`Cannot approve job #${id}: it is succeeded`));
    const j = errand(home, ['approve', String(id), '--json']);
    expect(JSON.parse(j.stdout)).toEqual({ error: { code: 'illegal_transition', message: expect.stringMatching(/not waiting/) } });
    expect(job(id).status).toBe('succeeded');
  });

  test('results: json, report and patch read back with errand result', () => {
    fs.writeFileSync(path.join(home, 'payload.json'), '{"answer": 42}');
    fs.writeFileSync(path.join(home, 'report.md'), '# Findings\n\nAll good.\n');
    const j = add('--', 'errand', 'result', '--json', 'payload.json');
    const r = add('--', 'errand', 'result', '--report', 'report.md');
    errand(home, ['wait', String(j), String(r)]);
    expect(JSON.parse(errand(home, ['result', String(j)]).stdout)).toEqual({ answer: 42 });
    expect(errand(home, ['result', String(r)]).stdout).toBe('# Findings\n\nAll good.\n');
    expect(json<{ type: string; summary: string }>(errand(home, ['result', String(r), '--json']))).toMatchObject({ type: 'report', summary: 'Findings' });

    const repo = path.join(home, 'repo');
    fs.mkdirSync(repo);
    const git = (...a: string[]): void => void spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...a], { cwd: repo });
    git('init', '-q');
    fs.writeFileSync(path.join(repo, 'a.txt'), 'one\n');
    git('add', '.');
    git('commit', '-qm', 'init');
    fs.writeFileSync(path.join(repo, 'dirty.txt'), 'was here before\n');
    const p = add('--patch', '--cwd', repo, '--', 'sh', '-c', 'echo two >> a.txt; echo new > b.txt');
    expect(errand(home, ['wait', String(p)]).code).toBe(0);
    const patch = errand(home, ['result', String(p)]).stdout;
    expect(patch).toMatch(/diff --git a\/a.txt b\/a.txt[\s\S]*\+two/);
    expect(patch).toMatch(/diff --git a\/b.txt b\/b.txt[\s\S]*\+new/);
    expect(patch).not.toMatch(/dirty.txt/);
    expect(job(p).activity).toMatch(/2 files changed/);
  });

  test('in-job progress and steps show up as progress, ETA basis and plan', () => {
    const id = add('--plan', 'fetch,build,test', '--', 'sh', '-c', 'errand step fetch; errand progress 1/4 files; errand step build; errand progress 4/4 files; errand step test --status skipped');
    errand(home, ['wait', String(id)]);
    const d = json<JobDetail>(errand(home, ['show', String(id), '--json']));
    expect(d.job.plan).toEqual(['fetch', 'build', 'test']);
    expect(d.job.progress).toMatchObject({ done: 4, total: 4, unit: null, label: 'files' });
    expect(d.steps.map((s) => [s.name, s.status])).toEqual([
      ['fetch', 'done'],
      ['build', 'done'],
      ['test', 'skipped'],
    ]);
    expect(errand(home, ['show', String(id)]).stdout).toMatch(/✓ fetch\n\s+✓ build\n\s+– test/);
  });

  test('bad input gets one clear line and a non-zero exit, never a crash', () => {
    const cases: [string[], RegExp][] = [
      [['show', 'abc'], /Not a job id: 'abc'/],
      [['show', '0'], /Not a job id: '0'/],
      [['show', '999999'], /No job #999999/],
      [['add', '--priority', '5000', '--', 'true'], /priority must be at most 1000/],
      [['add', '--priority', 'high', '--', 'true'], /priority must be a whole number/],
      [['add', '--timeout', 'soon', '--', 'true'], /timeout must be a duration/],
      [['add', '--after', '424242', '--', 'true'], /job #424242, which does not exist/],
      [['add', '--cwd', '/no/such/dir', '--', 'true'], /cwd \/no\/such\/dir is not an existing directory/],
      [['parallel', '0'], /concurrency must be at least 1/],
      [['ls', '--status', 'sleeping'], /Unknown status 'sleeping'/],
      [['progress', '3/10'], /works inside an Errand job/],
    ];
    const before = jobs().length;
    for (const [args, message] of cases) {
      const r = errand(home, args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    const unknown = errand(home, ['ls', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--bogus'/);
    expect(errand(home, ['add']).code).toBe(2);
    expect(jobs().length).toBe(before);
  });

  test('rm and clean remove finished jobs and logs; ids are never reused', () => {
    const a = add('--', 'true');
    errand(home, ['wait', String(a)]);
    expect(errand(home, ['rm', String(a)]).stdout).toMatch(`removed #${a}`);
    expect(fs.existsSync(path.join(home, 'logs', String(a)))).toBe(false);
    const b = add('--', 'true');
    expect(b).toBe(a + 1);
    errand(home, ['wait', String(b)]);
    expect(errand(home, ['clean']).stdout).toMatch(/removed \d+ finished job/);
    expect(jobs().filter((j) => ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(j.status))).toEqual([]);
    expect(add('--', 'true')).toBe(b + 1);
  });

  test('SIGKILL of the host with jobs running and queued: the next host accounts for every job', async () => {
    errand(home, ['parallel', '1']);
    const running = add('--', 'sh', '-c', 'echo started; sleep 300');
    const restartable = add('--restartable', '--priority', '-1', '--', 'sh', '-c', 'echo again');
    const queued = add('--priority', '-1', '--', 'echo', 'later');
    await waitStatus(running, 'running');
    await until(() => errand(home, ['logs', String(running)]).stdout === 'started\n', 10_000, 'log');
    const pid = hostPid(home)!;
    process.kill(pid, 'SIGKILL');
    await until(() => !alive(pid), 5000, 'host dead');
    // any command brings a new host up, which reconciles before answering
    const after = await until(() => {
      const r = errand(home, ['ls', '--json']);
      return r.code === 0 ? (JSON.parse(r.stdout) as Job[]) : undefined;
    }, 20_000, 'new host');
    expect(hostPid(home)).not.toBe(pid);
    const by = new Map(after.map((j) => [j.id, j]));
    expect(by.get(running)).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/host stopped while it ran/) });
    expect(errand(home, ['logs', String(running)]).stdout).toBe('started\n');
    expect(errand(home, ['wait', String(restartable), String(queued)]).code).toBe(0);
    expect(errand(home, ['logs', String(queued)]).stdout).toBe('later\n');
    const events = json<JobDetail>(errand(home, ['show', String(running), '--json'])).events;
    expect(events.at(-1)).toMatchObject({ type: 'interrupted', by: 'recovery' });
    errand(home, ['parallel', '2']);
  });

  test('a stale socket and lock left by a dead host are replaced, not waited on', async () => {
    stopHost(home);
    const sock = path.join(home, 'errand.sock');
    // a process that held the socket, then died without cleaning up
    const stale = spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(sock)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(stale.signal).toBe('SIGKILL');
    expect(fs.existsSync(sock)).toBe(true);
    fs.writeFileSync(path.join(home, 'host.lock'), '999999');
    await expect(new Promise((res, rej) => net.connect(sock).on('error', rej).on('connect', res))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const r = errand(home, ['status']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/idle|queued|needs you/);
  });

  test('a host killed mid-request gives a clear error, then the next call recovers', async () => {
    const id = add('--', 'sh', '-c', 'sleep 300');
    await waitStatus(id, 'running');
    const waiting = errandAsync(home, ['wait', String(id)]);
    await waiting.output; // connected and following
    process.kill(hostPid(home)!, 'SIGKILL');
    const r = await waiting.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Lost the connection to the Errand host/);
    expect(job(id).status).toBe('interrupted');
  });
});
