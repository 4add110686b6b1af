import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
// @ts-expect-error -- plain JS build script without types
import { upToDate } from '../../build/scripts/prepare.mjs';
import { tempHome } from '../helpers/temp-home';

let cleanup = (): void => {};
afterEach(() => cleanup());

test('prepare rebuilds only when a source is newer than the last build', () => {
  const t = tempHome('errand-prepare-');
  cleanup = t.cleanup;
  const root = t.home;
  const src = path.join(root, 'electron', 'core', 'a.ts');
  fs.mkdirSync(path.dirname(src), { recursive: true });
  fs.writeFileSync(src, 'export {};\n');
  fs.mkdirSync(path.join(root, 'out'));
  expect(upToDate(root)).toBe(false); // never built
  const stamp = path.join(root, 'out', '.build-stamp');
  fs.writeFileSync(stamp, 'built\n');
  const past = new Date(Date.now() - 60_000);
  fs.utimesSync(src, past, past);
  expect(upToDate(root)).toBe(true);
  const later = new Date(Date.now() + 60_000);
  fs.utimesSync(src, later, later); // edited after the build
  expect(upToDate(root)).toBe(false);
});
