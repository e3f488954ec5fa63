import type { Table as LanceTable } from "@lancedb/lancedb";
import type { DataType, Field, Schema, Table as ArrowTable } from "apache-arrow";
import type { FeatureMatrix } from "../serving/endpoint-model";
import { loadArrow, monitoringTables, type PredictionLake } from "./prediction-log-lake";
import type { PredictionLogSink, QueuedRequest, ScoredRows, ScoringRecord } from "./prediction-log";

/** Prefix of a prediction table's feature columns: feature `temperature` is `input_temperature`. */
export const INPUT_PREFIX = "input_";
/** Prefix of a prediction table's output columns: `output_0`, `output_1`, … */
export const OUTPUT_PREFIX = "output_";

/** Options of `PredictionLogTables`. */
export type PredictionLogTablesOptions = {
  /** Writes to a table between two compactions (`optimize`); default 600 (10 min at 1 write/s). */
  optimizeEvery?: number;
  /** Versions older than this are removed by a compaction; default one hour. */
  keepVersionsMs?: number;
  /** Where failed prediction-row writes and compactions are told; default `console.error`. */
  onError?: (message: string, error: unknown) => void;
};

const defaults = {
  optimizeEvery: 600,
  keepVersionsMs: 3_600_000,
  onError: (message: string, error: unknown) =>
    console.error(`kiln: ${message} (${(error as Error).message ?? error})`),
} satisfies Required<PredictionLogTablesOptions>;

type ColumnType = "string" | "int32" | "float64" | "bool" | "timestamp";
type Column = { type: ColumnType; values: unknown[] };

/**
 * The prediction log's sink: LanceDB tables in the lake, one set per endpoint
 * (`monitoringTables`). Each write of a table is one `add`, so one LanceDB version: readers see a
 * batch whole or not at all. A new feature or a wider output adds nullable columns to the table
 * first, so versions with different inputs share one table. Every `optimizeEvery` writes, a table
 * is compacted and versions older than `keepVersionsMs` are removed (a write per second would
 * otherwise leave 86,400 small versions a day).
 *
 * `predictions__<endpoint>`, one row per logged row: `request_id` string, `row` int32 (the row's
 * index in its request), `ts` timestamp[ms, UTC] (the request's arrival), `endpoint`,
 * `model_name`, `model_version`, `protocol` (`v2` or `mlflow`) strings, `fallback` bool,
 * `latency_ms` float64 (the whole request's), then `input_<feature>` float64 per feature (a
 * missing value is null, booleans 1/0) and `output_<i>` float64 per output value (every output of
 * the model, flattened, in order).
 *
 * `requests__<endpoint>`, one row per request, sampled or not, errors included: `request_id`,
 * `ts`, `endpoint`, `model_name`, `model_version`, `protocol`, `status` int32, `latency_ms`
 * float64, `rows` int32, `fallback_rows` int32, `row_log` string (`logged`, `sampled-out`,
 * `dropped`, or `none` for a request that scored nothing).
 *
 * @example
 * const log = new PredictionLog({ sink: new PredictionLogTables(new PredictionLake(uri)) });
 */
export class PredictionLogTables implements PredictionLogSink {
  readonly #lake: PredictionLake;
  readonly #opts: Required<PredictionLogTablesOptions>;
  readonly #writes = new Map<string, number>();

  constructor(lake: PredictionLake, options: PredictionLogTablesOptions = {}) {
    this.#lake = lake;
    this.#opts = { ...defaults, ...options };
  }

  async write(endpoint: string, requests: readonly QueuedRequest[]): Promise<void> {
    const tables = monitoringTables(endpoint);
    const logged = requests.filter((q) => q.rowLog === "logged");
    if (logged.length > 0) {
      try {
        await this.#append(tables.predictions, predictionColumns(logged.map((q) => q.record)));
      } catch (error) {
        for (const q of logged) q.rowLog = "dropped";
        this.#opts.onError(`prediction log: rows of "${endpoint}" could not be written`, error);
      }
    }
    await this.#append(tables.requests, requestColumns(requests));
  }

