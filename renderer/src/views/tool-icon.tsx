import type { ToolKind } from '../../../electron/contract/job';

// One small line glyph per kind of tool call, drawn inline (no icon font, no request):
// 16×16, stroked in the current colour so a failed or running row tints it.
const PATHS: Record<ToolKind | 'step', string[]> = {
  read: ['M4 1.75h5.25l2.75 2.75v9.75H4z', 'M6.25 7h3.5', 'M6.25 9.5h3.5', 'M6.25 12h2'],
  edit: ['M10.5 2.25l3.25 3.25L6 13.25H2.75V10z', 'M9 3.75l3.25 3.25'],
  run: ['M1.75 3h12.5v10H1.75z', 'M4.25 6.25l2 1.75-2 1.75', 'M7.75 10.25h3.5'],
  search: ['M7 2.75a4.25 4.25 0 1 1 0 8.5a4.25 4.25 0 1 1 0-8.5z', 'M10.25 10.25l3.5 3.5'],
  plan: ['M2 3.25l1.25 1.25 2-2', 'M7.25 3.75h6.75', 'M2 8.25l1.25 1.25 2-2', 'M7.25 8.75h6.75', 'M2.5 13.25h2.25', 'M7.25 13.25h6.75'],
  ask: ['M2 2.75h12v8.5H7.5l-3 2.75v-2.75H2z', 'M6.4 5.6a1.6 1.6 0 1 1 2.3 1.4c-.45.25-.7.55-.7 1.1', 'M8 9.4v.1'],
  web: ['M8 1.75a6.25 6.25 0 1 1 0 12.5a6.25 6.25 0 1 1 0-12.5z', 'M1.75 8h12.5', 'M8 1.75c2.25 2.25 2.25 10.25 0 12.5', 'M8 1.75c-2.25 2.25-2.25 10.25 0 12.5'],
  other: ['M3.5 8h.1', 'M8 8h.1', 'M12.5 8h.1'],
  step: ['M8 5.5a2.5 2.5 0 1 1 0 5a2.5 2.5 0 1 1 0-5z'],
};

/** The glyph of a tool kind (or a plain step when null); decorative, the row says the kind in words. */
export function ToolIcon({ kind }: { kind: ToolKind | null }) {
  const k = kind ?? 'step';
  return (
    <svg className={`tool-icon ti-${k}`} viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
      {PATHS[k].map((d) => (
        <path key={d} d={d} fill="none" stroke="currentColor" strokeWidth={k === 'other' ? 2.6 : 1.4} strokeLinecap="round" strokeLinejoin="round" />
      ))}
    </svg>
  );
}
