import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { TestApi as Engine } from '../../helpers/test-api';
import { snapshotTree, summarizePatch } from '../../../electron/core/git-patch';
import { openTestEngine, type TestEngine, waitFor } from '../../helpers/engine';

let t: TestEngine;
let engine: Engine;
let repo: string;
const git = (...args: string[]): string =>
  execFileSync('git', args, {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1', HOME: repo },
  });
const write = (rel: string, text: string): void => {
  fs.mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
  fs.writeFileSync(path.join(repo, rel), text);
};

beforeEach(() => {
  t = openTestEngine();
  engine = t.engine;
  repo = path.join(t.home, 'repo');
  fs.mkdirSync(repo);
  git('init', '-q', '-b', 'main');
  write('tracked.txt', 'one\ntwo\nthree\n');
  write('staged.txt', 'base\n');
  write('dirty.txt', 'clean\n');
  write('.gitignore', 'ignored/\n');
  git('add', '-A');
  git('commit', '-qm', 'base');
  // the user's own pending work, before the job runs
  write('dirty.txt', 'the user was editing this\n');
  write('staged.txt', 'staged by the user\n');
  git('add', 'staged.txt');
  write('untracked-before.txt', 'mine\n');
});
afterEach(() => t.dispose());

// Patch capture in the user's own tree, as `--isolate none` keeps it (a --patch job in a
// repository otherwise runs in its own worktree: worktree.test.ts).
describe('capturePatch in place (isolate none)', () => {
  test("the patch holds the job's own changes only: edits, deletions and new files, not what was there before", async () => {
    const indexBefore = fs.readFileSync(path.join(repo, '.git/index'));
    const statusBefore = git('status', '--porcelain');
    const job = engine.add({
      command: { shell: 'sed -i s/two/TWO/ tracked.txt && echo more >> dirty.txt && mkdir -p src && echo new > src/new.txt && echo x > ignored/skip.txt; rm staged.txt' },
      cwd: repo,
      capturePatch: true,
      isolate: 'none',
    });
    fs.mkdirSync(path.join(repo, 'ignored'));
    const done = await waitFor(engine, job.id);
    expect(done.status).toBe('succeeded');
    const result = engine.get(job.id).result;
    expect(result?.type).toBe('patch');
    expect(done.resultSummary).toEqual({ type: 'patch', summary: result!.summary });
    const patch = result!.type === 'patch' ? result!.patch : '';
    const files = [...patch.matchAll(/^diff --git a\/(\S+)/gm)].map((m) => m[1]).sort();
    expect(files).toEqual(['dirty.txt', 'src/new.txt', 'staged.txt', 'tracked.txt']);
    expect(patch).toContain('-two\n+TWO');
    // dirty.txt: only the line the job added, against the user's edited version
    expect(patch).toMatch(/ the user was editing this\n\+more/);
    expect(patch).not.toContain('-clean');
    // staged.txt: deleted from the user's staged content, not the committed one
    expect(patch).toContain('-staged by the user');
    expect(patch).not.toContain('untracked-before');
    expect(patch).not.toContain('ignored/skip.txt');
    expect(result!.summary).toBe(summarizePatch(patch));
    expect(result!.summary).toMatch(/^4 files changed, \+\d+ −\d+$/);
    expect(done.activity).toMatch(/^done in \d+s: 4 files changed/);
    // the user's index is untouched: same bytes, same staged state
    expect(fs.readFileSync(path.join(repo, '.git/index')).equals(indexBefore)).toBe(true);
    expect(git('diff', '--cached', '--name-only').trim()).toBe('staged.txt');
    expect(statusBefore).toContain('A  untracked-before.txt'.replace('A  ', '?? '));
  });

  test('the patch applies cleanly to the tree as it was before the job', async () => {
    const job = engine.add({ command: { shell: 'printf "a\\nb\\n" > added.txt && sed -i 1d tracked.txt' }, cwd: repo, capturePatch: true, isolate: 'none' });
    await waitFor(engine, job.id);
    const result = engine.get(job.id).result;
    const patch = result!.type === 'patch' ? result!.patch : '';
    // undo the job by hand, then apply its patch
    fs.rmSync(path.join(repo, 'added.txt'));
    write('tracked.txt', 'one\ntwo\nthree\n');
    fs.writeFileSync(path.join(t.home, 'job.patch'), patch);
    git('apply', path.join(t.home, 'job.patch'));
    expect(fs.readFileSync(path.join(repo, 'added.txt'), 'utf8')).toBe('a\nb\n');
    expect(fs.readFileSync(path.join(repo, 'tracked.txt'), 'utf8')).toBe('two\nthree\n');
  });

  test('no changes or a failure: no patch; a job beside one capturing in place in the same tree waits its turn', async () => {
    const gate = path.join(t.home, 'go');
    const nothing = engine.add({ command: { shell: `while [ ! -e ${gate} ]; do sleep 0.02; done` }, cwd: repo, capturePatch: true, isolate: 'none' });
    const failed = engine.add({ command: { shell: 'echo x >> tracked.txt; exit 1' }, cwd: path.join(repo), capturePatch: true, isolate: 'none' });
    const elsewhere = engine.add({ command: { argv: ['true'] }, cwd: t.home });
    await waitFor(engine, nothing.id, ['running']);
    // concurrency is 2, but the second job shares the work tree: it waits, and says why
    expect(engine.get(failed.id).job).toMatchObject({ status: 'queued', activity: `waiting for #${nothing.id} (same git work tree)` });
    expect((await waitFor(engine, elsewhere.id)).status).toBe('succeeded'); // other trees are not held up
    fs.writeFileSync(gate, '');
    expect((await waitFor(engine, nothing.id)).resultSummary).toBeNull();
    const f = await waitFor(engine, failed.id);
    expect(f).toMatchObject({ status: 'failed', resultSummary: null });
    expect(f.startedAt!).toBeGreaterThanOrEqual(engine.get(nothing.id).job.finishedAt!);
  });

  test('outside a git work tree the job simply runs (auto picks no worktree there)', async () => {
    const plain = path.join(t.home, 'plain');
    fs.mkdirSync(plain);
    expect(await snapshotTree(plain)).toBeNull();
    const job = engine.add({ command: { shell: 'echo hi > f' }, cwd: plain, capturePatch: true });
    expect(await waitFor(engine, job.id)).toMatchObject({ status: 'succeeded', resultSummary: null });
  });
});
