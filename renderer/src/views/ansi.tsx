import Anser from 'anser';
import { memo, type ReactNode } from 'react';

// ANSI → spans. Never innerHTML: anser only tokenises; React renders text nodes.

// eslint-disable-next-line no-control-regex -- escape codes are control characters
const ANSI_RE = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g;

/** What a terminal would show for one line: text after the last carriage return. */
export function terminalLine(line: string): string {
  const t = line.endsWith('\r') ? line.slice(0, -1) : line;
  const cr = t.lastIndexOf('\r');
  return cr === -1 ? t : t.slice(cr + 1);
}

/** The line without escape codes (for search). */
export function plainLine(line: string): string {
  return terminalLine(line).replace(ANSI_RE, '');
}

function classesOf(e: Anser.AnserJsonEntry): string {
  const c: string[] = [];
  if (e.fg && e.fg !== 'ansi-truecolor') c.push(`${e.fg}-fg`);
  if (e.bg && e.bg !== 'ansi-truecolor') c.push(`${e.bg}-bg`);
  for (const d of e.decorations) c.push(`ansi-${d}`);
  return c.join(' ');
}

function marked(text: string, query: string): ReactNode {
  if (!query) return text;
  const lower = text.toLowerCase();
  const out: ReactNode[] = [];
  let at = 0;
  for (let i = lower.indexOf(query); i !== -1; i = lower.indexOf(query, at)) {
    if (i > at) out.push(text.slice(at, i));
    out.push(<mark key={i}>{text.slice(i, i + query.length)}</mark>);
    at = i + query.length;
  }
  if (!out.length) return text;
  if (at < text.length) out.push(text.slice(at));
  return out;
}

/** One log line with its colours; `query` (lower case) is highlighted. */
export const AnsiLine = memo(function AnsiLine({ text, query }: { text: string; query: string }) {
  const visible = terminalLine(text);
  if (!visible.includes('\x1b')) return <>{marked(visible, query)}</>;
  const parts = Anser.ansiToJson(visible, { json: true, use_classes: true, remove_empty: true });
  return (
    <>
      {parts.map((p, i) => {
        const cls = classesOf(p);
        const style = p.fg === 'ansi-truecolor' || p.bg === 'ansi-truecolor' ? { color: p.fg === 'ansi-truecolor' ? `rgb(${p.fg_truecolor})` : undefined, backgroundColor: p.bg === 'ansi-truecolor' ? `rgb(${p.bg_truecolor})` : undefined } : undefined;
        return cls || style ? (
          <span key={i} className={cls || undefined} style={style}>
            {marked(p.content, query)}
          </span>
        ) : (
          <span key={i}>{marked(p.content, query)}</span>
        );
      })}
    </>
  );
});
