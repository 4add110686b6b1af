import { type ReactNode, useMemo, useState } from 'react';
import { Diff, Hunk, parseDiff } from 'react-diff-view';
import { allExpanded, collapseAllNested, darkStyles, defaultStyles, JsonView } from 'react-json-view-lite';
import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import type { JobResult } from '../../../electron/contract/job';
import { copyText, saveFile } from './download';

/** A result by its type; `apply` (the Apply bar) goes between a patch's report and its diff. */
export function ResultView({ result, name, apply = null }: { result: JobResult; name: string; apply?: ReactNode }) {
  return (
    <div className={`result r-${result.type}`} data-testid="result">
      {result.summary ? <p className="summary">{result.summary}</p> : null}
      {result.type === 'patch' && result.report ? (
        <section className="patch-report" aria-label="Report">
          <ReportView markdown={result.report} name={name} />
        </section>
      ) : null}
      {result.type === 'patch' ? apply : null}
      {result.type === 'patch' ? <PatchView patch={result.patch} name={name} /> : null}
      {result.type === 'report' ? <ReportView markdown={result.markdown} name={name} /> : null}
      {result.type === 'json' ? <JsonResult value={result.value} name={name} /> : null}
      {result.type === 'files' ? <FilesResult files={result.files} /> : null}
      {result.type === 'none' && !result.summary ? <p className="muted">The job finished without a result.</p> : null}
    </div>
  );
}

function CopySave({ text, file, type, what }: { text: string; file: string; type: string; what: string }) {
  const [note, setNote] = useState<string | null>(null);
  return (
    <div className="result-tools" role="toolbar" aria-label={`${what} actions`}>
      <button
        type="button"
        onClick={() =>
          copyText(text).then(
            () => setNote('Copied.'),
            (e: unknown) => setNote((e as Error).message),
          )
        }
      >
        Copy {what}
      </button>
      <button type="button" onClick={() => saveFile(file, text, type)}>
        Save {file}
      </button>
      {note ? (
        <span className="muted" role="status">
          {note}
        </span>
      ) : null}
    </div>
  );
}

export function PatchView({ patch, name, tools = true }: { patch: string; name: string; tools?: boolean }) {
  const files = useMemo(() => {
    try {
      return parseDiff(patch, { nearbySequences: 'zip' });
    } catch {
      return null;
    }
  }, [patch]);
  return (
    <div className="patch">
      {tools ? <CopySave text={patch} file={`${name}.patch`} type="text/x-diff" what="patch" /> : null}
      {files === null || !files.length ? (
        <pre className="raw-patch">{patch}</pre>
      ) : (
        files.map((f, i) => {
          const path = f.type === 'delete' ? f.oldPath : f.newPath;
          const rename = f.type === 'rename' || (f.oldPath && f.newPath && f.oldPath !== f.newPath && f.type !== 'add' && f.type !== 'delete');
          return (
            <section key={`${path}:${i}`} className="diff-file" aria-label={`Changes to ${path}`}>
              <h4 className="diff-path">
                <span className={`ftype ft-${f.type}`}>{f.type === 'add' ? 'new' : f.type === 'delete' ? 'deleted' : rename ? 'renamed' : 'changed'}</span>{' '}
                {rename ? `${f.oldPath} → ${f.newPath}` : path}
              </h4>
              {f.hunks.length ? (
                <Diff viewType="unified" diffType={f.type} hunks={f.hunks} gutterType="default">
                  {(hunks) => hunks.map((h) => <Hunk key={h.content} hunk={h} />)}
                </Diff>
              ) : (
                <p className="muted">{f.isBinary ? 'Binary file.' : 'No line changes (mode or rename only).'}</p>
              )}
            </section>
          );
        })
      )}
    </div>
  );
}

/** Markdown without raw HTML and without remote content: images become their alt text and address. */
const mdComponents: Components = {
  img: ({ alt, src }) => (
    <span className="md-img" title={typeof src === 'string' ? src : undefined}>
      [image{alt ? `: ${alt}` : ''}]
    </span>
  ),
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
};

export function ReportView({ markdown, name }: { markdown: string; name: string }) {
  return (
    <div className="report">
      <CopySave text={markdown} file={`${name}.md`} type="text/markdown" what="report" />
      <article className="md">
        <Markdown skipHtml remarkPlugins={[remarkGfm]} components={mdComponents}>
          {markdown}
        </Markdown>
      </article>
    </div>
  );
}

function prefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

export function JsonResult({ value, name }: { value: unknown; name: string }) {
  const [expandAll, setExpandAll] = useState(false);
  const text = useMemo(() => JSON.stringify(value, null, 2) ?? 'null', [value]);
  const isTree = value !== null && typeof value === 'object';
  return (
    <div className="json">
      <CopySave text={text} file={`${name}.json`} type="application/json" what="JSON" />
      {isTree ? (
        <>
          <button type="button" className="link" onClick={() => setExpandAll((x) => !x)}>
            {expandAll ? 'Collapse nested' : 'Expand all'}
          </button>
          <div className="json-tree">
            <JsonView key={String(expandAll)} data={value as object} shouldExpandNode={expandAll ? allExpanded : collapseAllNested} style={prefersDark() ? darkStyles : defaultStyles} />
          </div>
        </>
      ) : (
        <pre className="json-scalar">{text}</pre>
      )}
    </div>
  );
}

export function FilesResult({ files }: { files: readonly string[] }) {
  const [note, setNote] = useState<string | null>(null);
  if (!files.length) return <p className="muted">No files.</p>;
  return (
    <div className="files">
      <div className="result-tools">
        <button
          type="button"
          onClick={() =>
            copyText(files.join('\n')).then(
              () => setNote('Copied.'),
              (e: unknown) => setNote((e as Error).message),
            )
          }
        >
          Copy paths
        </button>
        {note ? (
          <span className="muted" role="status">
            {note}
          </span>
        ) : null}
      </div>
      <ul className="file-list" aria-label="Files">
        {files.map((f) => (
          <li key={f}>
            <code>{f}</code>
          </li>
        ))}
      </ul>
    </div>
  );
}
