/**
 * Turns a source batch into an Arrow record batch of the ingest's columns: CSV fields are parsed
 * where they lie in the text, row batches are typed value by value, Arrow batches keep columns
 * that already have the stored type and convert the others. Absent nullable columns become
 * nulls. Every check throws with the row and column.
 *
 * @example
 * ```ts
 * const converter = new BatchConverter({ columns, metadata, requiredBecause, nullValues, source: "plant.csv" });
 * const recordBatch = converter.convert(batch);
 * ```
 */
import type { Data, RecordBatch, Schema, Vector } from "apache-arrow";
import { buildColumn, buildTextColumn } from "./column-builder";
import { arrowSchemaOf, arrowTypeOf, type Column } from "./column-types";
import { loadArrow } from "./lazy-modules";
import type { ArrowBatch, RowBatch, SourceBatch, TextBatch } from "./source-batch";
import { nullFieldTest, type NullFieldTest } from "./text-fields";

export type BatchConverterOptions = {
  columns: readonly Column[];
  /** Table metadata stored in the schema (key, event time). */
  metadata: Map<string, string>;
  requiredBecause: (column: string) => string | undefined;
  /** For inferred columns: how many values decided the type (misfits are mixed types). */
  decidedBy: (column: string) => number | undefined;
  nullValues: ReadonlySet<string>;
  source: string;
};

/** Converts source batches to record batches of one schema. */
export class BatchConverter {
  readonly schema: Schema;
  readonly #options: BatchConverterOptions;
  readonly #isNullField: NullFieldTest;

  constructor(options: BatchConverterOptions) {
    this.#options = options;
    this.schema = arrowSchemaOf(options.columns, options.metadata);
    this.#isNullField = nullFieldTest(options.nullValues);
  }

  convert(batch: SourceBatch): RecordBatch {
    const children =
      batch.kind === "text"
        ? this.#fromText(batch)
        : batch.kind === "rows"
          ? this.#fromRows(batch)
          : this.#fromArrow(batch);
    const arrow = loadArrow();
    const struct = arrow.makeData({
      type: new arrow.Struct(this.schema.fields),
      length: batch.length,
      nullCount: 0,
      children,
    });
    return new arrow.RecordBatch(this.schema, struct);
  }

  #context(column: Column, batch: SourceBatch, textual: boolean) {
    return {
      column,
      requiredBecause: this.#options.requiredBecause(column.name),
      decidedBy: this.#options.decidedBy(column.name),
      textual,
      nullValues: this.#options.nullValues,
      source: this.#options.source,
      firstRow: batch.firstRow,
      lines: batch.kind === "arrow" ? undefined : batch.lines,
    };
  }

  #fromText(batch: TextBatch): Data[] {
    const index = new Map(batch.columns.map((name, c) => [name, c]));
    return this.#options.columns.map((column) => {
      const c = index.get(column.name);
      const context = this.#context(column, batch, true);
      return c === undefined
        ? buildColumn(undefined, batch.length, context)
        : buildTextColumn(batch.fields, c, this.#isNullField, context);
    });
  }

  #fromRows(batch: RowBatch): Data[] {
    const index = new Map(batch.columns.map((name, c) => [name, c]));
    return this.#options.columns.map((column) => {
      const c = index.get(column.name);
      return buildColumn(
        c === undefined ? undefined : batch.values[c],
        batch.length,
        this.#context(column, batch, batch.textual),
      );
    });
  }

  #fromArrow(batch: ArrowBatch): Data[] {
    return this.#options.columns.map((column) => {
      const vector = batch.batch.getChild(column.name) as Vector | null;
      const context = this.#context(column, batch, false);
      if (!vector) return buildColumn(undefined, batch.length, context);
      // Data from another copy of apache-arrow (an Arrow table a user built) is re-read.
      const reusable =
        vector.data.length === 1 &&
        vector.data[0] instanceof loadArrow().Data &&
        String(vector.type) === String(arrowTypeOf(column.type)) &&
        (vector.nullCount === 0 || context.requiredBecause === undefined);
      if (reusable) return vector.data[0]!;
      // Other types (narrower integers, other time units, dictionaries) go through JS values.
      const values = Array.from({ length: batch.length }, (_, row) => vector.get(row) as unknown);
      return buildColumn(values, batch.length, context);
    });
  }
}
