import type { ErrandApp } from './app';
import { useApp, useAppState } from '../ui/context';
import { buildList, type ListModel } from './derive';

const cache = new WeakMap<ErrandApp, { key: string; model: ListModel }>();

/**
 * The middle pane's model, shared by every component that reads it and rebuilt only
 * when order, filter or view change, not on progress ticks.
 */
export function listModel(app: ErrandApp): ListModel {
  const s = app.store.getState();
  const key = `${s.orderVersion}|${s.approvalsVersion}|${s.view}|${s.label ?? ''}|${s.filter}`;
  const hit = cache.get(app);
  if (hit && hit.key === key) return hit.model;
  const model = buildList(s.jobs, s.approvals, s.view, { text: s.filter, label: s.label });
  cache.set(app, { key, model });
  return model;
}

export function useListModel(): ListModel {
  const app = useApp();
  // subscribe to what the model depends on; the model itself comes from the shared cache
  useAppState((s) => `${s.orderVersion}|${s.approvalsVersion}|${s.view}|${s.label ?? ''}|${s.filter}`);
  return listModel(app);
}
