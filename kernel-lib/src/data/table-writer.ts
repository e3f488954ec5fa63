/**
 * Writes the validated batches of one ingest into LanceDB, one version per batch, and commits
 * the last one (see table-versions.ts). `append` adds rows; `overwrite` replaces the table's rows
 * with its first batch and adds the rest; `upsert` merges on the key (LanceDB `mergeInsert`),
 * keeping for each key the row with the newest event time (an incoming row replaces a stored
 * one whose event time is older or equal; without an event time the incoming row wins). If a
 * write fails, `abort` puts the table back: a new table is dropped, an existing one restored to
 * its last committed version.
 *
 * @example
 * ```ts
 * const writer = new TableWriter(lake, { name: "sensors", state, mode: "upsert", key: ["id"], eventTime: "ts" });
 * await writer.write([batch]);
 * const version = await writer.commit("raw-2026-11-01");
 * ```
 */
import type { RecordBatch } from "apache-arrow";
import type { Table as LanceTable } from "@lancedb/lancedb";
import type { Lake } from "./lake";
import { loadArrow } from "./lazy-modules";
import { commitVersion, type TableState } from "./table-versions";

export const WRITE_MODES = ["append", "overwrite", "upsert"] as const;
export type WriteMode = (typeof WRITE_MODES)[number];

export type TableWriterOptions = {
  name: string;
  /** The existing table's state; undefined to create the table. */
  state: TableState | undefined;
  mode: WriteMode;
  key: readonly string[] | undefined;
  eventTime: string | undefined;
};

/** One ingest's writes into one table. */
export class TableWriter {
  readonly #lake: Lake;
  readonly #options: TableWriterOptions;
  #table: LanceTable | undefined;
  #writes = 0;

  constructor(lake: Lake, options: TableWriterOptions) {
    this.#lake = lake;
    this.#options = options;
  }

  /** Writes a group of batches (one schema) as a new version. */
  async write(batches: RecordBatch[]): Promise<void> {
    const { mode, key } = this.#options;
    const rows = mode === "upsert" ? newestPerKey(batches, key!, this.#options.eventTime) : batches;
    const data = new (loadArrow().Table)(rows[0]!.schema, rows);
    const first = this.#writes++ === 0;
    if (first) {
      this.#table = await this.#existingTable();
      if (!this.#table) {
        // Created with this batch: the creation is the write.
        this.#table = await this.#lake.connection.createTable(this.#options.name, data);
        return;
      }
    }
    const table = this.#table!;
    if (mode === "upsert") {
      const { eventTime } = this.#options;
      const merge = table.mergeInsert([...key!]);
      const newer = eventTime
        ? merge.whenMatchedUpdateAll({
            where: `target.${quote(eventTime)} <= source.${quote(eventTime)}`,
          })
        : merge.whenMatchedUpdateAll();
      await newer.whenNotMatchedInsertAll().execute(data);
    } else {
      await table.add(data, { mode: mode === "overwrite" && first ? "overwrite" : "append" });
    }
  }

  /** Commits the newest version (and tags it); resolves with its number. */
  async commit(tag: string | undefined): Promise<number> {
    const table = this.#table!;
    const version = await table.version();
    await commitVersion(table, version);
    if (tag !== undefined) await (await table.tags()).create(tag, version);
    return version;
  }

  /** Undoes this ingest's writes (best effort: the original failure is what matters). */
  async abort(): Promise<void> {
    const { state, name } = this.#options;
    if (!this.#table) return;
    try {
      if (!state || state.head === undefined) {
        await this.#lake.connection.dropTable(name);
      } else {
        await this.#table.checkout(state.head);
        await this.#table.restore();
      }
    } catch {
      // The failed ingest never committed, so readers keep seeing the last committed version.
    }
  }

  // The table to write into, or undefined when it has to be created with the first batch.
  async #existingTable(): Promise<LanceTable | undefined> {
    const { state, name } = this.#options;
    if (!state) return undefined;
    const table = await this.#lake.connection.openTable(name);
    if (state.head === undefined) {
      // A first ingest that never finished: start the table afresh.
      await this.#lake.connection.dropTable(name);
      return undefined;
    }
    if (state.latest !== state.head) {
      // Versions after the head belong to an ingest that failed: continue from the head.
      await table.checkout(state.head);
      await table.restore();
    }
    return table;
  }
}

/**
 * The rows of `batches` with one row per key: the one with the newest event time (the last one
 * on ties or without an event time), since `mergeInsert` needs unique keys in its source.
 */
function newestPerKey(
  batches: RecordBatch[],
  key: readonly string[],
  eventTime: string | undefined,
): RecordBatch[] {
  const best = new Map<unknown, [batch: number, row: number]>();
  batches.forEach((batch, b) => {
    const keyVectors = key.map((name) => batch.getChild(name)!);
    const times = eventTime ? batch.getChild(eventTime) : null;
    for (let row = 0; row < batch.numRows; row++) {
      const id =
        keyVectors.length === 1
          ? keyVectors[0]!.get(row)
          : JSON.stringify(keyVectors.map((v) => String(v.get(row))));
      const previous = best.get(id);
      const newer =
        previous === undefined ||
        !times ||
        Number(times.get(row)) >=
          Number(batches[previous[0]]!.getChild(eventTime!)!.get(previous[1]));
      if (newer) best.set(id, [b, row]);
    }
  });
  const total = batches.reduce((sum, batch) => sum + batch.numRows, 0);
  if (best.size === total) return batches;
  const kept = [...best.values()].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const arrow = loadArrow();
  const schema = batches[0]!.schema;
  const children = schema.fields.map((field) => {
    const vectors = batches.map((batch) => batch.getChild(field.name)!);
    return arrow.vectorFromArray(
      kept.map(([b, row]) => vectors[b]!.get(row) as unknown),
      field.type,
    ).data[0]!;
  });
  const struct = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: kept.length,
    nullCount: 0,
    children,
  });
  return [new arrow.RecordBatch(schema, struct)];
}

/** A column name quoted for LanceDB's SQL. */
function quote(column: string): string {
  return `\`${column}\``;
}
