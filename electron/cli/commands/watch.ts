import type { HostEvent } from '../../contract/events';
import type { Job } from '../../contract/job';
import { isFinished } from '../../contract/status';
import type { Session } from '../../client/session';
import { type Globals, parseId, parseIntArg, print, printJson, withClient } from '../context';
import { painter, useColor, waitLine } from '../output';

/** A promise that resolves on the next matching event, re-armed each time. */
function signal(): { wait: () => Promise<void>; fire: () => void } {
  let resolve: (() => void) | null = null;
  let fired = false;
  return {
    wait: () =>
      fired
        ? ((fired = false), Promise.resolve())
        : new Promise<void>((r) => {
            resolve = r;
          }),
    fire: () => {
      if (resolve) {
        const r = resolve;
        resolve = null;
        r();
      } else fired = true;
    },
  };
}

export async function logs(g: Globals, idText: string, o: { follow?: boolean; attempt?: string }): Promise<void> {
  const id = parseId(idText);
  const pinned = o.attempt ? parseIntArg(o.attempt, 'attempt') : undefined;
  await withClient(g, async (c) => {
    let finished = false;
    const wake = signal();
    if (o.follow) {
      c.subscribe((e) => {
        if ((e.type === 'log' && e.jobId === id) || (e.type === 'job' && e.job.id === id)) {
          if (e.type === 'job') finished = isFinished(e.job.status);
          wake.fire();
        }
        if (e.type === 'removed' && e.ids.includes(id)) {
          finished = true;
          wake.fire();
        }
      });
      finished = isFinished((await c.call('get', { id })).job.status);
      void c.closed.then(() => wake.fire());
    }
    let offset = 0;
    let attempt: number | undefined;
    for (;;) {
      const r = await c.call('logs', { id, attempt: pinned, offset });
      if (attempt !== undefined && r.attempt !== attempt) {
        offset = 0; // a new attempt started: follow its log from the top
        attempt = r.attempt;
        continue;
      }
      attempt = r.attempt;
      const bytes = Buffer.from(r.data, 'base64');
      if (bytes.length) await write(bytes);
      offset += bytes.length;
      if (offset < r.size) continue;
      if (!o.follow || (finished && r.done) || pinned !== undefined) return;
      await wake.wait();
    }
  });
}

const write = (b: Buffer): Promise<void> => new Promise((r) => (process.stdout.write(b) ? r() : process.stdout.once('drain', r)));

export async function wait(g: Globals, idTexts: string[], o: { json?: boolean }): Promise<void> {
  const ids = [...new Set(idTexts.map((t) => parseId(t, 'ids')))];
  const jobs = await withClient(g, (c) => follow(c, ids, !o.json));
  if (o.json) printJson(jobs);
  process.exitCode = jobs.every((j) => j.status === 'succeeded') ? 0 : 1;
}

async function follow(c: Session, ids: number[], render: boolean): Promise<Job[]> {
  const state = new Map<number, Job>();
  const wake = signal();
  c.subscribe((e: HostEvent) => {
    if (e.type === 'job' && ids.includes(e.job.id)) {
      state.set(e.job.id, e.job);
      wake.fire();
    }
  });
  for (const id of ids) if (!state.has(id)) state.set(id, (await c.call('get', { id })).job);
  let lost = false;
  void c.closed.then(() => {
    lost = true;
    wake.fire();
  });
  const tty = render && Boolean(process.stdout.isTTY);
  const paint = painter(useColor());
  const seen = new Map<number, string>();
  let drawn = 0;
  const draw = (): void => {
    if (!render) return;
    const list = ids.map((id) => state.get(id)!);
    if (tty) {
      const width = process.stdout.columns || 100;
      const text = list.map((j) => waitLine(j, width, paint)).join('\n');
      process.stdout.write(`${drawn ? `\x1b[${drawn}F\x1b[J` : ''}${text}\n`);
      drawn = list.length;
    } else {
      for (const j of list) {
        const key = `${j.status}|${j.activity}`;
        if (seen.get(j.id) !== key) print(`#${j.id} ${j.activity.startsWith(j.status) ? j.activity : `${j.status}: ${j.activity}`}`);
        seen.set(j.id, key);
      }
    }
  };
  const tick = tty ? setInterval(draw, 1000) : null;
  try {
    for (;;) {
      draw();
      if (ids.every((id) => isFinished(state.get(id)!.status))) return ids.map((id) => state.get(id)!);
      if (lost) throw new Error('Lost the connection to the Errand host while waiting. Run errand wait again.');
      await wake.wait();
    }
  } finally {
    if (tick) clearInterval(tick);
  }
}
