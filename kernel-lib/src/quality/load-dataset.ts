/**
 * The data a validation runs on: records or an Arrow table as they are, or a lake table read
 * through `kiln.data` (one committed version, pinned before the read so the result names the
 * version it judged; the read is lineage on the active run like any other).
 *
 * @example
 * ```ts
 * const { data, source } = await loadDataset({ table: "sensors", tag: "batch-42" });
 * source; // { kind: "lake", lake: "/repo/.kiln/lake", table: "sensors", version: 7, tag: "batch-42" }
 * ```
 */
import type { LineageOptions } from "../data/lineage";
import { read } from "../data/read";
import { resolveLakeUri } from "../data/lake";
import { versions } from "../data/table-catalog";
import { TagNotFoundError } from "../data/errors";
import { DatasetColumns, isArrowTable, type DatasetRows } from "./dataset-columns";
import { QualityOptionsError } from "./errors";
import type { ValidatedSource } from "./validation-result";

/** A lake table: its name, optionally a version (number or tag) and another lake than the default. */
export type LakeTableRef = { table: string; version?: number; tag?: string; lake?: string };

/** What can be validated: records, an Arrow table, a lake table's name or a {@link LakeTableRef}. */
export type DataInput = DatasetRows | string | LakeTableRef;

/** Reads `input` into columns; lake tables through kiln.data.read. */
export async function loadDataset(
  input: DataInput,
  options: { lineage?: LineageOptions } = {},
): Promise<{ data: DatasetColumns; source: ValidatedSource }> {
  if (Array.isArray(input)) return { data: DatasetColumns.of(input), source: { kind: "records" } };
  if (isArrowTable(input)) return { data: DatasetColumns.of(input), source: { kind: "arrow" } };
  const ref = typeof input === "string" ? { table: input } : input;
  // Anything else is no data: DatasetColumns.of throws the error that says what to pass.
  if (!isLakeTableRef(ref)) return { data: DatasetColumns.of(input), source: { kind: "records" } };
  const lake = resolveLakeUri(ref.lake);
  const version = await pinVersion(ref, lake);
  const table = await read(ref.table, {
    lake,
    ...(ref.tag === undefined ? { version } : { tag: ref.tag }),
    ...(options.lineage === undefined ? {} : { lineage: options.lineage }),
  });
  return {
    data: DatasetColumns.of(table),
    source: { kind: "lake", lake, table: ref.table, version, ...(ref.tag ? { tag: ref.tag } : {}) },
  };
}

function isLakeTableRef(value: unknown): value is LakeTableRef {
  if (
    typeof value !== "object" ||
    value === null ||
    typeof (value as LakeTableRef).table !== "string"
  ) {
    return false;
  }
  const { version, tag, lake } = value as Record<string, unknown>;
  const problem =
    version !== undefined && !Number.isInteger(version)
      ? `version ${JSON.stringify(version)} is not an integer`
      : tag !== undefined && typeof tag !== "string"
        ? `tag ${JSON.stringify(tag)} is not text`
        : lake !== undefined && typeof lake !== "string"
          ? `lake ${JSON.stringify(lake)} is not a path or URI`
          : version !== undefined && tag !== undefined
            ? "it gives both a version and a tag"
            : undefined;
  if (problem) {
    throw new QualityOptionsError(
      `Cannot read lake table ${JSON.stringify((value as LakeTableRef).table)}: ${problem}.`,
      'Name the table and at most one of version (a number) or tag, e.g. { table: "sensors", tag: "raw-2026-11-01" }.',
    );
  }
  return true;
}

/** The committed version `ref` means (the newest unless pinned), via kiln.data.versions. */
async function pinVersion(ref: LakeTableRef, lake: string): Promise<number> {
  if (ref.version !== undefined) return ref.version; // read checks it exists
  const committed = await versions(ref.table, { lake });
  if (ref.tag !== undefined) {
    const tagged = committed.find((v) => v.tags.includes(ref.tag!));
    if (!tagged) {
      throw new TagNotFoundError(ref.table, ref.tag, committed.flatMap((v) => v.tags).sort());
    }
    return tagged.version;
  }
  const newest = committed.at(-1);
  if (!newest) {
    throw new QualityOptionsError(
      `Lake table "${ref.table}" has no committed version yet.`,
      "Ingest data into it first (kiln.data.ingest).",
    );
  }
  return newest.version;
}
