/**
 * Splits a byte stream into newline-delimited frames with a size cap, in time linear in
 * the bytes: each chunk is scanned once, and a frame's pieces are joined once, at its
 * newline (never by re-slicing a growing string). Bytes, not text, until a frame is
 * whole, so a UTF-8 character split across chunks decodes intact. An oversize frame is
 * reported once, with its first bytes (which name its id), and skipped up to its
 * newline, so one bad frame never desynchronises or stalls the stream.
 */
export class LineDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOversize: (head: string) => void,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      if (this.size + piece.length > this.maxBytes) {
        this.oversize(piece);
        continue;
      }
      const line = this.parts.length ? Buffer.concat([...this.parts, piece], this.size + piece.length).toString('utf8') : piece.toString('utf8');
      this.reset();
      if (line.trim()) this.onLine(line);
    }
    if (start < chunk.length && !this.skipping) {
      const rest = chunk.subarray(start);
      if (this.size + rest.length > this.maxBytes) {
        this.oversize(rest);
        this.skipping = true;
      } else {
        // copied: the caller may reuse its chunk
        this.parts.push(Buffer.from(rest));
        this.size += rest.length;
      }
    }
  }

  private oversize(piece: Buffer): void {
    const first = this.parts[0] ?? piece;
    const head = first.subarray(0, 64).toString('utf8');
    this.reset();
    this.onOversize(head);
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
  }
}
