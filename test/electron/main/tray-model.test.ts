import { describe, expect, test } from 'vitest';
import type { Job } from '../../../electron/contract/job';
import {
  type MenuEntry,
  type Snapshot,
  badgeCount,
  clip,
  macTitle,
  menuKey,
  relabelDelay,
  trayMenuModel,
  trayState,
} from '../../../electron/main/tray-model';
import { approval, job, status } from './fixtures';

const NOW = 10_000_000;
const labelOf = (e: MenuEntry): string => (e.kind === 'separator' ? '---' : e.label);
const labels = (entries: MenuEntry[]): string[] => entries.map(labelOf);
const snap = (over: Partial<Snapshot> = {}): Snapshot => ({ jobs: [], approvals: [], status: status(), ...over });

describe('trayState', () => {
  test('idle when nothing runs, even with queued jobs held back', () => {
    expect(trayState(status())).toBe('idle');
    expect(trayState(status({ counts: { queued: 4 }, queue: { paused: true, concurrency: 2, running: 0 } }))).toBe('idle');
  });
  test('working while a job runs', () => {
    expect(trayState(status({ counts: { running: 2, queued: 1 } }))).toBe('working');
  });
  test('needs-you beats everything while a job waits for approval', () => {
    expect(trayState(status({ counts: { running: 3, waiting: 1, failed: 2 }, attention: { needsYou: 3, unreadResults: 0 } }))).toBe('needs-you');
  });
  test('failed when an unread failure is counted in needsYou and nothing waits', () => {
    expect(trayState(status({ counts: { running: 1, failed: 1 }, attention: { needsYou: 1, unreadResults: 0 } }))).toBe('failed');
  });
  test('a read failure leaves no mark', () => {
    expect(trayState(status({ counts: { failed: 1 }, attention: { needsYou: 0, unreadResults: 0 } }))).toBe('idle');
  });
});

describe('badgeCount', () => {
  test('needs-you plus unread results, not unread plain successes or read results', () => {
    const s = snap({
      status: status({ attention: { needsYou: 2, unreadResults: 1 } }),
      jobs: [
        job({ id: 1, status: 'succeeded', unread: true, resultSummary: { type: 'report', summary: 'r' } }),
        job({ id: 2, status: 'succeeded', unread: true, resultSummary: null }),
        job({ id: 3, status: 'succeeded', unread: false, resultSummary: { type: 'none', summary: 'x' } }),
        // failures are already inside needsYou: not counted twice
        job({ id: 4, status: 'failed', unread: true, resultSummary: { type: 'none', summary: 'x' } }),
      ],
    });
    expect(badgeCount(s)).toBe(3);
  });
});

describe('macTitle', () => {
  test('the status line, empty when idle', () => {
    expect(macTitle(status({ line: '2 running · ETA 6m' }))).toBe('2 running · ETA 6m');
    expect(macTitle(status({ line: 'idle' }))).toBe('');
  });
});

