import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ErrandError } from '../../contract/errors';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** Path to a better_sqlite3.node built for this runtime (the Electron build lives apart from Node's). */
  nativeBinding?: string | undefined;
}

/**
 * Opens (creating if needed) the store and brings its schema up to date.
 * WAL + synchronous=FULL: a state transition is on disk when its transaction returns;
 * at queue rates (tens per second) that costs little.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, file);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, file: string): void {
  const from = schemaVersion(db);
  if (from > SCHEMA_VERSION) {
    throw new ErrandError(
      'internal',
      `The store at ${file} has schema version ${from}, newer than this Errand knows (${SCHEMA_VERSION}). ` +
        'Upgrade Errand to open it; the data was left untouched.',
    );
  }
  if (from === SCHEMA_VERSION) return;
  if (from > 0) backup(db, file, from);
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** A consistent copy of the store taken before a migration touches it. */
function backup(db: Db, file: string, version: number): void {
  const dir = path.join(path.dirname(file), 'backups');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const target = path.join(dir, `${path.basename(file, '.db')}-v${version}-${Date.now()}.db`);
  db.prepare('VACUUM INTO ?').run(target);
}
