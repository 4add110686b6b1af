import { useMemo } from 'react';
import { useApp, useAppState } from '../ui/context';
import { buildList, type ListModel } from './derive';

/** The middle pane's model; rebuilt only when order, filter or view change, not on progress ticks. */
export function useListModel(): ListModel {
  const app = useApp();
  const orderVersion = useAppState((s) => s.orderVersion);
  const approvalsVersion = useAppState((s) => s.approvalsVersion);
  const view = useAppState((s) => s.view);
  const filter = useAppState((s) => s.filter);
  const label = useAppState((s) => s.label);
  return useMemo(() => {
    const s = app.store.getState();
    return buildList(s.jobs, s.approvals, view, { text: filter, label });
  }, [app, orderVersion, approvalsVersion, view, filter, label]);
}