describe('trayMenuModel', () => {
  test('empty queue: header, then only the actions', () => {
    const m = trayMenuModel(snap(), NOW);
    expect(labels(m.entries)).toEqual(['idle', '---', 'New job…', 'Pause queue', 'Open Errand', '---', 'Quit']);
    const newJob = m.entries.find((e) => e.kind === 'item' && e.label === 'New job…');
    expect(newJob).toMatchObject({ accelerator: 'CommandOrControl+Shift+N', action: { type: 'new-job' } });
    expect(m.entries.find((e) => e.kind === 'item' && e.label === 'Open Errand')).toMatchObject({ accelerator: 'CommandOrControl+Shift+E' });
  });

  test('the sections of UI.md, in order, with questions, progress, ETA and relative times', () => {
    const s = snap({
      status: status({ line: '2 running · 1 needs you · ETA 6m', attention: { needsYou: 1, unreadResults: 0 }, counts: { running: 2, waiting: 1 } }),
      approvals: [approval({ id: 9, jobId: 41, question: 'Write 3 files in ~/notes' })],
      jobs: [
        job({ id: 41, title: 'Tidy notes', status: 'waiting', activity: 'waiting for approval: Write 3 files in ~/notes' }),
        job({ id: 39, title: 'npm test (api)', status: 'running', startedAt: 1, progress: { done: 62, total: 100, unit: null, label: null }, eta: { seconds: 110, basis: 'progress' } }),
        job({ id: 40, title: 'Summarise inbox', status: 'running', startedAt: 2, activity: 'step: read mail' }),
        job({ id: 37, title: 'Rename photos', status: 'succeeded', finishedAt: NOW - 120_000 }),
        job({ id: 36, title: 'Deploy preview', status: 'failed', finishedAt: NOW - 300_000, error: 'exited with code 1' }),
      ],
    });
    expect(labels(trayMenuModel(s, NOW).entries)).toEqual([
      '2 running · 1 needs you · ETA 6m',
      '---',
      'Needs you',
      '#41 Tidy notes: Write 3 files in ~/notes',
      'Working',
      '#39 npm test (api) · 62% · ETA 2m',
      '#40 Summarise inbox · step: read mail',
      'Recent',
      '#37 ✓ Rename photos · 2 min ago',
      '#36 ✗ Deploy preview · failed · 5 min ago',
      '---',
      'New job…',
      'Pause queue',
      'Open Errand',
      '---',
      'Quit',
    ]);
  });

  test('job rows open their job; section headers are not clickable', () => {
    const m = trayMenuModel(snap({ jobs: [job({ id: 7, status: 'running' })] }), NOW);
    expect(m.entries.find((e) => e.kind === 'item' && e.label.startsWith('#7'))).toMatchObject({ action: { type: 'open-job', id: 7 } });
    expect(m.entries.find((e) => labelOf(e) === 'Working')).toEqual({ kind: 'header', label: 'Working' });
  });

  test('an unread failure is listed under Needs you (it is in the count) and not again in Recent', () => {
    const s = snap({ jobs: [job({ id: 5, title: 'Build', status: 'failed', unread: true, error: 'exited with code 2', finishedAt: NOW - 1000 })] });
    const l = labels(trayMenuModel(s, NOW).entries);
    expect(l).toContain('#5 Build: exited with code 2');
    expect(l).not.toContain('Recent');
  });

  test('Needs you lists exactly the jobs the host marks needs-you; unread results stay in Recent', () => {
    const s = snap({
      jobs: [
        job({ id: 1, title: 'Report', status: 'succeeded', unread: true, resultSummary: { type: 'report', summary: 'r' }, finishedAt: NOW - 1000 }),
        job({ id: 2, title: 'Nothing', status: 'succeeded', unread: true, resultSummary: { type: 'none', summary: 'x' }, finishedAt: NOW - 2000 }),
        job({ id: 3, title: 'Seen', status: 'failed', unread: false, error: 'exited with code 1', finishedAt: NOW - 3000 }),
        job({ id: 4, title: 'Broke', status: 'interrupted', unread: true, error: 'interrupted: the host stopped while it ran', finishedAt: NOW - 4000 }),
      ],
    });
    const entries = trayMenuModel(s, NOW, { perSection: 10 }).entries;
    const l = labels(entries);
    const section = l.slice(l.indexOf('Needs you') + 1, l.indexOf('Recent'));
    expect(section).toEqual(['#4 Broke: interrupted: the host stopped while it ran']);
    expect(l.slice(l.indexOf('Recent') + 1).filter((x) => x.startsWith('#')).map((x) => x.split(' ')[0])).toEqual(['#1', '#2', '#3']);
  });

  test('falls back to the activity line for the question when the approval is not known', () => {
    const s = snap({ jobs: [job({ id: 3, title: 'Ship', status: 'waiting', activity: 'waiting for approval: Deploy to prod?' })] });
    expect(labels(trayMenuModel(s, NOW).entries)).toContain('#3 Ship: Deploy to prod?');
  });

  test('Recent keeps the 5 newest finished jobs', () => {
    const jobs = Array.from({ length: 8 }, (_, i) => job({ id: i + 1, status: 'succeeded', finishedAt: NOW - (8 - i) * 60_000 }));
    const recent = labels(trayMenuModel(snap({ jobs }), NOW).entries).filter((l) => l.includes('✓'));
    expect(recent.map((l) => l.split(' ')[0])).toEqual(['#8', '#7', '#6', '#5', '#4']);
  });

  test('long sections end with "and N more…" that opens the window', () => {
    const jobs = Array.from({ length: 7 }, (_, i) => job({ id: i + 1, status: 'running', startedAt: i }));
    const m = trayMenuModel(snap({ jobs }), NOW);
    const more = m.entries.find((e) => e.kind === 'item' && e.label === 'and 2 more…');
    expect(more).toMatchObject({ action: { type: 'open' } });
    expect(m.entries.filter((e) => e.kind === 'item' && e.action.type === 'open-job')).toHaveLength(5);
  });

  test('Pause becomes Resume when the queue is paused', () => {
    const m = trayMenuModel(snap({ status: status({ line: 'paused · 3 queued', queue: { paused: true, concurrency: 2, running: 0 } }) }), NOW);
    expect(m.entries.find((e) => e.kind === 'item' && e.label === 'Resume queue')).toMatchObject({ action: { type: 'resume' } });
    expect(labels(m.entries)).not.toContain('Pause queue');
  });

  test('Open at login shows only when offered, with its state', () => {
    expect(labels(trayMenuModel(snap(), NOW, { openAtLogin: null }).entries)).not.toContain('Open at login');
    expect(trayMenuModel(snap(), NOW, { openAtLogin: true }).entries.find((e) => labelOf(e) === 'Open at login')).toEqual({
      kind: 'check',
      label: 'Open at login',
      checked: true,
      action: { type: 'toggle-login' },
    });
  });

  test('titles with newlines and huge lengths become one clipped line', () => {
    const s = snap({ jobs: [job({ id: 1, status: 'running', title: `line one\nline two\t${'x'.repeat(200)}` })] });
    const row = labels(trayMenuModel(s, NOW).entries).find((l) => l.startsWith('#1'))!;
    expect(row).not.toMatch(/[\n\t]/);
    expect(row.length).toBeLessThanOrEqual(45);
    expect(row.endsWith('…')).toBe(true);
  });
});

