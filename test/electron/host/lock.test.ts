// The data-dir lock on its own: one owner per data dir, in this process and across
// processes, released by release() or by the death of its holder, never taken over by a
// second contender while the first still holds it.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { acquireLock } from '../../../electron/host/lock';
import { tempHome } from '../../helpers/temp-home';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const LOCK = 'host.lock';
let bundleDir = '';
let holderScript = '';
const homes: { cleanup: () => void }[] = [];
const children = new Set<ChildProcess>();

/** The lock module as one ESM file plain `node` can run, for holders in other processes. */
beforeAll(async () => {
  const { build } = await import('vite');
  // inside node_modules so the bundle resolves better-sqlite3; one dir per run (a shared checkout)
  const base = path.join(ROOT, 'node_modules/.cache/errand-lock-bundle');
  fs.mkdirSync(base, { recursive: true });
  bundleDir = fs.mkdtempSync(path.join(base, 'b-'));
  await build({
    configFile: false,
    logLevel: 'warn',
    root: ROOT,
    build: {
      ssr: path.join(ROOT, 'electron/host/lock.ts'),
      outDir: bundleDir,
      emptyOutDir: false,
      target: 'node20',
      minify: false,
      copyPublicDir: false,
      rolldownOptions: { output: { format: 'es', entryFileNames: 'lock.mjs' } },
    },
  });
  holderScript = path.join(bundleDir, 'holder.mjs');
  // argv: home, start time (ms; contenders spin until then so they collide), hold ms
  fs.writeFileSync(
    holderScript,
    `import { acquireLock } from './lock.mjs';
const [home, startAt, holdMs] = process.argv.slice(2);
// sleep, then spin the last 2 ms: all contenders call acquireLock within a millisecond
const ms = Number(startAt) - Date.now() - 2;
if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
while (Date.now() < Number(startAt));
let release;
try {
  release = acquireLock(home);
} catch (e) {
  process.stdout.write('busy ' + e.code + ' ' + e.message + '\\n');
  process.exit(3);
}
process.stdout.write('got\\n');
setTimeout(() => { release(); process.exit(0); }, Number(holdMs));
`,
  );
}, 60_000);

afterEach(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all([...children].map((c) => exited(c)));
  children.clear();
});

afterAll(() => {
  for (const h of homes) h.cleanup();
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
});

function home(): string {
  const h = tempHome('errand-lock-');
  homes.push(h);
  return h.home;
}

function exited(c: ChildProcess): Promise<void> {
  return c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', () => r()));
}

/** A holder in another process; resolves with its first line of output ('got' or 'busy …'). */
function holder(h: string, opts: { startAt?: number; holdMs?: number } = {}): { child: ChildProcess; line: Promise<string> } {
  const child = spawn(process.execPath, [holderScript, h, String(opts.startAt ?? 0), String(opts.holdMs ?? 600_000)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const line = new Promise<string>((resolve) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code, sig) => resolve(out.split('\n')[0] || `exit ${code ?? sig}: ${err.trim()}`));
  });
  return { child, line };
}

function refusal(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected the lock to be refused');
}

