import type { z } from 'zod';
import { ErrandError } from './errors';

/** Parses input with a contract schema; a failure names the field and why, as invalid_input. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what = 'input'): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.');
  const missing = issue.code === 'invalid_type' && /received undefined$/.test(issue.message);
  const message =
    issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}` : missing ? 'is missing' : issue.message;
  return fail(field, field ? `Invalid ${what}: ${field} ${message}.` : `Invalid ${what}: ${message}.`);
}

function fail(field: string, message: string): never {
  throw new ErrandError('invalid_input', message.replace(/\.\.$/, '.'), field || undefined);
}
