import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ErrandError } from '../../contract/errors';
import { MIGRATIONS } from './migrations';

export type Db = Database.Database;

export interface OpenOptions {
  /** Path to a better_sqlite3.node built for this runtime (the Electron build lives apart from Node's). */
  nativeBinding?: string | undefined;
  /**
   * The numbered migrations, index i bringing the schema from version i to i + 1.
   * Defaults to the app's own list; tests pass a longer one to exercise an upgrade.
   */
  migrations?: readonly string[];
}

/**
 * Opens (creating if needed) the store and brings its schema up to date.
 * WAL + synchronous=FULL: a state transition is on disk when its transaction returns.
 *
 * The schema version (user_version) is read before anything is written, so a store
 * made by a newer Errand is refused with the file left exactly as it was. Before a
 * migration touches an existing store, a consistent copy goes to `backups/`.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  const migrations = opts.migrations ?? MIGRATIONS;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  try {
    const from = schemaVersion(db);
    if (from > migrations.length) {
      throw new ErrandError(
        'internal',
        `The store at ${file} has schema version ${from}, newer than this Errand knows (${migrations.length}). ` +
          'Upgrade Errand to open it; the data was left untouched.',
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, file, from, migrations);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function migrate(db: Db, file: string, from: number, migrations: readonly string[]): void {
  if (from === migrations.length) return;
  if (from > 0) backupDatabase(db, file, from);
  // Forward only, one transaction per step: a failing step leaves the store at the
  // last version that applied cleanly (and the backup beside it).
  for (let v = from; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** A consistent copy of the store (taken before a migration touches it); returns its path. */
export function backupDatabase(db: Db, file: string, version: number): string {
  const dir = path.join(path.dirname(file), 'backups');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  let target = path.join(dir, `${path.basename(file, '.db')}-v${version}-${Date.now()}.db`);
  for (let n = 2; fs.existsSync(target); n++) target = path.join(dir, `${path.basename(file, '.db')}-v${version}-${Date.now()}-${n}.db`);
  db.prepare('VACUUM INTO ?').run(target);
  return target;
}
