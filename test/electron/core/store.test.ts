import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { openEngine } from '../../helpers/test-api';
import { backupDatabase, openDatabase, schemaVersion } from '../../../electron/core/store/database';
import { newJobRow } from '../../../electron/core/store/job-row';
import { insertJobs, jobRows } from '../../../electron/core/store/jobs';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../electron/core/store/migrations';
import { storeOf, waitFor } from '../../helpers/engine';
import { tempHome } from '../../helpers/temp-home';

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/v1-store/errand.db');
const sha = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

let home: string;
let cleanup: () => void;
beforeEach(() => ({ home, cleanup } = tempHome('errand-store-')));
afterEach(() => cleanup());

/** A copy of the committed v1 store in the test's data dir. */
function v1Copy(): string {
  const file = path.join(home, 'errand.db');
  fs.copyFileSync(FIXTURE, file);
  return file;
}

describe('store settings', () => {
  test('WAL, synchronous FULL, foreign keys; a new store is at the current schema version', () => {
    const db = openDatabase(path.join(home, 'errand.db'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(schemaVersion(db)).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    } finally {
      db.close();
    }
    expect(fs.existsSync(path.join(home, 'backups'))).toBe(false); // nothing to back up in a new store
  });
});

describe('migrations', () => {
  test('the committed fixture is a v1 store', () => {
    const db = new Database(FIXTURE, { readonly: true });
    try {
      expect(schemaVersion(db)).toBe(1);
    } finally {
      db.close();
    }
  });

  test('an upgrade backs the store up first, then applies the new steps forward in order', () => {
    const file = v1Copy();
    const dummy = [...MIGRATIONS, 'CREATE TABLE dummy_v2 (x INTEGER); INSERT INTO dummy_v2 VALUES (42);', 'ALTER TABLE dummy_v2 ADD COLUMN y TEXT;'];
    const db = openDatabase(file, { migrations: dummy });
    try {
      expect(schemaVersion(db)).toBe(MIGRATIONS.length + 2);
      expect(db.prepare('SELECT x, y FROM dummy_v2').get()).toEqual({ x: 42, y: null });
      expect((db.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n).toBe(5);
    } finally {
      db.close();
    }
    const backups = fs.readdirSync(path.join(home, 'backups'));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/^errand-v1-\d+\.db$/);
    const copy = new Database(path.join(home, 'backups', backups[0]!), { readonly: true });
    try {
      expect(schemaVersion(copy)).toBe(1);
      expect(copy.prepare("SELECT name FROM sqlite_master WHERE name = 'dummy_v2'").get()).toBeUndefined();
      expect((copy.prepare('SELECT COUNT(*) AS n FROM jobs').get() as { n: number }).n).toBe(5);
    } finally {
      copy.close();
    }
  });

  test('a failing migration rolls its step back and leaves the store at the last good version', () => {
    const file = v1Copy();
    const broken = [...MIGRATIONS, 'CREATE TABLE ok_v2 (x);', 'CREATE TABLE bad_v3 (x); CREATE TABLE jobs (x);'];
    expect(() => openDatabase(file, { migrations: broken })).toThrow(/already exists/);
    const db = new Database(file, { readonly: true });
    try {
      expect(schemaVersion(db)).toBe(MIGRATIONS.length + 1);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'bad_v3'").get()).toBeUndefined();
    } finally {
      db.close();
    }
    expect(fs.readdirSync(path.join(home, 'backups'))).toHaveLength(1);
  });

  test('backupDatabase writes a consistent, openable copy and never overwrites one', () => {
    const db = openDatabase(path.join(home, 'errand.db'));
    try {
      db.prepare("INSERT INTO settings (key, value) VALUES ('k', '1')").run();
      const a = backupDatabase(db, path.join(home, 'errand.db'), 1);
      const b = backupDatabase(db, path.join(home, 'errand.db'), 1);
      expect(a).not.toBe(b);
      const copy = new Database(a, { readonly: true });
      expect(copy.prepare("SELECT value FROM settings WHERE key = 'k'").get()).toEqual({ value: '1' });
      copy.close();
    } finally {
      db.close();
    }
  });

  test('a store from a newer Errand is refused with a clear message and left byte for byte untouched', () => {
    const file = v1Copy();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    const before = sha(file);
    const listing = fs.readdirSync(home).sort();
    expect(() => openDatabase(file)).toThrow(new RegExp(`schema version ${SCHEMA_VERSION + 5}, newer than this Errand knows \\(${SCHEMA_VERSION}\\).*untouched`));
    expect(() => openEngine({ home })).toThrow(/newer than this Errand knows/);
    expect(sha(file)).toBe(before);
    expect(fs.readdirSync(home).sort()).toEqual(listing); // no backups, no WAL left behind
  });

  test('the v1 fixture opens with the current code: jobs readable, recovery applied, queue runs', async () => {
    v1Copy();
    const engine = openEngine({ home, killGraceMs: 300 });
    try {
      const jobs = engine.list();
      expect(jobs.map((j) => [j.id, j.title])).toEqual([
        [1, 'build'],
        [2, 'tests'],
        [3, 'deploy'],
        [4, 'later'],
        [5, 'was running'],
      ]);
      expect(engine.queueState().concurrency).toBe(3);
      const build = engine.get(1);
      expect(build.result).toEqual({ type: 'report', summary: 'built', markdown: '# ok' });
      expect(build.steps.map((s) => [s.name, s.status])).toEqual([['compile', 'done']]);
      expect(engine.get(2).attempts.map((a) => a.status)).toEqual(['failed', 'failed']);
      expect(engine.get(4).job).toMatchObject({ status: 'held', priority: 5, labels: ['nightly'] });
      // the job left "running" by the old host was recovered
      const was = engine.get(5);
      expect(was.job.status).toBe('interrupted');
      expect(was.events.at(-1)).toMatchObject({ type: 'interrupted', by: 'recovery' });
      // its dependency succeeded long ago: the queued job runs with today's engine
      const deploy = await waitFor(engine, 3);
      expect(deploy.status).toBe('succeeded');
      expect(deploy.attempt).toBe(1);
      // new ids continue after the old ones
      expect(engine.add({ command: { argv: ['true'] }, cwd: home }).id).toBe(6);
      // brought up to the current schema, with the v1 file kept as a backup
      expect(schemaVersion(storeOf(engine).db)).toBe(SCHEMA_VERSION);
      expect(fs.readdirSync(path.join(home, 'backups'))).toEqual([expect.stringMatching(/^errand-v1-\d+\.db$/)]);
    } finally {
      await engine.close();
    }
  });
});

describe('query plans', () => {
  test('the scheduler\'s queries use indexes, not scans of the whole queue', () => {
    const db = openDatabase(path.join(home, 'errand.db'));
    try {
      const plan = (sql: string): string => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(1, 1) as { detail: string }[]).map((r) => r.detail).join('; ');
      expect(plan("SELECT MIN(not_before) AS t FROM jobs INDEXED BY jobs_due WHERE status = 'queued' AND not_before > ? AND ?")).toMatch(/USING (COVERING )?INDEX jobs_due/);
      expect(plan("SELECT id FROM jobs WHERE status = 'queued' AND (not_before IS NULL OR not_before <= ?) ORDER BY priority DESC, id LIMIT ?")).toMatch(/USING INDEX jobs_ready/);
      expect(plan("SELECT id FROM jobs WHERE status IN ('running', 'waiting') AND ? AND ?")).toMatch(/USING (COVERING )?INDEX jobs_ready/);
    } finally {
      db.close();
    }
  });
});

