import { afterEach, describe, expect, test, vi } from 'vitest';
import { LineDecoder } from '../../../electron/client/node/line-decoder';

function decoder(max = 1 << 20) {
  const lines: string[] = [];
  const oversize: string[] = [];
  const d = new LineDecoder(max, (l) => lines.push(l), (head) => oversize.push(head));
  return { d, lines, oversize };
}

/** mulberry32: a seeded PRNG, so a failure reproduces. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

afterEach(() => vi.restoreAllMocks());

describe('LineDecoder', () => {
  const frames = ['{"id":1,"result":"plain"}', '{"event":{"title":"naïve café – 東京 🚀🧪"}}', '{"id":2,"result":"ÿ€𝄞"}', '{"id":3,"result":""}'];
  const bytes = Buffer.from(frames.map((f) => `${f}\n`).join(''));

  test('every single split point, including inside multi-byte characters, gives the same frames', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { d, lines } = decoder();
      d.push(bytes.subarray(0, cut));
      d.push(bytes.subarray(cut));
      expect(lines, `cut at ${cut}`).toEqual(frames);
    }
  });

  test('random chunkings, down to one byte at a time, give the same frames', () => {
    const r = rng(7);
    for (let round = 0; round < 200; round++) {
      const { d, lines } = decoder();
      for (let i = 0; i < bytes.length; ) {
        const n = 1 + Math.floor(r() * (round % 2 ? 3 : 40));
        d.push(bytes.subarray(i, i + n));
        i += n;
      }
      expect(lines).toEqual(frames);
    }
  });

  test('the caller may reuse its chunk buffer: a partial frame is copied', () => {
    const { d, lines } = decoder();
    const chunk = Buffer.from('{"id":1,"res');
    d.push(chunk);
    chunk.fill(0x78);
    d.push(Buffer.from('ult":1}\n'));
    expect(lines).toEqual(['{"id":1,"result":1}']);
  });

  test('blank lines are skipped', () => {
    const { d, lines } = decoder();
    d.push(Buffer.from('\n\n  \n{"a":1}\n\n'));
    expect(lines).toEqual(['{"a":1}']);
  });

  test('an oversize frame is reported once with its first bytes, skipped to its newline, and the stream goes on', () => {
    const { d, lines, oversize } = decoder(100);
    const big = `{"id":42,"result":"${'x'.repeat(500)}"}`;
    // arriving in pieces, and whole within one chunk
    for (let i = 0; i < big.length; i += 30) d.push(Buffer.from(big.slice(i, i + 30)));
    d.push(Buffer.from(`\n{"id":43}\n${big}\n{"id":44}\n`));
    expect(oversize).toHaveLength(2);
    for (const head of oversize) expect(head.startsWith('{"id":42,"result":"xxx')).toBe(true);
    expect(lines).toEqual(['{"id":43}', '{"id":44}']);
  });

  test('linear work: a 50 MB frame in 64 KB chunks copies each byte a bounded number of times', () => {
    const size = 50 * 1024 * 1024;
    const payload = Buffer.alloc(size, 0x61);
    payload.write('{"id":1,"result":"', 0);
    payload.write('"}\n', size - 3);
    let copied = 0;
    const concat = Buffer.concat.bind(Buffer);
    vi.spyOn(Buffer, 'concat').mockImplementation((list: readonly Uint8Array[], total?: number) => {
      const out = concat(list, total);
      copied += out.length;
      return out;
    });
    const from = Buffer.from.bind(Buffer) as (...a: unknown[]) => Buffer;
    vi.spyOn(Buffer, 'from').mockImplementation(((...a: unknown[]) => {
      const out = from(...a);
      copied += out.length;
      return out;
    }) as never);
    const { d, lines } = decoder(256 * 1024 * 1024);
    const t = Date.now();
    for (let i = 0; i < size; i += 64 * 1024) d.push(payload.subarray(i, i + 64 * 1024));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBe(size - 1);
    // each byte copied about twice (the partial piece, then the one join), never once per chunk
    expect(copied).toBeLessThan(3 * size);
    expect(Date.now() - t).toBeLessThan(10_000);
  });
});
