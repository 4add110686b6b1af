import type { Settings } from '../../contract/job';
import { ErrandError } from '../../contract/errors';
import { type Globals, print, printJson, withClient } from '../context';

/** The value at a dotted path of the settings record, or undefined. */
function at(settings: Settings, key: string): unknown {
  let v: unknown = settings;
  for (const p of key.split('.').filter(Boolean)) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

/** A setting as typed: JSON when it parses as JSON (numbers, lists, true), else the text itself. */
export function parseValue(text: string): unknown {
  if (/^[[{"\d-]|^(true|false|null)$/.test(text.trim())) {
    try {
      return JSON.parse(text);
    } catch {
      // a plain string that merely looks like JSON
    }
  }
  return text;
}

/** Flattens the record to `key = value` lines, sorted. */
function lines(v: unknown, prefix = ''): string[] {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return [`${prefix} = ${JSON.stringify(v)}`];
  const entries = Object.entries(v as Record<string, unknown>);
  if (!entries.length) return []; // an empty group says nothing
  return entries.flatMap(([k, x]) => lines(x, prefix ? `${prefix}.${k}` : k)).sort();
}

export async function get(g: Globals, key: string | undefined, o: { json?: boolean }): Promise<void> {
  const s = await withClient(g, (c) => c.call('settings', {}));
  const v = key ? at(s, key) : s;
  if (key && v === undefined) throw new ErrandError('not_found', `${key} is not set. errand config get lists every setting.`, 'key');
  if (o.json) return printJson(v);
  const out = typeof v === 'string' ? [v] : lines(v, key ?? '');
  print(out.length ? out.join('\n') : 'No settings yet. Set one: errand config set agents.codex.model gpt-5');
}

export async function set(g: Globals, key: string, value: string | undefined, o: { unset?: boolean; json?: boolean }): Promise<void> {
  if (value === undefined && !o.unset) throw new ErrandError('invalid_input', `Give a value: errand config set ${key} VALUE (or --unset).`, 'value');
  const s = await withClient(g, (c) => c.call('setSettings', { values: { [key]: o.unset ? null : parseValue(value!) } }));
  if (o.json) return printJson(s);
  const v = at(s, key);
  print(v === undefined ? `${key} unset` : `${key} = ${JSON.stringify(v)}`);
}
