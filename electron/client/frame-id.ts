// The id of a frame read from its first bytes, for frames too big to parse: the host's
// replies and our requests both start {"id":N, so an oversize one can still be answered
// (or its caller told) instead of leaving someone waiting.
const ID_AT_START = /^\s*\{\s*"id"\s*:\s*(\d{1,15})\s*[,}]/;

export function frameIdOf(head: string): number | null {
  const m = ID_AT_START.exec(head);
  return m ? Number(m[1]) : null;
}

/** UTF-8 length of a string without encoding it (no Buffer in the renderer). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** True when the frame is over `limit` bytes of UTF-8; counts only when the length alone cannot tell. */
export function overLimit(text: string, limit: number): boolean {
  if (text.length > limit) return true;
  if (text.length * 3 <= limit) return false;
  return utf8Length(text) > limit;
}
