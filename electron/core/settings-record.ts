import { ErrandError } from '../contract/errors';
import { Settings } from '../contract/job';
import { readSetting, writeSetting } from './store/settings';
import type { Sql } from './store/sql';

const KEY = 'config';

/** The settings record as stored (validated on every write, so it always parses). */
export function readSettings(sql: Sql): Settings {
  const parsed = Settings.safeParse(readSetting<unknown>(sql, KEY, {}));
  return parsed.success ? parsed.data : Settings.parse({});
}

/**
 * Merges changes into the record: keys may be dotted paths ("agents.codex.model"), null
 * removes a key. The whole record is validated before anything is written; a bad value
 * is refused naming its key.
 */
export function updateSettings(sql: Sql, values: Record<string, unknown>): Settings {
  const next = structuredClone(readSettings(sql)) as Record<string, unknown>;
  for (const [key, value] of Object.entries(values)) {
    const parts = key.split('.').filter(Boolean);
    if (!parts.length || parts.some((p) => p === '__proto__' || p === 'constructor' || p === 'prototype')) {
      throw new ErrandError('invalid_input', `Invalid setting name '${key}'.`, key);
    }
    let at = next;
    for (const p of parts.slice(0, -1)) {
      const child = at[p];
      if (child === undefined || child === null) at = at[p] = {};
      else if (typeof child === 'object' && !Array.isArray(child)) at = child as Record<string, unknown>;
      else throw new ErrandError('invalid_input', `Setting ${parts.slice(0, parts.indexOf(p) + 1).join('.')} is not a group of settings.`, key);
    }
    const last = parts.at(-1)!;
    if (value === null) delete at[last];
    else at[last] = value;
  }
  const parsed = Settings.safeParse(next);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.map(String).join('.');
    const what = issue.code === 'unrecognized_keys' ? `there is no setting ${[field, ...issue.keys].filter(Boolean).join('.')}` : `${field} ${issue.message}`;
    throw new ErrandError('invalid_input', `Invalid setting: ${what}.`, field || undefined);
  }
  writeSetting(sql, KEY, parsed.data);
  return parsed.data;
}
