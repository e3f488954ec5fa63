/**
 * What every source yields: batches of rows, either as CSV fields still in their text, as values
 * by column (JSON Lines, records) or as Arrow record batches (Arrow IPC, Parquet, Arrow tables).
 * A source can be read more than once: the ingest validates a large source in one pass and
 * writes it in a second.
 */
import type { RecordBatch } from "apache-arrow";
import type { TextFields } from "./text-fields";

/** CSV rows: every value is text, typed by its spelling, read from where it lies. */
export type TextBatch = {
  kind: "text";
  /** Column names (the header), in source order. */
  columns: string[];
  fields: TextFields;
  length: number;
  /** 1-based data row of the batch's first row. */
  firstRow: number;
  /** File line of each row. */
  lines: Int32Array;
  /** Bytes of the source read so far (files). */
  bytesRead: number;
};

/** Rows whose values still have to be typed, stored by column (JSON Lines, records). */
export type RowBatch = {
  kind: "rows";
  /** Column names in source order (JSON: every key met in this batch). */
  columns: string[];
  /** `values[c][r]`; a hole or `undefined` is a missing value. */
  values: unknown[][];
  /** True for text, whose values are typed by their spelling (CSV is read as a TextBatch). */
  textual: boolean;
  length: number;
  /** 1-based data row of the batch's first row. */
  firstRow: number;
  /** File line of each row (text formats). */
  lines: ArrayLike<number> | undefined;
  /** Bytes of the source read so far (files). */
  bytesRead: number;
};

/** Rows that are already typed. */
export type ArrowBatch = {
  kind: "arrow";
  batch: RecordBatch;
  length: number;
  firstRow: number;
  bytesRead: number;
};

export type SourceBatch = TextBatch | RowBatch | ArrowBatch;

/** A readable, re-readable source of rows. */
export interface DataSource {
  /** For messages: the file path, or what was passed in memory. */
  readonly name: string;
  /** File size, when known (for progress). */
  readonly totalBytes: number | undefined;
  /** Reads the source from the start in batches of at most `batchRows` rows. */
  batches(batchRows: number): AsyncIterable<SourceBatch>;
}