  async close(): Promise<void> {
    this.#lake.close();
  }

  /** Appends `columns` to table `name` (creating it, or adding columns it lacks, first). */
  async #append(name: string, columns: Map<string, Column>): Promise<void> {
    const table = await this.#lake.table(name);
    if (!table) {
      await this.#lake.createTable(name, arrowTable(columns));
      this.#writes.set(name, 1);
      return;
    }
    let schema = await table.schema();
    const missing = [...columns].filter(
      ([column]) => !schema.fields.some((f) => f.name === column),
    );
    if (missing.length > 0) {
      const { Field } = loadArrow();
      await table.addColumns(
        missing.map(([column, { type }]) => new Field(column, arrowType(type), true)),
      );
      schema = await table.schema();
    }
    await table.add(arrowTable(columns, schema));
    await this.#maybeOptimize(name, table);
  }

  async #maybeOptimize(name: string, table: LanceTable): Promise<void> {
    const writes = (this.#writes.get(name) ?? 0) + 1;
    this.#writes.set(name, writes % this.#opts.optimizeEvery);
    if (writes < this.#opts.optimizeEvery) return;
    try {
      await table.optimize({
        cleanupOlderThan: new Date(Date.now() - this.#opts.keepVersionsMs),
      });
    } catch (error) {
      this.#opts.onError(`prediction log: table "${name}" could not be compacted`, error);
    }
  }
}

/** The columns of the summary rows of `requests`. */
export function requestColumns(requests: readonly QueuedRequest[]): Map<string, Column> {
  const columns = metadataColumns(requests.map((q) => q.record));
  const add = (name: string, type: ColumnType, value: (q: QueuedRequest) => unknown) =>
    columns.set(name, { type, values: requests.map(value) });
  add("status", "int32", (q) => q.record.status);
  add("latency_ms", "float64", (q) => q.record.latencyMs);
  add("rows", "int32", (q) => q.record.scored?.usedFallback.length ?? 0);
  add("fallback_rows", "int32", (q) => q.record.scored?.usedFallback.filter(Boolean).length ?? 0);
  add("row_log", "string", (q) => q.rowLog);
  return columns;
}

/** The columns of the prediction rows of `records` (each with `scored`). */
export function predictionColumns(records: readonly ScoringRecord[]): Map<string, Column> {
  const perRow = records.flatMap((record) =>
    Array.from({ length: record.scored?.usedFallback.length ?? 0 }, (_, row) => ({ record, row })),
  );
  const columns = metadataColumns(perRow.map(({ record }) => record));
  columns.set("row", { type: "int32", values: perRow.map(({ row }) => row) });
  columns.set("fallback", {
    type: "bool",
    values: perRow.map(({ record, row }) => record.scored!.usedFallback[row] ?? false),
  });
  columns.set("latency_ms", { type: "float64", values: perRow.map((r) => r.record.latencyMs) });
  // Features in order of first appearance: a batch may hold several versions of the model.
  const features = [...new Set(records.flatMap((r) => r.model.inputs.map((f) => f.name)))];
  const width = Math.max(0, ...records.map((r) => outputWidth(r)));
  for (const feature of features) columns.set(`${INPUT_PREFIX}${feature}`, floatColumn());
  for (let k = 0; k < width; k++) columns.set(`${OUTPUT_PREFIX}${k}`, floatColumn());
  const inputColumns = features.map((f) => columns.get(`${INPUT_PREFIX}${f}`)!.values);
  const outputColumns = Array.from({ length: width }, (_, k) => {
    return columns.get(`${OUTPUT_PREFIX}${k}`)!.values;
  });
  let at = 0;
  for (const record of records) {
    const scored = record.scored!;
    const rows = scored.usedFallback.length;
    const names = record.model.inputs.map((f) => f.name);
    const own = features.map((feature) => names.indexOf(feature));
    const ownWidth = outputWidth(record);
    for (let i = 0; i < rows; i++, at++) {
      own.forEach(
        (j, c) => (inputColumns[c]![at] = j < 0 ? null : inputValue(scored, names, i, j)),
      );
      for (let k = 0; k < width; k++) {
        outputColumns[k]![at] = k < ownWidth ? outputValue(scored, ownWidth, i, k) : null;
      }
    }
  }
  return columns;
}

function metadataColumns(records: readonly ScoringRecord[]): Map<string, Column> {
  const column = (type: ColumnType, value: (r: ScoringRecord) => unknown): Column => ({
    type,
    values: records.map(value),
  });
  return new Map([
    ["request_id", column("string", (r) => r.requestId)],
    ["ts", column("timestamp", (r) => r.time)],
    ["endpoint", column("string", (r) => r.endpoint)],
    ["model_name", column("string", (r) => r.model.modelName)],
    ["model_version", column("string", (r) => r.model.version)],
    ["protocol", column("string", (r) => r.protocol)],
  ]);
}

const floatColumn = (): Column => ({ type: "float64", values: [] });

function outputWidth(record: ScoringRecord): number {
  const { scored } = record;
  if (!scored) return 0;
  if (scored.outputs instanceof Float32Array) {
    const rows = scored.usedFallback.length;
    return rows === 0 ? 0 : scored.outputs.length / rows;
  }
  return Math.max(0, ...scored.outputs.map((values) => values.length));
}

function inputValue(
  scored: NonNullable<ScoringRecord["scored"]>,
  names: readonly string[],
  row: number,
  feature: number,
): number | null {
  const { inputs } = scored;
  if (isMatrix(inputs)) {
    const value = inputs.values[row * names.length + feature]!;
    return Number.isNaN(value) ? null : value;
  }
  const value = inputs[row]?.[names[feature]!];
  if (typeof value === "boolean") return value ? 1 : 0;
  return typeof value === "number" ? value : null;
}

// (`"values" in inputs` would not do: arrays have a `values` method.)
function isMatrix(inputs: ScoredRows["inputs"]): inputs is FeatureMatrix {
  return !Array.isArray(inputs);
}

function outputValue(
  scored: NonNullable<ScoringRecord["scored"]>,
  width: number,
  row: number,
  k: number,
): number | null {
  const value =
    scored.outputs instanceof Float32Array
      ? scored.outputs[row * width + k]
      : (scored.outputs[row] as readonly number[] | undefined)?.[k];
  return value === undefined || Number.isNaN(value) ? null : value;
}

function arrowType(type: ColumnType): DataType {
  const arrow = loadArrow();
  switch (type) {
    case "string":
      return new arrow.Utf8();
    case "int32":
      return new arrow.Int32();
    case "float64":
      return new arrow.Float64();
    case "bool":
      return new arrow.Bool();
    case "timestamp":
      return new arrow.TimestampMillisecond("UTC");
  }
}

/**
 * An Arrow table of `columns`, laid out as `schema` when given (the table's: its columns in its
 * order, nulls for a column the batch does not have), else with nullable columns in map order.
 */
export function arrowTable(columns: Map<string, Column>, schema?: Schema): ArrowTable {
  const arrow = loadArrow();
  const length = columns.values().next().value?.values.length ?? 0;
  const fields: Field[] =
    schema?.fields ??
    [...columns].map(([name, { type }]) => new arrow.Field(name, arrowType(type), true));
  const children = fields.map((field) => {
    const values = columns.get(field.name)?.values ?? new Array<null>(length).fill(null);
    return arrow.vectorFromArray(values, field.type).data[0]!;
  });
  const layout = new arrow.Schema(fields, schema?.metadata);
  const data = arrow.makeData({
    type: new arrow.Struct(layout.fields),
    length,
    nullCount: 0,
    children,
  });
  return new arrow.Table(layout, [new arrow.RecordBatch(layout, data)]);
}
