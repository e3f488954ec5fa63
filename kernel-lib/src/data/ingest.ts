/**
 * `kiln.data.ingest`: loads a file (CSV, JSON Lines, Parquet, Arrow IPC), records or an Arrow
 * table into a lake table as one new committed version.
 *
 * Atomicity: the whole source is read, checked and converted to Arrow in a first streaming
 * pass with nothing written, so any bad row (wrong type, mixed types, missing value, malformed
 * line, missing column) fails the ingest with the table exactly as it was: no new version, no
 * new table. The converted batches are kept (in memory up to `batchRows` rows, beyond that in a
 * temporary Arrow file) and written in groups of `batchRows` rows; readers see the ingest only
 * when its last group is committed (table-versions.ts). The source is parsed once, and memory
 * holds about one group at a time, whatever the source's size.
 *
 * @example
 * ```ts
 * const result = await kiln.data.ingest("plant-2026-11-01.csv", {
 *   table: "sensors",
 *   mode: "upsert",
 *   key: "sensor_id",
 *   eventTime: "measured_at",
 *   tag: "raw-2026-11-01",
 * });
 * console.log(result.version, result.rowCount);
 * ```
 */
import type { RecordBatch } from "apache-arrow";
import { BatchConverter } from "./batch-converter";
import { declaredColumns, type Column, type DataSchemaInit } from "./column-types";
import { IngestOptionsError, SourceError } from "./errors";
import { assertTableName, Lake } from "./lake";
import { SchemaResolver } from "./schema-resolver";
import { openSource, type IngestSource, type SourceOptions } from "./sources";
import { TableWriter, WRITE_MODES, type WriteMode } from "./table-writer";
import { assertNewTag, readTableState, TABLE_METADATA, type TableState } from "./table-versions";
import { ValidatedBatches } from "./validated-batches";

/** Options of {@link ingest}. */
export type IngestOptions = SourceOptions & {
  /** Table name: letters, digits, `_`, `.`, `-`. Created on first ingest. */
  table: string;
  /** Types of some or all columns; the others are inferred. */
  schema?: DataSchemaInit;
  /** Key column(s): required in every row; upserts merge on them. Stored with the table. */
  key?: string | string[];
  /** Event-time column (a timestamp, required in every row); upserts keep the newest. */
  eventTime?: string;
  /** Default `append`. */
  mode?: WriteMode;
  /** Tag for the new version, e.g. `raw-2026-11-01`. */
  tag?: string;
  /** Lake URI; default `$KILN_LAKE_URI`, `$KILN_STATE_DIR/lake` or `.kiln/lake`. */
  lake?: string;
  /** Non-null values per column that decide its inferred type; default 1000. */
  inferRows?: number;
  /** Rows per write (one LanceDB version each; also the memory bound); default 100,000. */
  batchRows?: number;
  /** CSV spellings of a missing value; default `[""]`. */
  nullValues?: readonly string[];
  /** Called as the ingest advances (validation pass, then writing). */
  onProgress?: (progress: IngestProgress) => void;
};

/** Where an ingest is. */
export type IngestProgress = {
  phase: "validating" | "writing";
  rows: number;
  /** Source bytes read in this phase (files). */
  bytes: number;
  totalBytes: number | undefined;
};

/** What an ingest did. */
export type IngestResult = {
  table: string;
  lake: string;
  /** The committed version the ingest created. */
  version: number;
  mode: WriteMode;
  /** Rows read from the source. */
  rowsIngested: number;
  /** Rows in the table at the new version. */
  rowCount: number;
  tag: string | undefined;
  columns: Column[];
  key: string[] | undefined;
  eventTime: string | undefined;
};

const defaults = {
  mode: "append" as WriteMode,
  inferRows: 1000,
  batchRows: 100_000,
  nullValues: [""] as readonly string[],
};

const READ_BATCH_ROWS = 8192;

