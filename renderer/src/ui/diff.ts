/** A unified diff has a diff/---+++ header or a hunk header on its own line. */
export function looksLikeDiff(text: string | null): boolean {
  if (!text) return false;
  return /^diff --git /m.test(text) || (/^--- .*$/m.test(text) && /^\+\+\+ .*$/m.test(text) && /^@@ .* @@/m.test(text));
}

/**
 * Text as a unified diff the diff view can draw (it wants git's headers): a git diff as it
 * is; a plain unified diff (---/+++ without "diff --git") with git headers added; bare
 * hunks (an agent's edit often comes as "@@ -1 +1 @@ …" alone) under headers naming
 * `path`; anything else null.
 */
export function asUnifiedDiff(text: string | null, path = 'file'): string | null {
  if (!text) return null;
  if (/^diff --git /m.test(text)) return text;
  if (looksLikeDiff(text)) {
    return text.replace(/^--- (.+)\n\+\+\+ (.+)$/gm, (whole, a: string, b: string) => {
      const name = (p: string): string => p.replace(/\t.*$/, '').replace(/^[ab]\//, '');
      const to = name(b) === '/dev/null' ? name(a) : name(b);
      const from = name(a) === '/dev/null' ? to : name(a);
      return `diff --git a/${from} b/${to}\n${whole}`;
    });
  }
  const trimmed = text.trimStart();
  if (/^@@ -\d+(,\d+)? \+\d+(,\d+)? @@/.test(trimmed)) return `diff --git a/${path} b/${path}\n--- a/${path}\n+++ b/${path}\n${trimmed}`;
  return null;
}

/**
 * A command approval's context: the command line, and the directory it runs in when the
 * context names one on a line of its own ("cwd: DIR", "in DIR", "(in DIR)").
 */
export function commandContext(text: string): { command: string; cwd: string | null } {
  const lines = text.replace(/\s+$/, '').split('\n');
  let cwd: string | null = null;
  const rest: string[] = [];
  for (const line of lines) {
    const m: RegExpExecArray | null = cwd === null ? /^\s*(?:\(in (.+)\)|(?:cwd|in|directory|dir|workdir):\s*(.+?))\s*$/i.exec(line) : null;
    if (m) cwd = (m[1] ?? m[2])!.trim();
    else rest.push(line);
  }
  return { command: rest.join('\n').trim(), cwd };
}
