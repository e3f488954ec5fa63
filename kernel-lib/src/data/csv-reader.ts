/**
 * A streaming CSV reader (RFC 4180: quoted fields with `""` escapes and line breaks, CRLF or LF,
 * a header line, an optional BOM) that yields batches of rows, so memory holds one batch however
 * large the file is. A malformed line is a MalformedLineError naming its row and line.
 *
 * Written for speed: a batch is its text plus a start and an end offset per field (TextFields),
 * with no string per field; a line without quotes is found and split with `indexOf`.
 *
 * @example
 * ```ts
 * for await (const batch of readCsv(createReadStream("plant.csv", "utf8"), { batchRows: 50_000, source: "plant.csv" })) {
 *   console.log(batch.columns, batch.length, batch.lines[0], batch.fields.value(0, 0));
 * }
 * ```
 */
import { MalformedLineError } from "./errors";
import type { TextBatch } from "./source-batch";
import { ESCAPED, TextFields } from "./text-fields";

export type CsvReadOptions = {
  batchRows: number;
  /** Source name for messages. */
  source: string;
  /** Field separator; default `,`. */
  delimiter?: string;
  /** Bytes read so far, for progress (e.g. `() => stream.bytesRead`). */
  bytesRead?: () => number;
};

const QUOTE = '"';
const QUOTE_CODE = 34;
const CR = 13;
const NEED_MORE = Symbol("need more input");
/** A batch also ends at this much text, so its offsets and its string stay small. */
const MAX_BATCH_CHARS = 1 << 25;
const INITIAL_ROWS = 8192;

/** Reads CSV text chunks into batches of at most `batchRows` rows. */
export async function* readCsv(
  chunks: AsyncIterable<string>,
  options: CsvReadOptions,
): AsyncGenerator<TextBatch> {
  const parser = new CsvParser(options);
  for await (const chunk of chunks) {
    parser.push(chunk, false);
    for (const batch of parser.takeBatches()) yield batch;
  }
  parser.push("", true);
  for (const batch of parser.takeBatches()) yield batch;
}

/** Where a line with quotes ends; its fields are in the parser's `#spans` and `#lineEscapes`. */
type QuotedLine = { next: number; newlines: number };

class CsvParser {
  readonly #options: CsvReadOptions;
  readonly #delimiter: string;
  #pending = "";
  /** File line where the next record starts. */
  #line = 1;
  #header: string[] | undefined;
  #ready: TextBatch[] = [];
  #rowsBefore = 0;

  // The batch being filled. Its text is `#parts` joined, then the current buffer from
  // `#batchStart`; a field at buffer position p is at p + `#shift` in the batch's text.
  #parts: string[] = [];
  #partsLength = 0;
  #batchStart = 0;
  #shift = 0;
  #rows = 0;
  #starts = new Int32Array(0);
  #ends = new Int32Array(0);
  #lines = new Int32Array(0);
  #escaped = new Map<number, string>();
  // The fields of the line with quotes being parsed: start, end pairs; escaped values by field.
  readonly #spans: number[] = [];
  readonly #lineEscapes = new Map<number, string>();

  constructor(options: CsvReadOptions) {
    this.#options = options;
    this.#delimiter = options.delimiter ?? ",";
  }

  push(chunk: string, final: boolean): void {
    let text = this.#pending + chunk;
    if (this.#header === undefined && this.#line === 1 && text.charCodeAt(0) === 0xfeff) {
      text = text.slice(1);
    }
    let pos = 0;
    // Found once and moved forward only: searching from every line would be quadratic.
    let quote = text.indexOf(QUOTE);
    while (pos < text.length) {
      const newline = text.indexOf("\n", pos);
      if (newline === -1 && !final) break;
      const end = newline === -1 ? text.length : newline;
      if (quote !== -1 && quote < pos) quote = text.indexOf(QUOTE, pos);
      if (quote === -1 || quote >= end) {
        const lineEnd = end > pos && text.charCodeAt(end - 1) === CR ? end - 1 : end;
        const next = end + 1;
        if (lineEnd > pos) this.#plainRecord(text, pos, lineEnd, next);
        this.#line++;
        pos = next;
      } else {
        const parsed = this.#parseQuoted(text, pos, final);
        if (parsed === NEED_MORE) break;
        this.#quotedRecord(text, parsed);
        this.#line += parsed.newlines + 1;
        pos = parsed.next;
      }
    }
    pos = Math.min(pos, text.length);
    if (final) {
      this.#flush(text, pos);
    } else if (this.#rows > 0) {
      // The batch goes on in the next buffer: keep the text its rows lie in.
      this.#parts.push(text.slice(this.#batchStart, pos));
      this.#partsLength += pos - this.#batchStart;
    }
    this.#pending = pos < text.length ? text.slice(pos) : "";
    this.#batchStart = 0;
    this.#shift = this.#partsLength;
  }