/** Ingests `source` into a lake table; see the module comment for the guarantees. */
export async function ingest(source: IngestSource, options: IngestOptions): Promise<IngestResult> {
  const opts = { ...defaults, ...options } satisfies IngestOptions;
  checkOptions(opts);
  const lake = await Lake.open(opts.lake);
  const existing = await lake.tryOpenTable(opts.table);
  const state = existing ? await readTableState(existing) : undefined;
  // A table whose first ingest never finished is replaced, not appended to.
  const stored = state?.head !== undefined ? state : undefined;
  const { key, eventTime } = tableRoles(opts, stored);
  if (opts.mode === "upsert" && !key) {
    throw new IngestOptionsError(
      `An upsert into "${opts.table}" needs a key column.`,
      'Pass key: "id" (CLI: --key id).',
    );
  }
  if (opts.tag !== undefined) assertNewTag(stored, opts.tag);

  const input = await openSource(source, opts);
  const roles = new Map<string, string>([
    ...(key ?? []).map((k): [string, string] => [k, "key column"]),
    ...(eventTime ? [[eventTime, "event-time column"] as [string, string]] : []),
  ]);
  const declared = declaredColumns(opts.schema ?? {});
  if (eventTime && !declared.has(eventTime)) {
    declared.set(eventTime, { name: eventTime, type: "timestamp", nullable: false });
  }
  if (stored) checkDeclaredAgainstStored(declared, stored);
  const nullValues = new Set(opts.nullValues);
  const resolver = new SchemaResolver({
    source: input.name,
    table: opts.table,
    stored: stored?.columns,
    declared,
    roles,
    inferRows: opts.inferRows,
    nullValues,
  });
  const metadata = new Map([
    [TABLE_METADATA.kiln, "1"],
    ...(key ? [[TABLE_METADATA.key, JSON.stringify(key)] as [string, string]] : []),
    ...(eventTime ? [[TABLE_METADATA.eventTime, eventTime] as [string, string]] : []),
  ]);
  const converterFor = (columns: Column[]) =>
    new BatchConverter({
      columns,
      metadata,
      requiredBecause: (column) => resolver.requiredBecause(column),
      decidedBy: (column) => resolver.decidedBy(column),
      nullValues,
      source: input.name,
    });
  const progress = (phase: IngestProgress["phase"], rows: number, bytes: number) =>
    opts.onProgress?.({ phase, rows, bytes, totalBytes: input.totalBytes });

  // Pass 1: check and convert everything, write nothing. Sources are read in small batches
  // (short-lived strings stay in V8's young generation); converted batches are kept for pass 2.
  const validated = new ValidatedBatches(opts.batchRows);
  let version: number;
  try {
    for await (const batch of input.batches(Math.min(opts.batchRows, READ_BATCH_ROWS))) {
      resolver.observe(batch);
      await validated.add(converterFor(resolver.columns()).convert(batch));
      progress("validating", validated.rows, batch.bytesRead);
    }
    if (validated.rows === 0) {
      throw new SourceError(
        `${input.name} has no rows.`,
        "Nothing was written; ingest a source with data.",
      );
    }
    // Pass 2: write, then commit.
    const writer = new TableWriter(lake, {
      name: opts.table,
      state,
      mode: opts.mode,
      key,
      eventTime,
    });
    version = await writeGroups(validated, writer, {
      converter: converterFor(resolver.columns()),
      groupRows: opts.batchRows,
      tag: opts.tag,
      progress: (rows) =>
        progress("writing", rows, Math.round(((input.totalBytes ?? 0) * rows) / validated.rows)),
    });
  } finally {
    await validated.dispose();
  }
  const table = await lake.openTable(opts.table);
  await table.checkout(version);
  return {
    table: opts.table,
    lake: lake.uri,
    version,
    mode: opts.mode,
    rowsIngested: validated.rows,
    rowCount: await table.countRows(),
    tag: opts.tag,
    columns: resolver.columns(),
    key,
    eventTime,
  };
}

