/**
 * Splits a byte stream into lines in linear time (chunks are kept until a newline comes,
 * then joined once), decoding UTF-8 only whole lines so a character split across chunks
 * survives. A line longer than `maxBytes` is dropped (it stays in the log).
 */
export function lineSplitter(onLine: (line: string) => void, maxBytes = 64 * 1024 * 1024): { push(chunk: Buffer): void; end(): void } {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  const emit = (b: Buffer): void => {
    const text = b.toString('utf8').replace(/\r$/, '');
    if (text.trim()) onLine(text);
  };
  return {
    push(chunk: Buffer) {
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl);
        start = nl + 1;
        if (!skipping && size + piece.length <= maxBytes) emit(parts.length ? Buffer.concat([...parts, piece]) : piece);
        parts = [];
        size = 0;
        skipping = false;
      }
      if (start < chunk.length && !skipping) {
        const rest = chunk.subarray(start);
        if (size + rest.length > maxBytes) {
          parts = [];
          size = 0;
          skipping = true;
        } else {
          parts.push(Buffer.from(rest));
          size += rest.length;
        }
      }
    },
    end() {
      if (parts.length && !skipping) emit(Buffer.concat(parts));
      parts = [];
      size = 0;
    },
  };
}
