/**
 * Opens what `kiln.data.ingest` was given as a re-readable {@link DataSource}: a CSV, JSON
 * Lines, Parquet or Arrow IPC file (format from the extension unless `format` says), an array
 * of records, or an Arrow table. Files are streamed; nothing reads a whole file into memory.
 *
 * @example
 * ```ts
 * const source = await openSource("plant.parquet", {});
 * for await (const batch of source.batches(50_000)) console.log(batch.length);
 * ```
 */
import { createReadStream, openAsBlob } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import type { RecordBatch, Table as ArrowTable } from "apache-arrow";
import { readCsv } from "./csv-reader";
import { SourceError } from "./errors";
import { readJsonLines, RecordGatherer } from "./jsonl-reader";
import { loadArrow, loadParquetWasm } from "./lazy-modules";
import type { ArrowBatch, DataSource, SourceBatch } from "./source-batch";

export const FILE_FORMATS = ["csv", "tsv", "jsonl", "parquet", "arrow"] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** What can be ingested: a file path, records, or an Arrow table. */
export type IngestSource = string | readonly Record<string, unknown>[] | ArrowTable;

export type SourceOptions = {
  /** File format; default from the extension. */
  format?: FileFormat;
  /** CSV field separator; default `,` (tab for `tsv`). */
  delimiter?: string;
};

const EXTENSIONS: Record<string, FileFormat> = {
  ".csv": "csv",
  ".tsv": "tsv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".parquet": "parquet",
  ".pq": "parquet",
  ".arrow": "arrow",
  ".arrows": "arrow",
  ".feather": "arrow",
  ".ipc": "arrow",
};

// A large read buffer: fewer, bigger chunks keep the parsers in their fast loops.
const READ_CHUNK_BYTES = 1 << 20;

/** The source for `input`; throws SourceError for a missing file or an unknown format. */
export async function openSource(input: IngestSource, options: SourceOptions): Promise<DataSource> {
  if (typeof input === "string") return openFile(input, options);
  if (Array.isArray(input)) return recordsSource(input as readonly Record<string, unknown>[]);
  if (isArrowTable(input)) return arrowTableSource(input);
  throw new SourceError(
    `Cannot ingest a ${typeof input}.`,
    "Pass a file path (CSV, JSON Lines, Parquet, Arrow IPC), an array of records, or an Arrow table.",
  );
}

async function openFile(path: string, options: SourceOptions): Promise<DataSource> {
  const format = options.format ?? EXTENSIONS[extname(path).toLowerCase()];
  if (!format || !FILE_FORMATS.includes(format)) {
    throw new SourceError(
      `Cannot tell the format of ${path}${options.format ? ` (format ${JSON.stringify(options.format)})` : ""}.`,
      `Name the format: { format: ${FILE_FORMATS.map((f) => `"${f}"`).join(" | ")} } (CLI: --format).`,
    );
  }
  const size = await stat(path).then(
    (s) => s.size,
    (error: NodeJS.ErrnoException) => {
      throw new SourceError(
        `Cannot read ${path} (${error.code ?? error.message}).`,
        "Check the path.",
        {
          cause: error,
        },
      );
    },
  );
  const name = basename(path);
  const base = { name, totalBytes: size };
  switch (format) {
    case "csv":
    case "tsv": {
      const delimiter = options.delimiter ?? (format === "tsv" ? "\t" : ",");
      return {
        ...base,
        batches(batchRows) {
          const stream = createReadStream(path, {
            encoding: "utf8",
            highWaterMark: READ_CHUNK_BYTES,
          });
          return readCsv(stream, {
            batchRows,
            source: name,
            delimiter,
            bytesRead: () => stream.bytesRead,
          });
        },
      };
    }
    case "jsonl":
      return {
        ...base,
        batches(batchRows) {
          const stream = createReadStream(path, {
            encoding: "utf8",
            highWaterMark: READ_CHUNK_BYTES,
          });
          return readJsonLines(stream, {
            batchRows,
            source: name,
            bytesRead: () => stream.bytesRead,
          });
        },
      };
    case "arrow":
      return {
        ...base,
        batches: (batchRows) => readArrowIpc(path, batchRows),
      };
    case "parquet":
      return {
        ...base,
        batches: (batchRows) => readParquet(path, batchRows, size),
      };
  }
}

