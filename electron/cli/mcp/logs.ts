import type { HostLink } from './host-link';

export interface LogRead {
  text: string;
  attempt: number;
  /** Where the text starts and ends, in bytes of the log file (byte-exact, as errand logs prints it). */
  offset: number;
  nextOffset: number;
  size: number;
  /** The log will not grow any more (the attempt has ended). */
  done: boolean;
}

const isContinuation = (b: number): boolean => (b & 0xc0) === 0x80;

/** Bytes at the start that belong to a character begun before them (at most 3). */
export function leadingPartial(buf: Uint8Array): number {
  let n = 0;
  while (n < 3 && n < buf.length && isContinuation(buf[n]!)) n++;
  return n;
}

/** Where a trailing character cut off by the end of the buffer begins (buf.length when none is). */
export function wholeEnd(buf: Uint8Array): number {
  for (let i = buf.length - 1, back = 0; i >= 0 && back < 4; i--, back++) {
    const b = buf[i]!;
    if (isContinuation(b)) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return buf.length - i >= need ? buf.length : i;
  }
  return buf.length;
}

/**
 * A slice of a job's log as text: from an offset, or its last `tail` bytes. The slice is
 * trimmed to whole UTF-8 characters (an offset inside one moves past it), so nextOffset
 * continues exactly where the text stops.
 */
export async function readLog(link: HostLink, o: { id: number; attempt?: number; offset: number; limit: number; tail?: number }): Promise<LogRead> {
  let { offset, limit, attempt } = o;
  if (o.tail !== undefined) {
    const probe = await link.call('logs', { id: o.id, attempt, offset: 0, limit: 1 });
    attempt = probe.attempt;
    offset = Math.max(0, probe.size - o.tail);
    limit = o.tail;
  }
  const r = await link.call('logs', { id: o.id, attempt, offset, limit });
  let bytes = Buffer.from(r.data, 'base64');
  const skip = offset > 0 ? leadingPartial(bytes) : 0;
  // a finished log ends where it ends; a slice too short to hold one whole character is kept as is, so reading always moves on
  const whole = r.offset + bytes.length >= r.size && r.done ? bytes.length : wholeEnd(bytes);
  bytes = bytes.subarray(skip, whole > skip ? whole : bytes.length);
  const start = r.offset + skip;
  const nextOffset = start + bytes.length;
  return { text: bytes.toString('utf8'), attempt: r.attempt, offset: start, nextOffset, size: r.size, done: r.done && nextOffset >= r.size };
}