  takeBatches(): TextBatch[] {
    const ready = this.#ready;
    this.#ready = [];
    return ready;
  }

  // The hot path: offsets go straight into the batch, with no string or array per field.
  #plainRecord(text: string, start: number, end: number, next: number): void {
    const header = this.#header;
    if (!header) {
      this.#setHeader(splitPlain(text, start, end, this.#delimiter));
      return;
    }
    const columnCount = header.length;
    if ((this.#rows + 1) * columnCount > this.#starts.length) this.#grow();
    const starts = this.#starts;
    const ends = this.#ends;
    const shift = this.#shift;
    const base = this.#rows * columnCount;
    const delimiter = this.#delimiter;
    let count = 0;
    let from = start;
    // indexOf per field: twice as fast as a loop over character codes on long lines.
    for (let i = text.indexOf(delimiter, from); i !== -1 && i < end;) {
      if (count < columnCount) {
        starts[base + count] = from + shift;
        ends[base + count] = i + shift;
      }
      count++;
      from = i + delimiter.length;
      i = text.indexOf(delimiter, from);
    }
    if (count < columnCount) {
      starts[base + count] = from + shift;
      ends[base + count] = end + shift;
    }
    this.#endRecord(count + 1, text, next);
  }

  #quotedRecord(text: string, parsed: QuotedLine): void {
    const spans = this.#spans;
    const escaped = this.#lineEscapes;
    const fieldCount = spans.length / 2;
    const header = this.#header;
    if (!header) {
      const names = Array.from(
        { length: fieldCount },
        (_, f) => escaped.get(f) ?? text.slice(spans[2 * f], spans[2 * f + 1]),
      );
      this.#setHeader(names);
      return;
    }
    const columnCount = header.length;
    if ((this.#rows + 1) * columnCount > this.#starts.length) this.#grow();
    const base = this.#rows * columnCount;
    for (let f = 0; f < fieldCount && f < columnCount; f++) {
      const value = escaped.get(f);
      if (value !== undefined) {
        this.#starts[base + f] = ESCAPED;
        this.#escaped.set(base + f, value);
      } else {
        this.#starts[base + f] = spans[2 * f]! + this.#shift;
        this.#ends[base + f] = spans[2 * f + 1]! + this.#shift;
      }
    }
    this.#endRecord(fieldCount, text, parsed.next);
  }

  #setHeader(fields: string[]): void {
    this.#header = checkedHeader(fields, this.#options.source, this.#line);
    this.#newBatchArrays();
  }

  #endRecord(fieldCount: number, text: string, next: number): void {
    const header = this.#header!;
    if (fieldCount !== header.length) {
      const row = this.#rowsBefore + this.#rows + 1;
      throw new MalformedLineError(
        `the line has ${fieldCount} fields, the header has ${header.length}`,
        {
          source: this.#options.source,
          row,
          line: this.#line,
          fix: "Quote fields that contain the delimiter, and give every line one field per header column.",
        },
      );
    }
    this.#lines[this.#rows++] = this.#line;
    if (this.#rows >= this.#options.batchRows || next + this.#shift >= MAX_BATCH_CHARS) {
      this.#flush(text, Math.min(next, text.length));
    }
  }

