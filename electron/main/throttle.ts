// Host events can arrive ten times a second per job; the tray needs at most one
// refresh per interval. Leading call runs at once, the rest collapse into one
// trailing call, and nothing is scheduled while nothing happens.
import type { Timers } from './notifications';

export interface Throttled {
  (): void;
  cancel(): void;
}

export function throttle(fn: () => void, ms: number, now: () => number = Date.now, timers: Timers = defaultTimers): Throttled {
  let last = -Infinity;
  let timer: unknown = null;
  const run = (): void => {
    timer = null;
    last = now();
    fn();
  };
  const t = (() => {
    if (timer !== null) return;
    const wait = last + ms - now();
    if (wait <= 0) run();
    else timer = timers.setTimeout(run, wait);
  }) as Throttled;
  t.cancel = () => {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
  };
  return t;
}

const defaultTimers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
