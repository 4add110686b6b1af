// Human wording shared by the CLI, the tray and the job window so they never disagree.

/** 134 → "2m 14s"; 3 → "3s"; 7260 → "2h 1m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** A coarse ETA for one line of status: "6m", "40s", "2h". */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${Math.max(1, Math.ceil(s / 10) * 10)}s`;
  if (s < 3600) return `${Math.ceil(s / 60)}m`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return m ? `${h}h ${m}m` : `${h}h`;
}

/** "just now", "4 min ago", "3 h ago", "2 d ago". */
export function formatAgo(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** Parses "30s", "5m", "1h30m", "2d", "250ms" or a bare number of seconds into milliseconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  let total = 0;
  let matched = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * unit[m[2]!]!;
    matched = re.lastIndex;
  }
  return matched === t.length && matched > 0 ? Math.round(total) : null;
}

/** Quotes an argv for display the way a POSIX shell would read it back. */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

interface ProgressLike {
  done: number;
  total: number | null;
  unit: string | null;
}

/** Percent done (0–100, floored), or null when the total is unknown. */
export function progressPercent(p: ProgressLike | null): number | null {
  if (!p || !p.total) return null;
  return Math.max(0, Math.min(100, Math.floor((p.done / p.total) * 100)));
}

const num = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(1));

/**
 * A job's progress in a few characters, the same on every surface (the host puts it on
 * the job as `progressText`): "62%" when the total is known, else the count ("31 files",
 * "31"); null with no progress.
 */
export function progressText(p: ProgressLike | null): string | null {
  if (!p) return null;
  const pct = progressPercent(p);
  return pct !== null ? `${pct}%` : `${num(p.done)}${p.unit ? ` ${p.unit}` : ''}`;
}

/** The counts behind the percent, for detail views: "31/50 files", "31 files". */
export function progressCounts(p: ProgressLike | null): string | null {
  if (!p) return null;
  const unit = p.unit ? ` ${p.unit}` : '';
  return p.total ? `${num(p.done)}/${num(p.total)}${unit}` : `${num(p.done)}${unit}`;
}