describe('rows', () => {
  test('the row the batch insert announces is the row the store holds', async () => {
    const engine = openEngine({ home });
    try {
      engine.pause();
      const store = storeOf(engine);
      const job = {
        kind: 'command' as const,
        display: 'a b',
        title: 't',
        spec: { argv: ['a', 'b'], env: { X: '1' } },
        cwd: home,
        priority: 3,
        after: [],
        labels: ['x'],
        maxRetries: 2,
        retryBackoffMs: 100,
        timeoutMs: 5000,
        notBefore: null,
        restartable: true,
        capturePatch: false,
        lockTree: null,
        plan: ['p'],
        etaKey: 'key',
      };
      const now = Date.now();
      const [id] = insertJobs(store.sql, [job], now, 'test');
      expect(newJobRow(id!, job, now, true, 'test')).toEqual(store.row(id!));
      expect(jobRows(store.sql)).toEqual([store.row(id!)]);
    } finally {
      await engine.close();
    }
  });
});

describe('job ids', () => {
  test('monotonic and never reused, even after the newest job is removed and the store reopened', async () => {
    let engine = openEngine({ home, killGraceMs: 300 });
    const a = engine.add({ command: { argv: ['true'] }, cwd: home });
    const b = engine.add({ command: { argv: ['true'] }, cwd: home });
    expect(b.id).toBe(a.id + 1);
    await waitFor(engine, b.id);
    await waitFor(engine, a.id);
    // running jobs (whose pgid is written without an fsync) leave the store at FULL
    expect(storeOf(engine).db.pragma('synchronous', { simple: true })).toBe(2);
    engine.remove([a.id, b.id]);
    expect(engine.list()).toEqual([]);
    const c = engine.add({ command: { argv: ['true'] }, cwd: home });
    expect(c.id).toBe(b.id + 1);
    await waitFor(engine, c.id);
    engine.clean();
    await engine.close();
    engine = openEngine({ home, killGraceMs: 300 });
    try {
      expect(storeOf(engine).lastId()).toBe(c.id);
      const d = engine.addMany([{ command: { argv: ['true'] }, cwd: home }, { command: { argv: ['true'] }, cwd: home }]);
      expect(d).toEqual([c.id + 1, c.id + 2]);
    } finally {
      await engine.close();
    }
  });
});
