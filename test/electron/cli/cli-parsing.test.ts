import { describe, expect, test } from 'vitest';
import { addInput, commandSpec } from '../../../electron/cli/commands/jobs';
import { currentJob, parseProgress } from '../../../electron/cli/commands/in-job';
import { parseId, resolveHome } from '../../../electron/cli/context';
import { fit, jobSummary, jobTable, painter, waitLine } from '../../../electron/cli/output';
import type { Job } from '../../../electron/contract/job';

describe('errand add argument handling', () => {
  test('argv runs as given; one argument with shell syntax is a shell line', () => {
    expect(commandSpec(['npm', 'test'])).toEqual({ argv: ['npm', 'test'] });
    expect(commandSpec(['npm test && echo ok'])).toEqual({ shell: 'npm test && echo ok' });
    expect(commandSpec(['ls'])).toEqual({ argv: ['ls'] });
    expect(commandSpec(['echo', 'hi'], true)).toEqual({ shell: 'echo hi' });
    expect(() => commandSpec([])).toThrow(/No command given/);
  });

  test('options become a validated add input; ERRAND_ variables of an enclosing job are not inherited', () => {
    const input = addInput(['make'], { priority: '5', label: ['ci'], retries: '2', after: '3,#4', timeout: '5m', delay: '30s', plan: 'a, b' }, { PATH: '/bin', ERRAND_JOB_ID: '9' }, '/tmp');
    expect(input).toMatchObject({ command: { argv: ['make'] }, cwd: '/tmp', priority: 5, after: [3, 4], labels: ['ci'], retries: 2, timeoutMs: 300_000, delayMs: 30_000, plan: ['a', 'b'], env: { PATH: '/bin' } });
    expect(input.env).not.toHaveProperty('ERRAND_JOB_ID');
    expect(() => addInput(['x'], { priority: 'high', label: [], retries: '0' })).toThrow(/priority must be a whole number/);
    expect(() => addInput(['x'], { priority: '0', label: [], retries: '0', after: '1,x' })).toThrow(/Not a job id: 'x'/);
  });

  test('ids, progress and the in-job context', () => {
    expect(parseId('#12')).toBe(12);
    expect(() => parseId('-1')).toThrow(/Not a job id/);
    expect(parseProgress('3/10')).toEqual({ done: 3, total: 10 });
    expect(parseProgress('42')).toEqual({ done: 42, total: null });
    expect(() => parseProgress('3/0')).toThrow(/N\/M/);
    expect(currentJob({ ERRAND_JOB_ID: '7', ERRAND_ATTEMPT: '2', ERRAND_HOME: '/h' })).toEqual({ jobId: 7, attempt: 2, home: '/h' });
    expect(() => currentJob({})).toThrow(/inside an Errand job/);
  });

  test('home: --home, then ERRAND_HOME, then the app-data dir the tray app uses', () => {
    expect(resolveHome({ home: '/a' }, { ERRAND_HOME: '/b' })).toBe('/a');
    expect(resolveHome({}, { ERRAND_HOME: '/b' })).toBe('/b');
    if (process.platform === 'linux') expect(resolveHome({}, { XDG_CONFIG_HOME: '/x' })).toBe('/x/Errand');
  });
});

describe('terminal output', () => {
  const job = (over: Partial<Job>): Job => ({
    id: 1, title: 'a title', kind: 'command', status: 'running', priority: 0, after: [], labels: [], cwd: '/', command: 'x', createdAt: 0,
    startedAt: 0, finishedAt: null, notBefore: null, attempt: 1, maxRetries: 0, timeoutMs: null, restartable: false,
    progress: { done: 1, total: 4, unit: null, label: null }, eta: { seconds: 120, basis: 'progress' }, activity: 'running: x',
    exitCode: null, signal: null, error: null, resultSummary: null, plan: [], unread: false, attention: null, progressText: '25%', agent: null, addedBy: null, ...over,
  });

  test('the table fits the terminal width', () => {
    const long = job({ title: 'x'.repeat(200), activity: 'y'.repeat(200) });
    for (const width of [60, 80, 120]) {
      for (const line of jobTable([long, job({ id: 22 })], width, painter(false)).split('\n')) expect([...line].length).toBeLessThanOrEqual(width);
    }
    expect(jobTable([job({})], 100, painter(false))).toMatch(/#1\s+running\s+a title\s+25%\s+2m/);
  });

  test('fit truncates with an ellipsis and never splits a character', () => {
    expect(fit('héllo wörld', 5)).toBe('héll…');
    expect(fit('a\n b', 10)).toBe('a b');
  });

  test('progress is the host\'s text everywhere; show adds the counts behind a percent', () => {
    const files = job({ progress: { done: 31, total: 50, unit: 'files', label: null }, progressText: '62%' });
    expect(jobTable([files], 100, painter(false))).toMatch(/#1\s+running\s+a title\s+62%/);
    expect(jobSummary(files, painter(false))).toMatch(/progress\s+62% \(31\/50 files\)/);
    expect(waitLine(files, 100, painter(false))).toMatch(/▓+░+ {2}62% ETA 2m/);
    const count = job({ progress: { done: 31, total: null, unit: 'files', label: null }, progressText: '31 files' });
    expect(jobTable([count], 100, painter(false))).toMatch(/a title\s+31 files/);
    expect(jobSummary(count, painter(false))).toMatch(/progress\s+31 files\n/);
    expect(waitLine(count, 100, painter(false))).toMatch(/running\s+31 files ETA 2m/);
    // the text is read, never recomputed from progress
    expect(jobTable([job({ progressText: 'host' })], 100, painter(false))).toMatch(/a title\s+host\s/);
  });

  test('show names what a job asks of you in the shared words', () => {
    expect(jobSummary(job({ status: 'failed', activity: 'exited with code 1', attention: 'needs-you' }), painter(false))).toMatch(/status\s+failed · exited with code 1 · needs you\n/);
    expect(jobSummary(job({ status: 'succeeded', activity: 'done', attention: 'unread-result' }), painter(false))).toMatch(/status\s+succeeded · done · unread result\n/);
    expect(jobSummary(job({ status: 'succeeded', activity: 'done', attention: null }), painter(false))).toMatch(/status\s+succeeded · done\n/);
  });

  test('colour only when asked', () => {
    expect(painter(true)('red', 'x')).toBe('\x1b[31mx\x1b[0m');
    expect(painter(false)('red', 'x')).toBe('x');
  });
});
