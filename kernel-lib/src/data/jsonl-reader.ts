/**
 * A streaming JSON Lines reader: one JSON object per line (blank lines are skipped), gathered
 * into column batches. Keys may differ between lines; a key a line lacks is a missing value.
 *
 * @example
 * ```ts
 * for await (const batch of readJsonLines(createReadStream("events.jsonl", "utf8"), { batchRows: 10_000, source: "events.jsonl" })) {
 *   console.log(batch.columns);
 * }
 * ```
 */
import { MalformedLineError } from "./errors";
import type { RowBatch } from "./source-batch";

export type JsonLinesReadOptions = {
  batchRows: number;
  source: string;
  bytesRead?: () => number;
};

/** Reads JSON Lines text chunks into column batches. */
export async function* readJsonLines(
  chunks: AsyncIterable<string>,
  options: JsonLinesReadOptions,
): AsyncGenerator<RowBatch> {
  let pending = "";
  let line = 0;
  let batch = new RecordGatherer(1);
  const parseLine = (text: string): void => {
    line++;
    if (text.trim() === "") return;
    const row = batch.firstRow + batch.length;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new MalformedLineError(`the line is not valid JSON (${(error as Error).message})`, {
        source: options.source,
        row,
        line,
        fix: "Write one complete JSON object per line.",
      });
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new MalformedLineError("the line is not a JSON object", {
        source: options.source,
        row,
        line,
        fix: 'Write one object per line, e.g. {"id": 1, "temp": 20.5}.',
      });
    }
    batch.add(value as Record<string, unknown>, line);
  };
  const take = (): RowBatch => {
    const full = batch.toBatch(options.bytesRead?.() ?? 0);
    batch = new RecordGatherer(full.firstRow + full.length);
    return full;
  };
  for await (const chunk of chunks) {
    const text = pending + chunk;
    let from = 0;
    for (let newline = text.indexOf("\n"); newline !== -1; newline = text.indexOf("\n", from)) {
      parseLine(text.slice(from, newline));
      from = newline + 1;
      if (batch.length >= options.batchRows) yield take();
    }
    pending = text.slice(from);
  }
  if (pending !== "") parseLine(pending);
  if (batch.length > 0) yield take();
}

/** Objects gathered into columns. */
export class RecordGatherer {
  readonly firstRow: number;
  length = 0;
  readonly #columns = new Map<string, unknown[]>();
  readonly #lines: number[] = [];

  constructor(firstRow: number) {
    this.firstRow = firstRow;
  }

  add(record: Record<string, unknown>, line?: number): void {
    const row = this.length++;
    for (const key in record) {
      let column = this.#columns.get(key);
      if (!column) {
        column = [];
        this.#columns.set(key, column);
      }
      column[row] = record[key];
    }
    if (line !== undefined) this.#lines.push(line);
  }

  toBatch(bytesRead: number): RowBatch {
    const values = [...this.#columns.values()];
    for (const column of values) column.length = this.length;
    return {
      kind: "rows",
      columns: [...this.#columns.keys()],
      values,
      textual: false,
      length: this.length,
      firstRow: this.firstRow,
      lines: this.#lines.length === this.length ? this.#lines : undefined,
      bytesRead,
    };
  }
}
