import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { JobResult } from '../../../electron/contract/job';
import { agentRunner } from '../../../electron/core/runners/agent/agent-runner';
import type { AgentPreset } from '../../../electron/core/runners/agent/preset';
import { withWorktree } from '../../../electron/core/runners/worktree';
import { removeJobs } from '../../../electron/core/store/jobs';
import { openEngine, openTestEngine, storeOf, type TestApi, type TestEngine, until, waitFor } from '../../helpers/engine';

// Jobs isolated in their own git worktree, with real git in temp dirs: the user's tree
// is never touched, jobs on one repo run side by side, the patch is the worktree against
// its base, apply lands it, and worktrees and branches never outlive their jobs.

const GIT_ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1' };

let t: TestEngine;
let engine: TestApi;
let repo: string;
let extra: TestApi | null = null;
const cleanups: (() => Promise<void>)[] = [];

const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...GIT_ENV, HOME: repo } });
const write = (rel: string, text: string): void => {
  fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  fs.writeFileSync(path.join(repo, rel), text);
};
const read = (rel: string): string => fs.readFileSync(path.join(repo, rel), 'utf8');
const patchOf = (id: number): Extract<JobResult, { type: 'patch' }> => {
  const r = engine.get(id).result;
  if (r?.type !== 'patch') throw new Error(`job #${id} has no patch: ${JSON.stringify(r)}`);
  return r;
};
const filesIn = (patch: string): string[] => [...patch.matchAll(/^diff --git a\/(\S+)/gm)].map((m) => m[1]!).sort();
const worktrees = (): string[] => git('worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).map((l) => l.slice(9));
const branches = (): string[] => git('for-each-ref', '--format=%(refname:short)', 'refs/heads/errand/').split('\n').filter(Boolean);
const wtDir = (id: number): string => path.join(t.home, 'worktrees', String(id));
const addPatchJob = (shell: string, over: Record<string, unknown> = {}) => engine.add({ command: { shell }, cwd: repo, capturePatch: true, env: GIT_ENV, ...over });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('it did not throw');
}

/** Every file of the user's tree (work tree, index, refs) byte for byte, minus git's object store. */
function userTree(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const rel = path.relative(repo, p);
      if (/^\.git\/(objects|worktrees|logs)(\/|$)/.test(rel) || rel.startsWith('.git/refs/heads/errand')) continue;
      if (e.isDirectory()) walk(p);
      else out.set(rel, fs.readFileSync(p).toString('base64'));
    }
  };
  walk(repo);
  return out;
}

beforeEach(() => {
  t = openTestEngine();
  engine = t.engine;
  fs.mkdirSync(path.join(t.home, 'repo'));
  repo = fs.realpathSync(path.join(t.home, 'repo'));
  git('init', '-q', '-b', 'main');
  write('tracked.txt', 'one\ntwo\nthree\n');
  write('doomed.txt', 'delete me\n');
  write('sub/inner.txt', 'inner\n');
  write('.gitignore', 'ignored/\n');
  git('add', '-A');
  git('commit', '-qm', 'base');
  // the user's own pending work: none of it goes into a job's worktree, none of it is touched
  write('tracked.txt', 'one\ntwo\nthree\nthe user was editing this\n');
  write('staged.txt', 'staged by the user\n');
  git('add', 'staged.txt');
  write('untracked.txt', 'mine\n');
});
afterEach(async () => {
  await extra?.close();
  extra = null;
  for (const c of cleanups.splice(0)) await c();
  await t.dispose();
});