/**
 * Writes validated batches in groups of `groupRows` rows, one LanceDB version each, and commits
 * the last; on failure the writer puts the table back. Batches converted before a column's type
 * was final (an integer column widened, a column that was all nulls so far, a late JSON key)
 * are converted again, from Arrow.
 */
async function writeGroups(
  validated: ValidatedBatches,
  writer: TableWriter,
  options: {
    converter: BatchConverter;
    groupRows: number;
    tag: string | undefined;
    progress: (rows: number) => void;
  },
): Promise<number> {
  try {
    let group: RecordBatch[] = [];
    let groupRows = 0;
    let rows = 0;
    for await (const batch of validated.batches()) {
      const firstRow = rows + 1;
      rows += batch.numRows;
      groupRows += batch.numRows;
      group.push(
        options.converter.convert({
          kind: "arrow",
          batch,
          length: batch.numRows,
          firstRow,
          bytesRead: 0,
        }),
      );
      if (groupRows >= options.groupRows) {
        await writer.write(group);
        options.progress(rows);
        group = [];
        groupRows = 0;
      }
    }
    if (group.length > 0) await writer.write(group);
    options.progress(rows);
    return await writer.commit(options.tag);
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

function checkOptions(opts: IngestOptions & typeof defaults): void {
  assertTableName(opts.table);
  if (!WRITE_MODES.includes(opts.mode)) {
    throw new IngestOptionsError(
      `Mode ${JSON.stringify(opts.mode)} is not an ingest mode.`,
      `Use one of: ${WRITE_MODES.join(", ")}.`,
    );
  }
  for (const [name, value] of [
    ["batchRows", opts.batchRows],
    ["inferRows", opts.inferRows],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new IngestOptionsError(`${name} is ${value}.`, `Pass a whole number ≥ 1.`);
    }
  }
}

// The key and event time are stored with the table: later ingests inherit them and may not
// change them, or upserts would merge on different columns over time.
function tableRoles(
  opts: IngestOptions,
  stored: TableState | undefined,
): { key: string[] | undefined; eventTime: string | undefined } {
  const key = typeof opts.key === "string" ? [opts.key] : opts.key;
  if (stored) {
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    if (key && !same(key, stored.key)) {
      throw new IngestOptionsError(
        `Table "${stored.name}" has the key ${JSON.stringify(stored.key ?? null)}, not ${JSON.stringify(key)}.`,
        "Leave the key out (the table's is used), or ingest into a new table.",
      );
    }
    if (opts.eventTime && opts.eventTime !== stored.eventTime) {
      throw new IngestOptionsError(
        `Table "${stored.name}" has the event-time column ${JSON.stringify(stored.eventTime ?? null)}, not "${opts.eventTime}".`,
        "Leave eventTime out (the table's is used), or ingest into a new table.",
      );
    }
    return { key: stored.key, eventTime: stored.eventTime };
  }
  if (key && (key.length === 0 || key.some((k) => typeof k !== "string" || k.includes("`")))) {
    throw new IngestOptionsError(
      `The key ${JSON.stringify(key)} is not a list of column names.`,
      'Pass key: "id" or key: ["plant", "sensor"].',
    );
  }
  if (opts.eventTime?.includes("`")) {
    throw new IngestOptionsError(
      `The event-time column "${opts.eventTime}" has a backquote.`,
      "Rename the column.",
    );
  }
  return { key, eventTime: opts.eventTime };
}

function checkDeclaredAgainstStored(declared: Map<string, Column>, stored: TableState): void {
  for (const column of declared.values()) {
    const existing = stored.columns.find((c) => c.name === column.name);
    if (existing && existing.type !== column.type) {
      throw new IngestOptionsError(
        `The schema declares "${column.name}" as ${column.type}, but table "${stored.name}" stores it as ${existing.type}.`,
        "Leave the column out of the schema (the table's type is used), or ingest into a new table.",
      );
    }
  }
}
