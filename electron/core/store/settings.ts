import type { Sql } from './sql';

export function readSetting<T>(sql: Sql, key: string, fallback: T): T {
  const r = sql.stmt('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
  return r ? (JSON.parse(r.value) as T) : fallback;
}

export function writeSetting(sql: Sql, key: string, value: unknown): void {
  sql.stmt('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
}
