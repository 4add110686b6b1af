/**
 * Splits a byte stream into newline-delimited frames with a size cap. An oversize
 * frame is reported once and skipped up to its newline, so one bad frame never
 * desynchronises or stalls the connection.
 */
export class LineDecoder {
  private parts: Buffer[] = [];
  private size = 0;
  private skipping = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onOversize: () => void,
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
        this.reset();
        this.onOversize();
        continue;
      }
      const line = this.parts.length ? Buffer.concat([...this.parts, piece]).toString('utf8') : piece.toString('utf8');
      this.reset();
      if (line.trim()) this.onLine(line);
    }
    if (start < chunk.length && !this.skipping) {
      const rest = chunk.subarray(start);
      if (this.size + rest.length > this.maxBytes) {
        this.reset();
        this.skipping = true;
        this.onOversize();
      } else {
        this.parts.push(Buffer.from(rest));
        this.size += rest.length;
      }
    }
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
  }
}