describe('a --patch job in a repository runs in its own worktree', () => {
  test("its patch holds its edits, new and deleted files and a commit it made; the user's tree stays byte for byte", async () => {
    const before = userTree();
    const base = git('rev-parse', 'HEAD').trim();
    const job = addPatchJob(
      [
        'test ! -e untracked.txt', // the user's uncommitted files are not in here
        '! grep -q "the user was editing" tracked.txt',
        'sed -i s/two/TWO/ tracked.txt',
        'git rm -q doomed.txt',
        'echo committed > committed.txt && git add committed.txt && git commit -qm "by the job"',
        'mkdir -p src && echo new > src/new.txt',
        'mkdir -p ignored && echo x > ignored/skip.txt',
      ].join(' && '),
    );
    expect(engine.get(job.id).isolation).toEqual({ repo, branch: `errand/${job.id}`, worktree: wtDir(job.id), base, leftOutChanges: true });
    const done = await waitFor(engine, job.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('succeeded');
    const result = patchOf(job.id);
    expect(filesIn(result.patch)).toEqual(['committed.txt', 'doomed.txt', 'src/new.txt', 'tracked.txt']);
    expect(result.patch).toContain('-two\n+TWO');
    expect(result.patch).not.toContain('the user was editing');
    expect(result.summary).toMatch(/^4 files changed/);
    expect(result.report).toBeUndefined();
    expect(done.activity).toMatch(/^done in \d+s: 4 files changed/);
    expect(userTree()).toEqual(before);
    // the worktree stays for a person to look at, on its branch, with the job's commit
    expect(worktrees()).toEqual([repo, wtDir(job.id)]);
    expect(git('log', '-1', '--format=%s', `errand/${job.id}`).trim()).toBe('by the job');
    expect(fs.readFileSync(path.join(wtDir(job.id), 'tracked.txt'), 'utf8')).toBe('one\nTWO\nthree\n');
  });

  test('a job added in a subdirectory runs in the same place in its worktree; paths in the patch are from the top', async () => {
    const job = addPatchJob('pwd > where.txt', { cwd: path.join(repo, 'sub') });
    expect((await waitFor(engine, job.id)).status).toBe('succeeded');
    const { patch } = patchOf(job.id);
    expect(filesIn(patch)).toEqual(['sub/where.txt']);
    expect(patch).toContain(`+${path.join(wtDir(job.id), 'sub')}`);
  });

  test('two jobs on one repo run at the same time, each in its own worktree, and give two independent patches', async () => {
    const mark = (n: string): string => path.join(t.home, `mark-${n}`);
    // each waits for the other's marker: they can only end if they overlap
    const a = addPatchJob(`touch ${mark('a')}; while [ ! -e ${mark('b')} ]; do sleep 0.02; done; echo A >> tracked.txt; echo a > a.txt`);
    const b = addPatchJob(`touch ${mark('b')}; while [ ! -e ${mark('a')} ]; do sleep 0.02; done; echo B >> tracked.txt; echo b > b.txt`);
    expect(storeOf(engine).row(a.id)!.lock_tree).toBeNull();
    const [da, db] = [await waitFor(engine, a.id), await waitFor(engine, b.id)];
    expect([da.status, db.status]).toEqual(['succeeded', 'succeeded']);
    expect(da.startedAt!).toBeLessThan(db.finishedAt!);
    expect(db.startedAt!).toBeLessThan(da.finishedAt!);
    const pa = patchOf(a.id).patch;
    const pb = patchOf(b.id).patch;
    expect(filesIn(pa)).toEqual(['a.txt', 'tracked.txt']);
    expect(filesIn(pb)).toEqual(['b.txt', 'tracked.txt']);
    expect(pa).toContain('+A');
    expect(pa).not.toContain('+B');
    expect(pb).toContain('+B');
  });

  test('apply lands the patch, then says it is already applied; a conflicting edit of the user is refused naming the file', async () => {
    git('checkout', '-q', '--', 'tracked.txt'); // start from a clean tracked.txt
    const job = addPatchJob('sed -i s/one/ONE/ tracked.txt && echo added > added.txt');
    await waitFor(engine, job.id);
    const first = await engine.engine.apply({ id: job.id });
    expect(first).toMatchObject({ id: job.id, outcome: 'applied', files: ['added.txt', 'tracked.txt'] });
    expect(first.message).toMatch(/^Applied job #\d+'s patch to /);
    expect(read('tracked.txt')).toBe('ONE\ntwo\nthree\n');
    expect(read('added.txt')).toBe('added\n');
    const again = await engine.engine.apply({ id: job.id });
    expect(again).toMatchObject({ outcome: 'already-applied' });
    expect(again.message).toMatch(/already applied/);

    const other = addPatchJob('sed -i s/two/JOB/ tracked.txt');
    await waitFor(engine, other.id);
    write('tracked.txt', 'ONE\nUSER\nthree\n');
    const refused = engine.engine.apply({ id: other.id });
    await expect(refused).rejects.toMatchObject({ code: 'illegal_transition', message: expect.stringMatching(/conflicts with .* in tracked\.txt[\s\S]*git says:\n[\s\S]*tracked\.txt/) });
  });

  test('a retry starts from a fresh worktree at the same base', async () => {
    const base = git('rev-parse', 'HEAD').trim();
    const job = addPatchJob('test ! -e leftover || exit 3; touch leftover; echo run >> tracked.txt; git commit -qam attempt; exit 1');
    const first = await waitFor(engine, job.id);
    expect(first).toMatchObject({ status: 'failed', error: 'exited with code 1' });
    // a failed run keeps what it did, as a patch, for a person to look at
    expect(filesIn(patchOf(job.id).patch)).toEqual(['leftover', 'tracked.txt']);
    git('commit', '-qam', 'the user moved on'); // HEAD moves; the retry still starts from the job's base
    engine.retry([job.id]);
    const second = await until(() => {
      const j = engine.get(job.id).job;
      return j.attempt === 2 && j.status === 'failed' ? j : undefined;
    });
    expect(second).toMatchObject({ status: 'failed', error: 'exited with code 1' });
    const { patch } = patchOf(job.id);
    expect(patch.match(/^\+run$/gm)).toHaveLength(1);
    expect(git('rev-parse', `errand/${job.id}~1`).trim()).toBe(base);
  });

  test('a timed-out job keeps what it did as its patch; a cancelled one gives none but keeps its worktree', async () => {
    // the time counts from the start, worktree included: ample for it even on a loaded machine
    const slow = addPatchJob('echo t > t.txt; sleep 30', { timeoutMs: 4000 });
    const cancelled = addPatchJob('echo c > c.txt; sleep 30');
    await until(() => fs.existsSync(path.join(wtDir(cancelled.id), 'c.txt')), 10_000, 'the job to write');
    await engine.cancel([cancelled.id]);
    expect(engine.get(cancelled.id)).toMatchObject({ job: { status: 'cancelled' }, result: null });
    expect(fs.readFileSync(path.join(wtDir(cancelled.id), 'c.txt'), 'utf8')).toBe('c\n');
    expect(await waitFor(engine, slow.id)).toMatchObject({ status: 'failed', error: 'timed out after 4s' });
    expect(filesIn(patchOf(slow.id).patch)).toEqual(['t.txt']);
  });

  test('rm and clean remove the worktree and its branch; with the repository gone, the directory', async () => {
    const a = addPatchJob('echo a > a.txt');
    const b = addPatchJob('echo b > b.txt');
    const gone = path.join(t.home, 'gone');
    fs.mkdirSync(gone);
    fs.cpSync(path.join(repo, '.git'), path.join(gone, '.git'), { recursive: true });
    execFileSync('git', ['checkout', '-q', '--', '.'], { cwd: gone });
    const c = engine.add({ command: { shell: 'echo c > c.txt' }, cwd: gone, capturePatch: true });
    for (const j of [a, b, c]) expect((await waitFor(engine, j.id)).status).toBe('succeeded');
    expect(worktrees()).toEqual([repo, wtDir(a.id), wtDir(b.id)]);
    expect(branches()).toEqual([`errand/${a.id}`, `errand/${b.id}`]);
    engine.remove([a.id]);
    await until(() => worktrees().length === 2, 10_000, 'the worktree to go');
    expect(worktrees()).toEqual([repo, wtDir(b.id)]);
    expect(fs.existsSync(wtDir(a.id))).toBe(false);
    await until(() => !branches().includes(`errand/${a.id}`), 10_000, 'the branch to go');
    fs.rmSync(gone, { recursive: true });
    engine.clean(0);
    await until(() => worktrees().length === 1 && !branches().length && !fs.existsSync(wtDir(b.id)) && !fs.existsSync(wtDir(c.id)), 10_000, 'every worktree to go');
    expect(fs.readdirSync(path.join(t.home, 'worktrees'))).toEqual([]);
    expect(git('branch', '--list', 'errand/*')).toBe('');
  });

  test('after a crash, worktrees whose job is gone are swept when the next host opens; live jobs keep theirs', async () => {
    const kept = addPatchJob('echo kept > k.txt');
    const lost = addPatchJob('echo lost > l.txt');
    await waitFor(engine, kept.id);
    await waitFor(engine, lost.id);
    // the row goes behind the host's back, as if it died between removing the row and the worktree
    removeJobs(storeOf(engine).sql, [lost.id]);
    await engine.close();
    // and a stale directory from who knows when: a worktree, and a plain one without a repository
    git('worktree', 'add', '-q', '-b', 'errand/9999', path.join(t.home, 'worktrees', '9999'), 'HEAD');
    fs.mkdirSync(path.join(t.home, 'worktrees', '9998', 'junk'), { recursive: true });
    expect(worktrees()).toHaveLength(4);
    extra = engine = openEngine({ home: t.home, killGraceMs: 300 });
    await until(() => fs.readdirSync(path.join(t.home, 'worktrees')).length === 1, 10_000, 'the orphans to go');
    expect(fs.readdirSync(path.join(t.home, 'worktrees'))).toEqual([String(kept.id)]);
    expect(worktrees()).toEqual([repo, wtDir(kept.id)]);
    expect(branches()).toEqual([`errand/${kept.id}`]);
    expect(engine.get(kept.id).isolation?.worktree).toBe(wtDir(kept.id));
  });
});

describe('choosing isolation', () => {
  test('--isolate worktree outside a git repository, or in one without a commit, is refused saying why', () => {
    const plain = path.join(t.home, 'plain');
    fs.mkdirSync(plain);
    expect(thrown(() => engine.add({ command: { argv: ['true'] }, cwd: plain, isolate: 'worktree' }))).toMatchObject({
      code: 'invalid_input',
      field: 'isolate',
      message: expect.stringMatching(/isolate worktree needs a commit to start from, but .*plain is not in a git repository\. Commit first, or use --isolate none\./),
    });
    execFileSync('git', ['init', '-q'], { cwd: plain });
    expect(() => engine.add({ command: { argv: ['true'] }, cwd: plain, isolate: 'worktree' })).toThrow(/has no commit yet/);
    // auto: outside a repository a --patch job simply runs where it is
    expect(storeOf(engine).row(engine.add({ command: { argv: ['true'] }, cwd: t.home, capturePatch: true }).id)!.spec).not.toContain('isolate');
  });

  test('--isolate worktree without --patch still runs in a worktree and gives a patch; plain jobs run in place', async () => {
    const iso = engine.add({ command: { shell: 'echo w > w.txt' }, cwd: repo, isolate: 'worktree' });
    const plain = engine.add({ command: { shell: 'echo p > p.txt' }, cwd: repo });
    expect(engine.get(plain.id).isolation).toBeNull();
    await waitFor(engine, iso.id);
    await waitFor(engine, plain.id);
    expect(filesIn(patchOf(iso.id).patch)).toEqual(['w.txt']);
    expect(fs.existsSync(path.join(repo, 'w.txt'))).toBe(false);
    expect(read('p.txt')).toBe('p\n');
  });

  test('a job patching the tree in place and isolated ones on the same repo do not wait for each other', async () => {
    const gate = path.join(t.home, 'gate');
    const wait = `while [ ! -e ${gate} ]; do sleep 0.02; done`;
    const first = addPatchJob(`${wait}; echo i > i.txt`);
    await waitFor(engine, first.id, ['running']);
    const inPlace = addPatchJob(`${wait}; echo n > n.txt`, { isolate: 'none' });
    await waitFor(engine, inPlace.id, ['running']);
    engine.setConcurrency(3);
    const second = addPatchJob(`${wait}; echo j > j.txt`);
    await waitFor(engine, second.id, ['running']);
    fs.writeFileSync(gate, '');
    for (const j of [first, inPlace, second]) expect((await waitFor(engine, j.id)).status).toBe('succeeded');
    expect(filesIn(patchOf(inPlace.id).patch)).toEqual(['n.txt']);
    expect(filesIn(patchOf(first.id).patch)).toEqual(['i.txt']);
    expect(filesIn(patchOf(second.id).patch)).toEqual(['j.txt']);
  });

  test('a job that cannot have its worktree fails saying so', async () => {
    const job = addPatchJob('true');
    await waitFor(engine, job.id);
    engine.retry([job.id]);
    // the base commit is gone from the repository
    fs.rmSync(path.join(repo, '.git'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const failed = await until(() => (engine.get(job.id).job.attempt === 2 && engine.get(job.id).job.status === 'failed' ? engine.get(job.id).job : undefined));
    expect(failed.error).toMatch(/^could not make its worktree: .*(invalid reference|not a valid|unknown revision)/i);
  });
});

describe('agents in a worktree', () => {
  const SCRIPT = path.resolve(import.meta.dirname, '../../fixtures/agents/scripted-agent.mjs');
  // the smallest stand-in agent: writes what it is told, its last message is the report
  const preset: AgentPreset = {
    name: 'codex',
    pkg: '@example/scripted-agent',
    bin: 'node',
    launch: (c) => ({ argv: [c.bin, SCRIPT, c.task], env: {} }),
    adapter: () => {
      let last: string | null = null;
      return {
        line: (text) => {
          const e = JSON.parse(text) as { t: string; text?: string };
          if (e.t === 'msg') last = e.text!;
        },
        finish: () => ({ error: null, report: last }),
      };
    },
  };

  test('the patch carries the final message as its report; with no changes the report is the result', async () => {
    // an engine of its own (on the same repository) whose agent runner is the stand-in
    const own = openTestEngine((home) => ({
      runners: [withWorktree(agentRunner({ home, presets: { codex: preset }, settings: () => ({ agents: { codex: { bin: process.execPath } } }), env: process.env }), home)],
    }));
    extra = engine = own.engine;
    cleanups.push(own.dispose);
    const agent = (steps: object[]) => engine.add({ kind: 'agent', agent: { with: 'codex', task: JSON.stringify(steps) }, cwd: repo });
    const edits = agent([{ t: 'write', path: 'fix.txt', text: 'fixed\n' }, { t: 'msg', text: '# Fixed it\nDetails.' }]);
    const talks = agent([{ t: 'msg', text: 'Nothing to change.' }]);
    await waitFor(engine, edits.id);
    await waitFor(engine, talks.id);
    expect(patchOf(edits.id)).toMatchObject({ summary: '1 file changed, +1 −0', report: '# Fixed it\nDetails.' });
    expect(filesIn(patchOf(edits.id).patch)).toEqual(['fix.txt']);
    expect(engine.get(talks.id).result).toMatchObject({ type: 'report', markdown: 'Nothing to change.' });
    expect(fs.existsSync(path.join(repo, 'fix.txt'))).toBe(false);
  });
});

describe('where an isolated job is', () => {
  test('its cwd and $PWD are the worktree, not the tree it was added from (programs that read $PWD stay out of your tree)', async () => {
    // not a shell (a shell would fix $PWD itself): a program that believes $PWD
    const script = "require('fs').writeFileSync('where.txt', process.env.PWD + '|' + process.cwd())";
    const job = engine.add({ command: { argv: [process.execPath, '-e', script] }, cwd: repo, isolate: 'worktree', env: { ...GIT_ENV, PWD: repo } });
    expect((await waitFor(engine, job.id)).status).toBe('succeeded');
    const wt = wtDir(job.id);
    expect(fs.readFileSync(path.join(wt, 'where.txt'), 'utf8')).toBe(`${wt}|${wt}`);
    expect(fs.existsSync(path.join(repo, 'where.txt'))).toBe(false);
  });
});