async function* readArrowIpc(path: string, batchRows: number): AsyncGenerator<ArrowBatch> {
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  const reader = await loadArrow().RecordBatchReader.from(stream);
  let firstRow = 1;
  for await (const batch of reader) {
    for (const slice of slices(batch, batchRows)) {
      yield {
        kind: "arrow",
        batch: slice,
        length: slice.numRows,
        firstRow,
        bytesRead: stream.bytesRead,
      };
      firstRow += slice.numRows;
    }
  }
}

// Parquet is decoded by parquet-wasm one row group at a time from a file-backed Blob, so only
// the row group being decoded is in memory.
async function* readParquet(
  path: string,
  batchRows: number,
  size: number,
): AsyncGenerator<ArrowBatch> {
  const parquet = loadParquetWasm();
  const arrow = loadArrow();
  const file = await parquet.ParquetFile.fromFile(await openAsBlob(path));
  const groups = file.metadata().numRowGroups();
  let firstRow = 1;
  try {
    for (let group = 0; group < groups; group++) {
      const stream = await file.stream({ batchSize: batchRows, rowGroups: [group] });
      for await (const wasmBatch of stream as AsyncIterable<{ intoIPCStream(): Uint8Array }>) {
        for (const batch of arrow.tableFromIPC(wasmBatch.intoIPCStream()).batches) {
          yield {
            kind: "arrow",
            batch,
            length: batch.numRows,
            firstRow,
            bytesRead: Math.round((size * (group + 1)) / groups),
          };
          firstRow += batch.numRows;
        }
      }
    }
  } finally {
    file.free();
  }
}

function recordsSource(records: readonly Record<string, unknown>[]): DataSource {
  return {
    name: "records",
    totalBytes: undefined,
    async *batches(batchRows) {
      for (let start = 0; start < records.length; start += batchRows) {
        const gatherer = new RecordGatherer(start + 1);
        const end = Math.min(records.length, start + batchRows);
        for (let i = start; i < end; i++) {
          const record = records[i];
          if (typeof record !== "object" || record === null || Array.isArray(record)) {
            throw new SourceError(
              `Record ${i + 1} is ${record === null ? "null" : Array.isArray(record) ? "an array" : `a ${typeof record}`}, not an object.`,
              "Pass an array of plain objects, e.g. [{ id: 1, temp: 20.5 }].",
            );
          }
          gatherer.add(record);
        }
        yield gatherer.toBatch(0);
      }
    },
  };
}

function arrowTableSource(table: ArrowTable): DataSource {
  return {
    name: "Arrow table",
    totalBytes: undefined,
    async *batches(batchRows): AsyncGenerator<SourceBatch> {
      let firstRow = 1;
      for (const batch of table.batches) {
        for (const slice of slices(batch, batchRows)) {
          yield { kind: "arrow", batch: slice, length: slice.numRows, firstRow, bytesRead: 0 };
          firstRow += slice.numRows;
        }
      }
    },
  };
}

function* slices(batch: RecordBatch, batchRows: number): Generator<RecordBatch> {
  if (batch.numRows <= batchRows) {
    yield batch;
    return;
  }
  for (let start = 0; start < batch.numRows; start += batchRows) {
    yield batch.slice(start, Math.min(batch.numRows, start + batchRows));
  }
}

function isArrowTable(value: unknown): value is ArrowTable {
  const v = value as Partial<ArrowTable> | null;
  return typeof v === "object" && v !== null && Array.isArray(v.batches) && v.schema !== undefined;
}
