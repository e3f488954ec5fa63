import type { IngestProgress } from "@kiln/kernel-lib";

/**
 * Renders an ingest's progress for a terminal: one line redrawn in place on a TTY (rows, rows/s,
 * bytes of the file), a plain line every few seconds otherwise (CI logs, pipes).
 *
 * @example
 * const progress = new IngestProgressLine(process.stderr);
 * await kiln.data.ingest(file, { table, onProgress: (p) => progress.update(p) });
 * progress.done();
 */
export class IngestProgressLine {
  readonly #out: NodeJS.WriteStream;
  readonly #plainEveryMs: number;
  #phase: IngestProgress["phase"] | undefined;
  #phaseStart = 0;
  #lastPlain = 0;
  #last: IngestProgress | undefined;

  constructor(out: NodeJS.WriteStream, options: { plainEveryMs?: number } = {}) {
    this.#out = out;
    this.#plainEveryMs = options.plainEveryMs ?? 5_000;
  }

  update(progress: IngestProgress): void {
    const now = Date.now();
    if (progress.phase !== this.#phase) {
      if (this.#last) this.#finishPhase();
      this.#phase = progress.phase;
      this.#phaseStart = now;
      this.#lastPlain = now;
    }
    this.#last = progress;
    if (this.#out.isTTY) {
      this.#out.write(`\r\x1b[2K${this.#format(progress, now)}`);
    } else if (now - this.#lastPlain >= this.#plainEveryMs) {
      this.#lastPlain = now;
      this.#out.write(`${this.#format(progress, now)}\n`);
    }
  }

  /** Ends the current line (call once the ingest has finished or failed). */
  done(): void {
    if (this.#last) this.#finishPhase();
    this.#last = undefined;
  }

  // Every phase ends with its totals, on a TTY and in logs alike.
  #finishPhase(): void {
    const line = this.#format(this.#last!, Date.now());
    this.#out.write(this.#out.isTTY ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  #format(progress: IngestProgress, now: number): string {
    const seconds = Math.max((now - this.#phaseStart) / 1000, 0.001);
    const rate = Math.round(progress.rows / seconds);
    const bytes =
      progress.totalBytes !== undefined
        ? `  ${megabytes(progress.bytes)} / ${megabytes(progress.totalBytes)}`
        : "";
    return `${progress.phase.padEnd(10)} ${progress.rows.toLocaleString("en-US")} rows  ${rate.toLocaleString("en-US")} rows/s${bytes}`;
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
