// The committed icons are what the script draws, and they show what UI.md asks:
// outline vs filled, an amber dot for "needs you", a red mark for "failed".
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { AMBER, RED, crc32, decodePng, encodePng, iconFiles, renderTray } from '../../build/scripts/make-icons.mjs';

const DIR = path.resolve('build/icons');

function pixel(img: { width: number; rgba: Uint8Array }, x: number, y: number): [number, number, number, number] {
  const i = (y * img.width + x) * 4;
  return [img.rgba[i]!, img.rgba[i + 1]!, img.rgba[i + 2]!, img.rgba[i + 3]!];
}

describe('PNG encoding', () => {
  test('crc32 matches the PNG reference value', () => {
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
  });
  test('round trip', () => {
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 1, 2, 3, 4]);
    const img = decodePng(encodePng(2, 2, rgba));
    expect(img).toEqual({ width: 2, height: 2, rgba });
  });
});

describe('committed icons', () => {
  test.each(iconFiles().map((f) => [f.file, f] as const))('%s is up to date (run build/scripts/make-icons.mjs)', (_name, f) => {
    const img = decodePng(fs.readFileSync(path.join(DIR, f.file)));
    expect([img.width, img.height]).toEqual([f.size, f.size]);
    expect(Buffer.from(img.rgba).equals(Buffer.from(f.draw()))).toBe(true);
  });
});

describe('what the tray states look like', () => {
  const img = (state: string, variant: 'light' | 'dark' | 'Template' = 'light') => ({ width: 32, rgba: renderTray(state, variant, 32) });

  test('idle is an outline: clear centre, solid ring', () => {
    expect(pixel(img('idle'), 16, 16)[3]).toBe(0);
    expect(pixel(img('idle'), 16, 2)[3]).toBe(255);
  });

  test('working is filled', () => {
    expect(pixel(img('working'), 16, 16)[3]).toBe(255);
  });

  test('needs-you has an amber dot top right; failed a red mark bottom right', () => {
    expect(pixel(img('needs-you'), 24, 8)).toEqual(AMBER);
    expect(pixel(img('failed'), 25, 25)).toEqual(RED);
    expect(pixel(img('working'), 24, 8)).not.toEqual(AMBER);
  });

  test('template variants are black and alpha only, marks told apart by place', () => {
    for (const state of ['idle', 'working', 'needs-you', 'failed']) {
      const t = img(state, 'Template').rgba;
      for (let i = 0; i < t.length; i += 4) if (t[i + 3]! > 0) expect([t[i], t[i + 1], t[i + 2]]).toEqual([0, 0, 0]);
    }
    // a gap separates each mark from the disc, at different corners
    expect(pixel(img('needs-you', 'Template'), 18, 13)[3]).toBe(0);
    expect(pixel(img('failed', 'Template'), 19, 19)[3]).toBe(0);
  });

  test('light glyphs for dark panels, dark glyphs for light panels', () => {
    const [lr] = pixel(img('working', 'light'), 16, 16);
    const [dr] = pixel(img('working', 'dark'), 16, 16);
    expect(lr).toBeGreaterThan(200);
    expect(dr).toBeLessThan(60);
  });
});
