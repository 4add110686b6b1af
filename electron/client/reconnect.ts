// When a session whose link dropped tries again. Off for the CLI (a lost host is an
// error the user sees); on for windows, which resync from a fresh snapshot.

export interface ReconnectPolicy {
  /** Delay before attempt n (1-based). Default: 250 ms doubling to 5 s, ±20 %. */
  backoff?: (attempt: number) => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  /**
   * Asked once after `diagnoseAfter` failed attempts: is there a reason retrying cannot
   * help (say the page's token was replaced)? A message ends the session with it.
   */
  diagnose?: () => Promise<string | null>;
  diagnoseAfter?: number;
}

export const defaultBackoff = (attempt: number): number => {
  const base = Math.min(5000, 250 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
};
