/**
 * Writes big output to stdout in pieces, waiting for the pipe to drain between them, so a
 * long listing streams in bounded memory. A reader that goes away (`| head`) ends the
 * output quietly instead of an EPIPE crash.
 */
export class StdoutWriter {
  private gone = false;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') this.gone = true;
      else throw e;
    });
  }

  /** False once the reader has gone: stop producing. */
  get open(): boolean {
    return !this.gone;
  }

  write(text: string): Promise<void> {
    if (this.gone || !text) return Promise.resolve();
    if (this.out.write(text)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.out.off('drain', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.once('drain', done);
      this.out.once('close', done);
    });
  }
}
