import { execFile } from 'node:child_process';
import { ErrandError } from '../contract/errors';

export interface ApplyOutcome {
  outcome: 'applied' | 'already-applied';
  files: string[];
  message: string;
}

interface Git {
  code: number;
  out: string;
}

function git(args: string[], cwd: string, input?: string): Promise<Git> {
  return new Promise((resolve) => {
    const child = execFile('git', args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}`.trim() });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The files a unified diff touches (the "b/" side; the "a/" side for deletions). */
export function patchFiles(patch: string): string[] {
  const files = new Set<string>();
  for (const m of patch.matchAll(/^diff --git a\/(.+?) b\/(.+)$/gm)) files.add(m[2]!);
  return [...files];
}

/**
 * Applies a patch to the git work tree holding `cwd`, from its top (patch paths are
 * relative to it): cleanly if it can, three-way if it must. One that is already in the
 * tree is reported as such and nothing changes. A conflict is refused naming the files,
 * with git's whole message.
 */
export async function applyPatch(cwd: string, patch: string, jobId: number): Promise<ApplyOutcome> {
  const top = await git(['rev-parse', '--show-toplevel'], cwd);
  if (top.code !== 0) throw new ErrandError('illegal_transition', `Cannot apply job #${jobId}'s patch: ${cwd} is not in a git work tree (${top.out}).`);
  const dir = top.out.split('\n')[0]!;
  const files = patchFiles(patch);
  const plain = await git(['apply', '--whitespace=nowarn', '-'], dir, patch);
  if (plain.code === 0) return { outcome: 'applied', files, message: `Applied job #${jobId}'s patch to ${dir}: ${files.length} file${files.length === 1 ? '' : 's'}.` };
  const reverse = await git(['apply', '--reverse', '--check', '-'], dir, patch);
  if (reverse.code === 0) return { outcome: 'already-applied', files, message: `Job #${jobId}'s patch is already applied in ${dir}; nothing changed.` };
  const threeWay = await git(['apply', '--3way', '--whitespace=nowarn', '-'], dir, patch);
  if (threeWay.code === 0) {
    const n = `${files.length} file${files.length === 1 ? '' : 's'}`;
    return { outcome: 'applied', files, message: `Applied job #${jobId}'s patch to ${dir} with a three-way merge: ${n} (staged, as git's three-way apply does).` };
  }
  const conflicted = (await git(['diff', '--name-only', '--diff-filter=U'], dir)).out.split('\n').filter(Boolean);
  const named = conflicted.length ? conflicted : files;
  const markers = conflicted.length ? ' They now hold conflict markers: resolve them, or restore them with git checkout -- <file>.' : ' Nothing was changed.';
  throw new ErrandError(
    'illegal_transition',
    `Job #${jobId}'s patch conflicts with ${dir} in ${named.join(', ')}.${markers}\ngit says:\n${[plain.out, threeWay.out].filter(Boolean).join('\n')}`,
  );
}
