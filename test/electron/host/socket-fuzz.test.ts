import net from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { METHOD_NAMES } from '../../../electron/contract/api';
import { JOB_STATUSES } from '../../../electron/contract/job';
import { PROTOCOL_VERSION } from '../../../electron/contract/protocol';
import { type Host, startHost } from '../../../electron/host/host';
import { tempHome } from '../../helpers/temp-home';

let host: Host;
let home: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ home, cleanup } = tempHome('errand-fuzz-'));
  host = await startHost({ home });
});
afterAll(async () => {
  await host.close();
  cleanup();
});

/** mulberry32: a seeded PRNG, so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * (depth > 2 ? 6 : 8));
  switch (pick) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: return Math.floor((r() - 0.5) * 2 ** (r() * 60));
    case 3: return r() * 1e6 - 5e5;
    case 4: return String.fromCharCode(...Array.from({ length: Math.floor(r() * 20) }, () => Math.floor(r() * 0xffff)));
    case 5: return ['', 'ids', 'id', '-1', '1e309', '__proto__', 'constructor'][Math.floor(r() * 7)];
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const keys = ['id', 'ids', 'priority', 'command', 'cwd', 'argv', 'shell', 'after', 'jobs', 'status', 'note', 'concurrency', '__proto__', 'jobId', 'attempt'];
      return Object.fromEntries(Array.from({ length: Math.floor(r() * 4) }, () => [keys[Math.floor(r() * keys.length)]!, randomValue(r, depth + 1)]));
    }
  }
}

function randomFrame(r: () => number, nextId: () => number): string | Buffer {
  const kind = r();
  if (kind < 0.15) return Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
  if (kind < 0.3) return `${JSON.stringify(randomValue(r))}\n`;
  if (kind < 0.4) return '{"id": 1, "method": "list", "params": {\n'; // truncated JSON
  const methods = [...METHOD_NAMES.filter((m) => m !== 'shutdown'), 'subscribe', 'nope', '', 'constructor', '__proto__'];
  const method = methods[Math.floor(r() * methods.length)];
  return `${JSON.stringify({ id: kind < 0.45 ? randomValue(r) : nextId(), method, params: randomValue(r) })}\n`;
}

function open(): Promise<{ socket: net.Socket; replies: () => number }> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(host.socketPath!);
    let replies = 0;
    socket.on('data', (d) => (replies += d.toString().split('\n').length - 1));
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, replies: () => replies }));
    socket.once('error', reject);
  });
}

type Reply = { id: number | null; result?: unknown; error?: { code: string; message: string; field?: string } };

/** Sends raw request frames on a fresh connection and collects `count` reply frames. */
function exchange(frames: object[], count: number): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection(host.socketPath!);
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n').filter(Boolean);
      if (lines.length >= count) {
        s.end();
        resolve(lines.map((l) => JSON.parse(l) as Reply));
      }
    });
    s.on('error', reject);
    for (const f of frames) s.write(`${JSON.stringify(f)}\n`);
  });
}

const hello = (id: number, protocolVersion = PROTOCOL_VERSION) => ({ id, method: 'hello', params: { protocolVersion, client: 'fuzz' } });

async function request(method: string, params: unknown): Promise<Reply> {
  const replies = await exchange([hello(1), { id: 2, method, params }], 2);
  return replies.find((r) => r.id === 2)!;
}

test('thousands of random and malformed frames leave the host answering and the store intact', async () => {
  // held, so random-but-valid calls like `clean` leave it be
  await request('pause', {});
  const added = (await request('add', { command: { argv: ['sleep', '30'] }, cwd: home, title: 'before fuzz' })) as Reply & { result: { id: number } };
  expect(await request('hold', { ids: [added.result.id] })).toMatchObject({ result: { jobs: [{ status: 'held' }] } });
  const r = rng(20261125);
  let id = 100;
  const conns = await Promise.all([open(), open(), open(), open()]);
  // half the connections greet first, so frames get past the handshake
  for (const c of conns.slice(0, 2)) c.socket.write(`${JSON.stringify(hello(1))}\n`);
  for (let i = 0; i < 4000; i++) {
    const c = conns[i % conns.length]!;
    c.socket.write(randomFrame(r, () => id++));
  }
  // one oversize frame (over MAX_FRAME_BYTES) on a greeted connection
  conns[0]!.socket.write(`{"id":9,"method":"list","params":"${'x'.repeat(5 * 1024 * 1024)}"}\n`);
  conns[0]!.socket.write(`${JSON.stringify({ id: 10, method: 'status', params: {} })}\n`);
  await new Promise((res) => setTimeout(res, 1500));
  expect(conns[0]!.replies()).toBeGreaterThan(100);
  for (const c of conns) c.socket.destroy();

  const status = await request('status', {});
  expect(status.error).toBeUndefined();
  const list = (await request('list', {})) as Reply & { result: { jobs: { id: number; title: string; status: string }[] } };
  expect(list.result.jobs.find((j) => j.title === 'before fuzz')).toBeDefined();
  for (const j of list.result.jobs) expect(JOB_STATUSES).toContain(j.status);

  const db = new Database(`${home}/errand.db`, { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  } finally {
    db.close();
  }
}, 60_000);

test('requests before hello, unknown methods and a protocol mismatch get error replies naming the problem', async () => {
  const frames = await exchange([{ id: 1, method: 'list', params: {} }, hello(2, PROTOCOL_VERSION + 1), hello(3), { id: 4, method: 'fly', params: {} }], 4);
  const byId = new Map(frames.map((f) => [f.id, f]));
  const reply = (i: number): Reply => byId.get(i)!;
  const [before, mismatch, ok, unknown] = [reply(1), reply(2), reply(3), reply(4)];
  expect(before.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/Send hello/) });
  expect(mismatch.error).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/Upgrade the Errand host/) });
  expect(ok.result).toMatchObject({ protocolVersion: PROTOCOL_VERSION });
  expect(unknown.error).toMatchObject({ code: 'invalid_input', field: 'method', message: expect.stringMatching(/Unknown method "fly"/) });
});

test('a second host on the same data dir is refused', async () => {
  await expect(startHost({ home })).rejects.toMatchObject({ code: 'busy', message: expect.stringMatching(/already owns/) });
});
