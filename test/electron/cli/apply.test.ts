import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { JobDetail } from '../../../electron/contract/job';
import { errand, json, stopHost } from '../../helpers/cli';
import { tempHome, until } from '../../helpers/temp-home';

// Black-box: `errand add --patch` in a repository runs in its own worktree, `errand show`
// says where, and `errand apply` goes through the host, printing what it says.

let home: string;
let cleanup: () => void;
let repo: string;

const git = (...a: string[]): string => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...a], { cwd: repo, encoding: 'utf8' });
const add = (...args: string[]): number => {
  const r = errand(home, ['add', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return Number(r.stdout.trim());
};
const read = (rel: string): string => fs.readFileSync(path.join(repo, rel), 'utf8');

beforeAll(() => {
  ({ home, cleanup } = tempHome('errand-cli-apply-'));
  repo = path.join(home, 'repo');
  fs.mkdirSync(repo);
  repo = fs.realpathSync(repo);
  git('init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(repo, 'a.txt'), 'one\ntwo\nthree\n');
  git('add', '.');
  git('commit', '-qm', 'init');
});
afterAll(() => {
  stopHost(home);
  cleanup();
});

describe('errand apply and isolation from the CLI', () => {
  test('show prints the worktree; apply applies, then says already applied; a conflict exits 1 with the file and git’s whole message', () => {
    fs.writeFileSync(path.join(repo, 'notes.txt'), 'the user’s own, uncommitted\n');
    const id = add('--patch', '--cwd', repo, '--', 'sh', '-c', 'sed -i s/one/ONE/ a.txt; echo new > b.txt');
    expect(errand(home, ['wait', String(id)]).code).toBe(0);
    const d = json<JobDetail>(errand(home, ['show', String(id), '--json']));
    expect(d.isolation).toMatchObject({ repo, branch: `errand/${id}`, worktree: path.join(home, 'worktrees', String(id)), leftOutChanges: true });
    const show = errand(home, ['show', String(id)]).stdout;
    expect(show).toContain(`branch    errand/${id} (from ${d.isolation!.base.slice(0, 12)})`);
    expect(show).toContain(`worktree  ${path.join(home, 'worktrees', String(id))}`);
    expect(show).toContain('your uncommitted changes were not included');
    expect(read('a.txt')).toBe('one\ntwo\nthree\n'); // the user's tree is untouched until apply

    const applied = errand(home, ['apply', String(id)]);
    expect(applied).toMatchObject({ code: 0, stderr: '' });
    expect(applied.stdout).toBe(`Applied job #${id}'s patch to ${repo}: 2 files.\n`);
    expect(read('a.txt')).toBe('ONE\ntwo\nthree\n');
    expect(read('b.txt')).toBe('new\n');
    const again = errand(home, ['apply', String(id), '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ id, outcome: 'already-applied', files: ['a.txt', 'b.txt'] });
    expect(errand(home, ['apply', String(id)]).stdout).toMatch(/already applied.*nothing changed/);

    const other = add('--patch', '--cwd', repo, '--', 'sh', '-c', 'sed -i s/two/JOB/ a.txt');
    expect(errand(home, ['wait', String(other)]).code).toBe(0);
    fs.writeFileSync(path.join(repo, 'a.txt'), 'ONE\nUSER\nthree\n');
    const conflict = errand(home, ['apply', String(other)]);
    expect(conflict.code).toBe(1);
    expect(conflict.stdout).toBe('');
    expect(conflict.stderr).toMatch(new RegExp(`^errand: Job #${other}'s patch conflicts with ${repo} in a\\.txt\\.`));
    // git's whole message, over several lines, not just the first
    expect(conflict.stderr).toMatch(/git says:\n(.+\n){1,}/);
    expect(read('a.txt')).toMatch(/USER/);
  });

  test('--isolate: worktree outside git is refused; a bad mode is refused; none runs in place', () => {
    const plain = path.join(home, 'plain');
    fs.mkdirSync(plain);
    const refused = errand(home, ['add', '--isolate', 'worktree', '--cwd', plain, '--', 'true']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^errand: Invalid input: isolate worktree needs a commit to start from, but .*plain is not in a git repository\. Commit first, or use --isolate none\.\n$/);
    const bad = errand(home, ['add', '--isolate', 'sometimes', '--', 'true']);
    expect(bad).toMatchObject({ code: 2, stderr: "errand: --isolate must be auto, worktree or none, not 'sometimes'.\n" });
    git('checkout', '-q', '--', '.');
    const inPlace = add('--patch', '--isolate', 'none', '--cwd', repo, '--', 'sh', '-c', 'echo here > here.txt');
    expect(errand(home, ['wait', String(inPlace)]).code).toBe(0);
    expect(read('here.txt')).toBe('here\n');
    expect(json<JobDetail>(errand(home, ['show', String(inPlace), '--json'])).isolation).toBeNull();
    expect(errand(home, ['result', String(inPlace)]).stdout).toMatch(/\+here/);
  });

  test('rm takes the worktree and the branch with the job', async () => {
    const id = add('--patch', '--cwd', repo, '--', 'sh', '-c', 'echo x > x.txt');
    expect(errand(home, ['wait', String(id)]).code).toBe(0);
    expect(git('branch', '--list', `errand/${id}`)).toContain(`errand/${id}`);
    expect(errand(home, ['rm', String(id)])).toMatchObject({ code: 0, stdout: `removed #${id}\n` });
    await until(() => !fs.existsSync(path.join(home, 'worktrees', String(id))) && git('branch', '--list', `errand/${id}`) === '', 10_000, 'the worktree and branch to go');
    expect(git('worktree', 'list', '--porcelain')).not.toContain(path.join(home, 'worktrees', String(id)));
  });
});
