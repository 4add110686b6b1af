import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh data dir per test, removed afterwards unless KEEP_TEST_HOMES is set. */
export function tempHome(prefix = 'errand-test-'): { home: string; cleanup: () => void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return {
    home,
    cleanup: () => {
      if (!process.env.KEEP_TEST_HOMES) fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Polls a condition (test helper only; the product itself never polls). */
export async function until<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
