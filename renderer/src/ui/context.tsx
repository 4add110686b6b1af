import { createContext, useContext, useSyncExternalStore } from 'react';
import { useStore } from 'zustand';
import type { ErrandApp } from '../state/app';
import type { AppState } from '../state/store';

export const AppContext = createContext<ErrandApp | null>(null);

export function useApp(): ErrandApp {
  const app = useContext(AppContext);
  if (!app) throw new Error('useApp outside <AppContext.Provider>');
  return app;
}

export function useAppState<T>(selector: (s: AppState) => T): T {
  return useStore(useApp().store, selector);
}

// One shared clock for relative times ("4 min ago"): ticks twice a minute while visible.
let now = Date.now();
const clockListeners = new Set<() => void>();
let clockTimer: ReturnType<typeof setInterval> | null = null;
function subscribeClock(fn: () => void): () => void {
  clockListeners.add(fn);
  if (!clockTimer) {
    clockTimer = setInterval(() => {
      if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
      now = Date.now();
      for (const l of clockListeners) l();
    }, 30_000);
  }
  return () => {
    clockListeners.delete(fn);
    if (!clockListeners.size && clockTimer) {
      clearInterval(clockTimer);
      clockTimer = null;
    }
  };
}

export function useNow(): number {
  return useSyncExternalStore(subscribeClock, () => now);
}

/** Brings the clock up to date now (after a sync, so fresh times are not stale). */
export function touchClock(): void {
  now = Date.now();
  for (const l of clockListeners) l();
}
