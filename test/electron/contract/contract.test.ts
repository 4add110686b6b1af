import { describe, expect, test } from 'vitest';
import { AddInput, methods } from '../../../electron/contract/api';
import { ErrandError } from '../../../electron/contract/errors';
import { formatAgo, formatDuration, formatEta, parseDuration, shellQuote } from '../../../electron/contract/format';
import { validate } from '../../../electron/contract/validate';

const refused = (fn: () => unknown): ErrandError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ErrandError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('contract validation', () => {
  test('names the field at fault and says why', () => {
    const e = refused(() => validate(AddInput, { command: { argv: ['true'] }, cwd: '/', priority: 5000 }));
    expect(e).toMatchObject({ code: 'invalid_input', field: 'priority' });
    expect(e.message).toBe('Invalid input: priority must be at most 1000.');
    expect(refused(() => validate(AddInput, { command: { argv: [''] }, cwd: '/' })).field).toBe('command.argv.0');
    expect(refused(() => validate(AddInput, { command: {}, cwd: '/' })).message).toMatch(/exactly one of argv or shell/);
    expect(refused(() => validate(AddInput, { command: { shell: 'x' } })).field).toBe('cwd');
    expect(refused(() => validate(methods.get.input, { id: 'seven' })).message).toMatch(/id must be a job id/);
    expect(refused(() => validate(methods.cancel.input, { ids: [] })).message).toMatch(/ids name at least one job id/);
  });

  test('fills defaults so handlers see complete input', () => {
    const v = validate(AddInput, { command: { argv: ['true'] }, cwd: '/' });
    expect(v).toMatchObject({ priority: 0, after: [], labels: [], retries: 0, restartable: false, capturePatch: false, plan: [] });
  });

  test('every method has an input and an output schema', () => {
    for (const [name, m] of Object.entries(methods)) {
      expect(m.input, name).toBeDefined();
      expect(m.output, name).toBeDefined();
    }
  });
});

describe('human wording', () => {
  test('durations', () => {
    expect(formatDuration(3)).toBe('3s');
    expect(formatDuration(134)).toBe('2m 14s');
    expect(formatDuration(120)).toBe('2m');
    expect(formatDuration(7260)).toBe('2h 1m');
    expect(formatDuration(90000)).toBe('1d 1h');
    expect(formatEta(6 * 60 - 10)).toBe('6m');
    expect(formatEta(12)).toBe('20s');
    expect(formatAgo(Date.now() - 4 * 60_000, Date.now())).toBe('4 min ago');
  });

  test('parseDuration accepts 30s, 5m, 1h30m, 250ms and bare seconds; rejects the rest', () => {
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2')).toBe(2000);
    expect(parseDuration('soon')).toBeNull();
    expect(parseDuration('5m later')).toBeNull();
    expect(parseDuration('')).toBeNull();
  });

  test('shellQuote round-trips through sh', () => {
    expect(shellQuote(['echo', 'a b', "it's", '$HOME'])).toBe(`echo 'a b' 'it'\\''s' '$HOME'`);
  });
});

test('an empty argv is invalid input naming the field, not a crash', () => {
  const e = refused(() => validate(AddInput, { command: { argv: [] }, cwd: '/' }));
  expect(e).toMatchObject({ code: 'invalid_input', field: 'command.argv' });
});

describe('validate: a missing field says so', () => {
  test('"cwd is missing", not the schema library\'s words', () => {
    expect(() => validate(methods.add.input, { command: { argv: ['true'] } })).toThrow('Invalid input: cwd is missing.');
  });
});