  /** Ends the batch at buffer position `end`; the next one starts there. */
  #flush(text: string, end: number): void {
    const header = this.#header;
    if (header && this.#rows > 0) {
      const tail = text.slice(this.#batchStart, end);
      // One flat string: parts joined (not a rope), so reading it by character is fast.
      const batchText = this.#parts.length > 0 ? [...this.#parts, tail].join("") : tail;
      const rows = this.#rows;
      this.#ready.push({
        kind: "text",
        columns: header,
        fields: new TextFields(
          batchText,
          header.length,
          rows,
          this.#starts,
          this.#ends,
          this.#escaped,
        ),
        length: rows,
        firstRow: this.#rowsBefore + 1,
        lines: this.#lines.subarray(0, rows),
        bytesRead: this.#options.bytesRead?.() ?? 0,
      });
      this.#rowsBefore += rows;
      this.#newBatchArrays();
    }
    this.#parts = [];
    this.#partsLength = 0;
    this.#batchStart = end;
    this.#shift = -end;
  }

  #newBatchArrays(): void {
    const rows = Math.max(1, Math.min(this.#options.batchRows, INITIAL_ROWS));
    const fields = rows * this.#header!.length;
    this.#starts = new Int32Array(fields);
    this.#ends = new Int32Array(fields);
    this.#lines = new Int32Array(rows);
    this.#escaped = new Map();
    this.#rows = 0;
  }

  #grow(): void {
    const grown = (array: Int32Array) => {
      const bigger = new Int32Array(array.length * 2);
      bigger.set(array);
      return bigger;
    };
    this.#starts = grown(this.#starts);
    this.#ends = grown(this.#ends);
    this.#lines = grown(this.#lines);
  }

  // A line with quotes, parsed field by field; quoted fields may span lines.
  #parseQuoted(text: string, start: number, final: boolean): QuotedLine | typeof NEED_MORE {
    const spans = this.#spans;
    const escaped = this.#lineEscapes;
    spans.length = 0;
    escaped.clear();
    const delimiter = this.#delimiter;
    let pos = start;
    let newlines = 0;
    for (;;) {
      const field = spans.length / 2;
      if (text.charCodeAt(pos) === QUOTE_CODE) {
        const contentStart = pos + 1;
        let value: string | undefined;
        let from = contentStart;
        for (;;) {
          const close = text.indexOf(QUOTE, from);
          if (close === -1 || (close === text.length - 1 && !final)) {
            if (!final) return NEED_MORE;
            throw this.#malformed("a quoted field is never closed", field);
          }
          if (text.charCodeAt(close + 1) === QUOTE_CODE) {
            value = (value ?? "") + text.slice(from, close + 1);
            from = close + 2;
            continue;
          }
          if (value !== undefined) escaped.set(field, value + text.slice(from, close));
          spans.push(contentStart, close);
          newlines += countNewlines(text, contentStart, close);
          pos = close + 1;
          break;
        }
        const after = text[pos];
        if (after === delimiter) {
          pos++;
          continue;
        }
        if (after === undefined) {
          if (!final) return NEED_MORE;
          return { next: pos, newlines };
        }
        if (after === "\n") return { next: pos + 1, newlines };
        if (after === "\r" && text[pos + 1] === "\n") {
          return { next: pos + 2, newlines };
        }
        if (after === "\r" && pos + 1 === text.length && !final) return NEED_MORE;
        throw this.#malformed(`text follows the closing quote of field ${field + 1}`, field);
      }
      const nextDelimiter = text.indexOf(delimiter, pos);
      const newline = text.indexOf("\n", pos);
      const lineEnd = newline === -1 ? text.length : newline;
      if (newline === -1 && !final) return NEED_MORE;
      const end = nextDelimiter !== -1 && nextDelimiter < lineEnd ? nextDelimiter : lineEnd;
      const fieldEnd =
        end === lineEnd && end > pos && text.charCodeAt(end - 1) === CR ? end - 1 : end;
      const quote = text.indexOf(QUOTE, pos);
      if (quote !== -1 && quote < fieldEnd) {
        throw this.#malformed(`field ${field + 1} has a quote but does not start with one`, field);
      }
      spans.push(pos, fieldEnd);
      if (end === lineEnd) return { next: lineEnd + 1, newlines };
      pos = end + delimiter.length;
    }
  }

  #malformed(problem: string, fieldIndex: number): MalformedLineError {
    const column = this.#header?.[fieldIndex];
    return new MalformedLineError(problem, {
      source: this.#options.source,
      row: this.#rowsBefore + this.#rows + (this.#header ? 1 : 0),
      line: this.#line,
      ...(column !== undefined ? { column } : {}),
      fix: 'Enclose the whole field in double quotes and double any quote inside it ("a ""b"" c").',
    });
  }
}

function splitPlain(text: string, start: number, end: number, delimiter: string): string[] {
  const fields: string[] = [];
  let from = start;
  for (;;) {
    const next = text.indexOf(delimiter, from);
    if (next === -1 || next >= end) {
      fields.push(text.slice(from, end));
      return fields;
    }
    fields.push(text.slice(from, next));
    from = next + delimiter.length;
  }
}

function countNewlines(text: string, start: number, end: number): number {
  let count = 0;
  for (let i = text.indexOf("\n", start); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) {
    count++;
  }
  return count;
}

function checkedHeader(fields: string[], source: string, line: number): string[] {
  const seen = new Set<string>();
  fields.forEach((name, i) => {
    const problem =
      name.trim() === ""
        ? `header field ${i + 1} is empty`
        : seen.has(name)
          ? `the header names column "${name}" twice`
          : undefined;
    if (problem) {
      throw new MalformedLineError(problem, {
        source,
        row: 0,
        line,
        fix: "Give every column a unique, non-empty name in the first line.",
      });
    }
    seen.add(name);
  });
  return fields;
}
