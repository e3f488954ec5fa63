/**
 * The fields of a batch of CSV rows, kept where they lie in the batch's text: a start and an end
 * offset per field instead of a string each, so typed columns are parsed straight from the text
 * (a substring per field was most of an ingest's garbage). The one exception is a quoted field
 * with doubled quotes (`"say ""hi"""`), whose unescaped value is held as a string.
 *
 * @example
 * ```ts
 * const fields = new TextFields("a,b\n1,x\n", 2, 1, Int32Array.of(4, 6), Int32Array.of(5, 7), new Map());
 * fields.value(1, 0); // "x"
 * parseDecimalField(fields.text, fields.starts[0], fields.ends[0]); // 1
 * ```
 */
export class TextFields {
  /** The text the offsets point into. */
  readonly text: string;
  readonly columnCount: number;
  readonly length: number;
  /**
   * `starts[row * columnCount + column]`; a negative start ({@link ESCAPED}) marks a value held
   * in `escaped`.
   */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** Unescaped values of quoted fields with doubled quotes, by `row * columnCount + column`. */
  readonly escaped: ReadonlyMap<number, string>;

  constructor(
    text: string,
    columnCount: number,
    length: number,
    starts: Int32Array,
    ends: Int32Array,
    escaped: ReadonlyMap<number, string>,
  ) {
    this.text = text;
    this.columnCount = columnCount;
    this.length = length;
    this.starts = starts;
    this.ends = ends;
    this.escaped = escaped;
  }

  /** The field as a string (for strings, messages and the rare slow paths). */
  value(column: number, row: number): string {
    const index = row * this.columnCount + column;
    const start = this.starts[index]!;
    return start < 0 ? this.escaped.get(index)! : this.text.slice(start, this.ends[index]);
  }
}

/** The start offset of a field whose value is held as a string. */
export const ESCAPED = -1;

/** Tells whether a field spells one of `nullValues` (`""` by default), without a substring. */
export type NullFieldTest = (text: string, start: number, end: number) => boolean;

/**
 * The test for `nullValues`. With only `""` it is `start === end`; other spellings are compared
 * in place with `startsWith`.
 */
export function nullFieldTest(nullValues: ReadonlySet<string>): NullFieldTest {
  const empty = nullValues.has("");
  const others = [...nullValues].filter((spelling) => spelling !== "");
  if (others.length === 0) {
    return empty ? (_text, start, end) => start === end : () => false;
  }
  return (text, start, end) => {
    const length = end - start;
    if (length === 0) return empty;
    for (const spelling of others) {
      if (spelling.length === length && text.startsWith(spelling, start)) return true;
    }
    return false;
  };
}
