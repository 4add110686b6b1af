import path from 'node:path';
import type { ToolKind } from '../../../contract/job';
import { PLAN_STEPS_MAX, QUESTION_MAX, STEP_NAME_MAX } from '../../../contract/limits';
import type { RunReporter } from '../runner';

// Small helpers the stream adapters share to put an agent's tool calls into Errand's words:
// short step names ("edit src/a.ts", "run npm test"), bounded details, paths relative to
// where the agent works, JSON lines read without ever throwing.

/** How much of a tool call's input a step keeps as its detail. */
export const DETAIL_MAX = 4000;

/** Cuts text to `max` characters, marking the cut. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** A step name: one line, within the contract's limit. */
export function stepName(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return clip(line || 'tool call', STEP_NAME_MAX);
}

/** A question for the approvals inbox, within the contract's limit. */
export function question(text: string): string {
  return clip(text.trim() || 'Allow this tool call?', QUESTION_MAX);
}

export const detail = (text: string | null | undefined): string | null => (text ? clip(text, DETAIL_MAX) : null);

/** A path as the person knows it: relative to the agent's directory when inside it. */
export function relPath(p: string, cwd: string): string {
  if (!p) return p;
  if (!path.isAbsolute(p)) return p;
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

/** A JSON object from one line of the stream, or null (not JSON, not an object). */
export function parseEvent(line: string): Record<string, unknown> | null {
  if (line.charCodeAt(0) !== 123 /* { */) return null;
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
export const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Compact JSON of a tool's input for a detail or an approval's context. */
export function inputText(input: unknown, max = DETAIL_MAX): string {
  let s: string;
  try {
    s = JSON.stringify(input, null, 2) ?? '';
  } catch {
    s = String(input);
  }
  return clip(s, max);
}

const linesOf = (text: string): string[] => {
  if (!text) return [];
  const ls = text.split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  return ls;
};

/**
 * An edit as a unified diff the window draws and people read in the inbox: the old text
 * ("-") and the new ("+") under the file's name, from `line` on (1-based). `before` null
 * is a new file.
 */
export function unifiedDiff(file: string, before: string | null, after: string, line = 1, max = DETAIL_MAX): string {
  const old = linesOf(before ?? '');
  const now = linesOf(after);
  const start = (n: number): string => (n === 0 ? `${Math.max(0, line - 1)},0` : n === 1 ? `${line}` : `${line},${n}`);
  const out = [before === null ? '--- /dev/null' : `--- a/${file}`, `+++ b/${file}`, `@@ -${before === null ? '0,0' : start(old.length)} +${start(now.length)} @@`];
  for (const l of old) out.push(`-${l}`);
  for (const l of now) out.push(`+${l}`);
  return clip(out.join('\n'), max);
}

/**
 * The command a person typed, out of the shell wrapper an agent runs it in
 * (`/bin/bash -lc 'npm test'` → `npm test`).
 */
export function unwrapShell(cmd: string): string {
  const m = /^(?:\S*\/)?(?:bash|sh|zsh|dash)(?:\.exe)?\s+-l?c\s+([\s\S]+)$/.exec(cmd.trim());
  if (!m) return cmd;
  const q = m[1]!.trim();
  if (q.length >= 2 && q.startsWith("'") && q.endsWith("'")) return q.slice(1, -1).replace(/'\\''/g, "'");
  if (q.length >= 2 && q.startsWith('"') && q.endsWith('"')) return q.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  return q;
}

/**
 * One Errand step per tool call. Errand keeps one step running at a time (a new running
 * step closes the one before it as done), so when an agent runs tools in parallel the
 * earlier call's own end is not reported again: that would append a second entry.
 */
export class ToolSteps {
  private current: { id: string; name: string } | null = null;
  private readonly started = new Set<string>();

  constructor(private readonly report: RunReporter) {}

  start(id: string, name: string, tool: ToolKind, detailText: string | null): void {
    this.started.add(id);
    this.current = { id, name };
    this.report.step(name, 'running', { tool, detail: detailText });
  }

  /** A call ended; one never seen starting is recorded whole from `whole` (if given). */
  end(id: string, ok: boolean, whole?: { name: string; tool: ToolKind; detail: string | null }): void {
    const status = ok ? 'done' : 'failed';
    if (this.current?.id === id) {
      const { name } = this.current;
      this.current = null;
      this.report.step(name, status);
    } else if (!this.started.has(id) && whole) {
      this.started.add(id);
      this.report.step(whole.name, status, { tool: whole.tool, detail: whole.detail });
    }
  }
}

/**
 * An agent's todo list as Errand's plan: the plan is declared again when its items
 * change, and an item the agent marks done is recorded once as a done step.
 */
export class PlanSteps {
  private last = '';
  private readonly done = new Set<string>();

  constructor(private readonly report: RunReporter) {}

  update(items: readonly { text: string; done: boolean }[]): void {
    const names = items.map((i) => stepName(i.text)).filter((n, i, all) => all.indexOf(n) === i);
    const key = JSON.stringify(names);
    if (key !== this.last) {
      this.last = key;
      this.report.plan(names.slice(0, PLAN_STEPS_MAX));
    }
    for (const i of items) {
      const name = stepName(i.text);
      if (i.done && !this.done.has(name)) {
        this.done.add(name);
        this.report.step(name, 'done');
      }
    }
  }
}
