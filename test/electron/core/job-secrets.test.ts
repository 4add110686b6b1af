import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { HostEvent } from '../../../electron/contract/events';
import { openTestEngine, readText, type TestEngine, waitFor } from '../../helpers/engine';
import { openEngine } from '../../helpers/test-api';

// An API key handed to a job reaches the job's processes and nothing else: not the
// store (any file of it), not the job's JSON, not an event.

let t: TestEngine;
afterEach(() => t.dispose());

const SECRET = 'sk-test-4f9c2e7d1a';

function filesContaining(dir: string, needle: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    if (fs.readFileSync(file).includes(needle)) out.push(file);
  }
  return out;
}

test('a secret variable reaches the job and no file of the store, no job JSON and no event', async () => {
  t = openTestEngine();
  const events: HostEvent[] = [];
  t.engine.listen((e) => events.push(e));
  const out = path.join(t.home, 'work');
  fs.mkdirSync(out);
  const job = t.engine.add({ command: { shell: 'printf "%s" "$OPENAI_API_KEY" > seen' }, cwd: out, env: { PLAIN: 'visible' }, secretEnv: { OPENAI_API_KEY: SECRET } });
  expect((await waitFor(t.engine, job.id)).status).toBe('succeeded');
  expect(readText(path.join(out, 'seen'))).toBe(SECRET);
  fs.rmSync(path.join(out, 'seen'));
  expect(JSON.stringify(t.engine.get(job.id))).not.toContain(SECRET);
  expect(JSON.stringify(t.engine.list())).not.toContain(SECRET);
  expect(JSON.stringify(events)).not.toContain(SECRET);
  await t.engine.close();
  expect(filesContaining(t.home, SECRET)).toEqual([]);
  // the store never had it: after a restart the job runs without it
  const again = openEngine({ home: t.home, killGraceMs: 300 });
  try {
    again.retry([job.id]);
    await waitFor(again, job.id);
    expect(readText(path.join(out, 'seen'))).toBe('');
  } finally {
    await again.close();
  }
});