describe('one process', () => {
  test('a second acquire of a held data dir is refused with who holds it', () => {
    const h = home();
    const release = acquireLock(h);
    try {
      const e = refusal(() => acquireLock(h));
      expect(e.code).toBe('busy');
      expect(e.message).toBe(`Another Errand host (pid ${process.pid}) already owns ${h}. Use it (errand status), or stop it with errand shutdown.`);
    } finally {
      release();
    }
  });

  test('release lets the next acquire in; release twice is harmless and never frees a later holder', () => {
    const h = home();
    const first = acquireLock(h);
    first();
    const second = acquireLock(h);
    first(); // late second call of an old release: must not touch the new holder
    expect(refusal(() => acquireLock(h)).code).toBe('busy');
    second();
    second();
    acquireLock(h)();
  });

  test('the pid file names the holder while it holds, and goes with release', () => {
    const h = home();
    const release = acquireLock(h);
    expect(Number(fs.readFileSync(path.join(h, LOCK), 'utf8').trim())).toBe(process.pid);
    release();
    expect(fs.existsSync(path.join(h, LOCK))).toBe(false);
  });

  test('a leftover pid file (empty, dead pid, garbage) does not stand in the way', () => {
    for (const content of ['', '999999999', 'x\n', '0']) {
      const h = home();
      fs.writeFileSync(path.join(h, LOCK), content);
      const release = acquireLock(h);
      expect(Number(fs.readFileSync(path.join(h, LOCK), 'utf8').trim())).toBe(process.pid);
      release();
    }
  });

  test('a pid file of a live host from before this lock (no trailing newline) still refuses', () => {
    const h = home();
    // a live process that is not us stands in for an older Errand's host
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    children.add(other);
    fs.writeFileSync(path.join(h, LOCK), String(other.pid));
    const e = refusal(() => acquireLock(h));
    expect(e.code).toBe('busy');
    expect(e.message).toContain(`pid ${other.pid}`);
    expect(fs.readFileSync(path.join(h, LOCK), 'utf8')).toBe(String(other.pid)); // left as it was
  });
});

describe('across processes', () => {
  test('a holder in another process refuses this one, naming its pid; a refused try here does not weaken its hold', async () => {
    const h = home();
    const a = holder(h);
    expect(await a.line).toBe('got');
    const e = refusal(() => acquireLock(h));
    expect(e.code).toBe('busy');
    expect(e.message).toContain(`pid ${a.child.pid}`);
    // the refused try opened and closed the lock file in this process; a third process
    // must still be refused (POSIX locks vanish when any descriptor of the file closes)
    const b = holder(h);
    expect(await b.line).toMatch(/^busy busy Another Errand host \(pid \d+\)/);
  });

  test('a holder in this process refuses another process', async () => {
    const h = home();
    const release = acquireLock(h);
    try {
      expect(await holder(h).line).toBe(`busy busy Another Errand host (pid ${process.pid}) already owns ${h}. Use it (errand status), or stop it with errand shutdown.`);
    } finally {
      release();
    }
  });

  test('a SIGKILLed holder frees the data dir at once', async () => {
    const h = home();
    const a = holder(h);
    expect(await a.line).toBe('got');
    a.child.kill('SIGKILL');
    await exited(a.child);
    const release = acquireLock(h);
    expect(Number(fs.readFileSync(path.join(h, LOCK), 'utf8').trim())).toBe(process.pid);
    release();
  });

  test('many contenders at the same instant: exactly one gets the lock, every round', async () => {
    const h = home();
    const rounds = 6;
    const contenders = 8;
    const failures: string[] = [];
    for (let round = 0; round < rounds; round++) {
      // what the last owner left: nothing, a stale pid file of a killed holder, or an empty one
      const left = ['none', 'stale', 'empty'][round % 3];
      if (left === 'none') fs.rmSync(path.join(h, LOCK), { force: true });
      if (left === 'stale') fs.writeFileSync(path.join(h, LOCK), '999999999\n');
      if (left === 'empty') fs.writeFileSync(path.join(h, LOCK), '');
      const startAt = Date.now() + 1200;
      const all = Array.from({ length: contenders }, () => holder(h, { startAt, holdMs: 60_000 }));
      const lines = await Promise.all(all.map((c) => c.line));
      const got = lines.filter((l) => l === 'got').length;
      const refused = lines.filter((l) => /^busy busy Another Errand host \(pid \d+\) already owns /.test(l)).length;
      if (got !== 1 || refused !== contenders - 1) failures.push(`round ${round} (${left}): ${got} owners; ${lines.filter((l) => l !== 'got').join(' | ')}`);
      for (const c of all) c.child.kill('SIGKILL');
      await Promise.all(all.map((c) => exited(c.child)));
      children.clear();
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