describe('menuKey', () => {
  test('same model → same key; a visible change → a new key', () => {
    const a = snap({ jobs: [job({ id: 1, status: 'running', progress: { done: 1, total: 4, unit: null, label: null } })] });
    const b = snap({ jobs: [job({ id: 1, status: 'running', progress: { done: 1, total: 4, unit: null, label: null } })] });
    const c = snap({ jobs: [job({ id: 1, status: 'running', progress: { done: 2, total: 4, unit: null, label: null } })] });
    expect(menuKey(trayMenuModel(a, NOW))).toBe(menuKey(trayMenuModel(b, NOW)));
    expect(menuKey(trayMenuModel(a, NOW))).not.toBe(menuKey(trayMenuModel(c, NOW)));
  });
  test('progress that does not change the shown percent does not change the key', () => {
    const at = (done: number): string => menuKey(trayMenuModel(snap({ jobs: [job({ id: 1, status: 'running', progress: { done, total: 1000, unit: null, label: null } })] }), NOW));
    expect(at(621)).toBe(at(629));
  });
});

describe('helpers', () => {
  test('Working rows show the host\'s progress text as is (the same words as errand ls and the window)', () => {
    const row = (over: Partial<Job>): string => labels(trayMenuModel(snap({ jobs: [job({ id: 1, title: 't', status: 'running', ...over })] }), NOW).entries)[3]!;
    expect(row({ progress: { done: 3, total: 10, unit: null, label: null } })).toBe('#1 t · 30%');
    expect(row({ progress: { done: 12, total: null, unit: 'files', label: null } })).toBe('#1 t · 12 files');
    expect(row({ progress: { done: 12, total: null, unit: null, label: null } })).toBe('#1 t · 12');
    // read from job.progressText, never recomputed from progress
    expect(row({ progress: { done: 1, total: 2, unit: null, label: null }, progressText: 'host words' })).toBe('#1 t · host words');
  });
  test('clip collapses whitespace and control characters', () => {
    expect(clip('a\u0007\n  b', 10)).toBe('a b');
    expect(clip('abcdefghij', 5)).toBe('abcd…');
  });
  test('relabelDelay: each minute for fresh results, hourly for older, never for none', () => {
    expect(relabelDelay(snap(), NOW)).toBeNull();
    expect(relabelDelay(snap({ jobs: [job({ id: 1, status: 'succeeded', finishedAt: NOW - 10_000 })] }), NOW)).toBe(60_000);
    expect(relabelDelay(snap({ jobs: [job({ id: 1, status: 'failed', finishedAt: NOW - 7_200_000 })] }), NOW)).toBe(3_600_000);
    expect(relabelDelay(snap({ jobs: [job({ id: 1, status: 'succeeded', finishedAt: NOW - 200_000_000 })] }), NOW)).toBeNull();
  });
});
