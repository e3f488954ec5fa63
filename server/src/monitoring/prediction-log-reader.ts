import type { Table as LanceTable } from "@lancedb/lancedb";
import type { RecordBatch } from "apache-arrow";
import type { PredictionLake } from "./prediction-log-lake";
import type { RowLog } from "./prediction-log";
import { SAFE_REQUEST_ID } from "./request-ids";

/** Request ids per `IN (...)` filter: long enough to be few queries, short enough to parse fast. */
const IDS_PER_QUERY = 500;

/** One column of a batch as plain numbers (timestamps in epoch ms), strings or booleans. */
export type ColumnValues = (number | string | boolean | null)[];

/**
 * Reads the monitoring tables of the lake: rows by request id, and columns of the rows in a time
 * window, batch by batch, so a long window is never held as row objects.
 *
 * @example
 * const reader = new PredictionLogReader(lake);
 * const rows = await reader.loggedRows("predictions__drill", ["order-42"]); // Map { "order-42" => Set {0, 1} }
 */
export class PredictionLogReader {
  readonly #lake: PredictionLake;

  constructor(lake: PredictionLake) {
    this.#lake = lake;
  }

  /** The column names of table `name`, or undefined when it does not exist. */
  async columns(name: string): Promise<string[] | undefined> {
    const table = await this.#lake.table(name);
    return table && (await table.schema()).fields.map((field) => field.name);
  }

  /** Which rows of each of `requestIds` the prediction table `name` holds. */
  async loggedRows(name: string, requestIds: readonly string[]): Promise<Map<string, Set<number>>> {
    const found = new Map<string, Set<number>>();
    await this.#byIds(name, requestIds, ["request_id", "row"], (columns) => {
      columns["request_id"]!.forEach((id, i) => {
        const rows = found.get(id as string) ?? new Set<number>();
        rows.add(columns["row"]![i] as number);
        found.set(id as string, rows);
      });
    });
    return found;
  }

  /** What became of the rows of each of `requestIds`, from the requests table `name`. */
  async rowLogs(name: string, requestIds: readonly string[]): Promise<Map<string, RowLog>> {
    const found = new Map<string, RowLog>();
    await this.#byIds(name, requestIds, ["request_id", "row_log"], (columns) => {
      columns["request_id"]!.forEach((id, i) =>
        found.set(id as string, columns["row_log"]![i] as RowLog),
      );
    });
    return found;
  }

  /**
   * Calls `each` with `columns` of every batch of table `name` whose `ts` is at or after `since`
   * (epoch ms; every row without it). Resolves false when the table does not exist.
   */
  async scan(
    name: string,
    columns: readonly string[],
    each: (batch: Record<string, ColumnValues>) => void,
    since?: number,
  ): Promise<boolean> {
    const table = await this.#lake.table(name);
    if (!table) return false;
    await scanQuery(
      table,
      columns,
      since === undefined ? undefined : `ts >= TIMESTAMP '${new Date(since).toISOString()}'`,
      each,
    );
    return true;
  }

  /**
   * The last `limit` rows written to table `name` (in the order they were written), as columns:
   * `columns`, or every column. Undefined when the table does not exist. What a monitoring check
   * of "the last N served rows" reads, without scanning the whole log.
   *
   * @example
   * const recent = await reader.recent("predictions__drill", 500, ["input_vibration", "fallback"]);
   */
  async recent(
    name: string,
    limit: number,
    columns?: readonly string[],
  ): Promise<Record<string, ColumnValues> | undefined> {
    const table = await this.#lake.table(name);
    if (!table) return undefined;
    const names = columns ?? (await table.schema()).fields.map((field) => field.name);
    const total = await table.countRows();
    let query = table
      .query()
      .select([...names])
      .limit(limit);
    if (total > limit) query = query.offset(total - limit);
    const result: Record<string, ColumnValues> = Object.fromEntries(names.map((n) => [n, []]));
    for await (const batch of query as AsyncIterable<RecordBatch>) {
      for (const n of names) result[n]!.push(...columnValues(batch, n));
    }
    return result;
  }

  async #byIds(
    name: string,
    requestIds: readonly string[],
    columns: readonly string[],
    each: (batch: Record<string, ColumnValues>) => void,
  ): Promise<void> {
    const table = await this.#lake.table(name);
    // Only safe ids can be in the log (request-ids.ts), and only they go into SQL.
    const ids = [...new Set(requestIds)].filter((id) => SAFE_REQUEST_ID.test(id));
    if (!table || ids.length === 0) return;
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const list = ids.slice(i, i + IDS_PER_QUERY).map((id) => `'${id}'`);
      await scanQuery(table, columns, `request_id IN (${list.join(", ")})`, each);
    }
  }
}

async function scanQuery(
  table: LanceTable,
  columns: readonly string[],
  where: string | undefined,
  each: (batch: Record<string, ColumnValues>) => void,
): Promise<void> {
  let query = table.query().select([...columns]);
  if (where) query = query.where(where);
  for await (const batch of query as AsyncIterable<RecordBatch>) {
    each(Object.fromEntries(columns.map((name) => [name, columnValues(batch, name)])));
  }
}

function columnValues(batch: RecordBatch, name: string): ColumnValues {
  const vector = batch.getChild(name);
  if (!vector) return new Array<null>(batch.numRows).fill(null);
  const values: ColumnValues = new Array(batch.numRows);
  for (let i = 0; i < batch.numRows; i++) {
    const value = vector.get(i) as unknown;
    values[i] =
      value === null || value === undefined
        ? null
        : typeof value === "bigint"
          ? Number(value)
          : (value as number | string | boolean);
  }
  return values;
}
