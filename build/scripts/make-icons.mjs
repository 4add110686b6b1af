#!/usr/bin/env node
// Draws Errand's icons as PNGs with nothing but node:zlib, so they are reproducible and
// reviewable as code. `node build/scripts/make-icons.mjs` rewrites build/icons/.
//
// Tray (UI.md): idle = outline, working = filled, needs you = filled + dot, failed =
// filled + red mark. Three variants each: "-light" (light glyph for dark panels),
// "-dark" (for light panels), "Template" (macOS; black + alpha, tinted by the system, so
// the marks are told apart by shape and place: round dot top right, square mark bottom
// right). 16 px plus @2x.
// App icon: a queue, three rows: done (green), running, queued.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

// --- PNG ---------------------------------------------------------------------------------

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** RGBA8 pixels (row-major, straight alpha) → PNG bytes. Filter 0 on every row. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Reads back PNGs written by encodePng (8-bit RGBA, filter 0); checks every CRC. */
export function decodePng(buf) {
  if (!buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off);
    const type = buf.toString('ascii', off + 4, off + 8);
    const data = buf.subarray(off + 8, off + 8 + len);
    if (crc32(buf.subarray(off + 4, off + 8 + len)) !== buf.readUInt32BE(off + 8 + len)) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || data[9] !== 6) throw new Error('only 8-bit RGBA is supported');
    } else if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    if (raw[row] !== 0) throw new Error('only filter 0 is supported');
    rgba.set(raw.subarray(row + 1, row + 1 + width * 4), y * width * 4);
  }
  return { width, height, rgba };
}

// --- drawing -----------------------------------------------------------------------------

const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return dx * dx + dy * dy <= r * r;
};
const minus = (a, ...bs) => (x, y) => a(x, y) && !bs.some((b) => b(x, y));

/**
 * Renders layers ({ shape(x, y) → bool, color: [r,g,b,a] | (x, y) → [r,g,b,a] }) in a
 * unit-square coordinate system scaled by `units`, supersampled `ss`×`ss` per pixel.
 */
export function render(size, units, layers, ss = 4) {
  const out = new Uint8Array(size * size * 4);
  const k = units / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) * k;
          const y = (py + (sy + 0.5) / ss) * k;
          // "over" compositing of every layer covering this sample (premultiplied)
          let cr = 0;
          let cg = 0;
          let cb = 0;
          let ca = 0;
          for (const l of layers) {
            if (!l.shape(x, y)) continue;
            const [lr, lg, lb, la] = typeof l.color === 'function' ? l.color(x, y) : l.color;
            const al = la / 255;
            cr = lr * al + cr * (1 - al);
            cg = lg * al + cg * (1 - al);
            cb = lb * al + cb * (1 - al);
            ca = al + ca * (1 - al);
          }
          r += cr;
          g += cg;
          b += cb;
          a += ca;
        }
      }
      const n = ss * ss;
      const i = (py * size + px) * 4;
      const alpha = a / n;
      out[i + 3] = Math.round(alpha * 255);
      if (alpha > 0) {
        out[i] = Math.round(r / n / alpha);
        out[i + 1] = Math.round(g / n / alpha);
        out[i + 2] = Math.round(b / n / alpha);
      }
    }
  }
  return out;
}

export const TRAY_STATES = ['idle', 'working', 'needs-you', 'failed'];
export const TRAY_VARIANTS = {
  light: { glyph: [243, 244, 246, 255], color: true },
  dark: { glyph: [31, 41, 55, 255], color: true },
  Template: { glyph: [0, 0, 0, 255], color: false },
};
export const AMBER = [245, 158, 11, 255];
export const RED = [239, 68, 68, 255];

/** Geometry on a 16-unit grid: a 14-unit disc or ring, marks in the right-hand corners. */
export function trayLayers(state, variant) {
  const v = TRAY_VARIANTS[variant];
  // whole-pixel edges at 16 px where the shape allows, so the 1x icons stay crisp
  const disc = circle(8, 8, 7);
  const dot = circle(12, 4, 3);
  const dotGap = circle(12, 4, 4.5);
  const mark = roundRect(10, 10, 15, 15, 1);
  const markGap = roundRect(8.5, 8.5, 17, 17, 2.5);
  switch (state) {
    case 'idle':
      return [{ shape: minus(disc, circle(8, 8, 5.5)), color: v.glyph }];
    case 'working':
      return [{ shape: disc, color: v.glyph }];
    case 'needs-you':
      return [
        { shape: minus(disc, dotGap), color: v.glyph },
        { shape: dot, color: v.color ? AMBER : v.glyph },
      ];
    case 'failed':
      return [
        { shape: minus(disc, markGap), color: v.glyph },
        { shape: mark, color: v.color ? RED : v.glyph },
      ];
    default:
      throw new Error(`unknown tray state ${state}`);
  }
}

export const renderTray = (state, variant, size) => render(size, 16, trayLayers(state, variant), 4);

/** The app icon on a 1-unit grid: rounded indigo tile, three queue rows. */
export function appLayers() {
  const lerp = (a, b, t) => Math.round(a + (b - a) * t);
  const tile = (x, y) => [lerp(99, 55, y), lerp(102, 48, y), lerp(241, 163, y), 255];
  const white = (a) => [255, 255, 255, a];
  const rows = [0.31, 0.5, 0.69];
  const layers = [{ shape: roundRect(0.06, 0.06, 0.94, 0.94, 0.2), color: tile }];
  rows.forEach((cy, i) => {
    layers.push({ shape: roundRect(0.4, cy - 0.04, 0.78, cy + 0.04, 0.04), color: white([242, 180, 110][i]) });
  });
  // done: green disc; running: white disc; queued: white ring
  layers.push({ shape: circle(0.27, rows[0], 0.065), color: [52, 211, 153, 255] });
  layers.push({ shape: circle(0.27, rows[1], 0.065), color: white(255) });
  layers.push({ shape: minus(circle(0.27, rows[2], 0.065), circle(0.27, rows[2], 0.04)), color: white(200) });
  return layers;
}

export const renderApp = (size) => render(size, 1, appLayers(), 3);

/** Every file this script writes, relative to build/icons/. */
export function iconFiles() {
  const files = [];
  for (const state of TRAY_STATES) {
    for (const variant of Object.keys(TRAY_VARIANTS)) {
      const base = variant === 'Template' ? `${state}Template` : `${state}-${variant}`;
      files.push({ file: `tray/${base}.png`, size: 16, draw: () => renderTray(state, variant, 16) });
      files.push({ file: `tray/${base}@2x.png`, size: 32, draw: () => renderTray(state, variant, 32) });
    }
  }
  files.push({ file: 'icon.png', size: 512, draw: () => renderApp(512) });
  files.push({ file: 'linux/256x256.png', size: 256, draw: () => renderApp(256) });
  files.push({ file: 'linux/512x512.png', size: 512, draw: () => renderApp(512) });
  return files;
}

export function writeIcons(dir) {
  for (const f of iconFiles()) {
    const target = path.join(dir, f.file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, encodePng(f.size, f.size, f.draw()));
  }
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'icons');
  writeIcons(dir);
  process.stdout.write(`wrote ${iconFiles().length} icons to ${dir}\n`);
}
