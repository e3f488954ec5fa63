/**
 * Which versions of a table readers see. LanceDB makes a version per write, and a large ingest
 * writes several batches; Kiln marks the last version of each finished ingest with a reserved
 * tag (`kiln-commit-<version>`), and readers see only those committed versions. A reader never
 * sees half an ingest, and an ingest that failed half-way leaves nothing visible. Tables Kiln
 * did not create (no `kiln.table` schema metadata) have every LanceDB version committed.
 *
 * @example
 * ```ts
 * const state = await readTableState(table);
 * state.head; // newest committed version
 * const version = resolveVersion(state, { tag: "raw-2026-11-01" });
 * ```
 */
import type { Table as LanceTable } from "@lancedb/lancedb";
import { columnsOfArrowSchema, type Column } from "./column-types";
import { DataError, IngestOptionsError, TagNotFoundError, VersionNotFoundError } from "./errors";

const COMMIT_TAG = /^kiln-commit-(\d+)$/;
const TAG_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** Schema metadata keys of a Kiln table. */
export const TABLE_METADATA = {
  kiln: "kiln.table",
  key: "kiln.key",
  eventTime: "kiln.event_time",
} as const;

/** One committed version. */
export type TableVersion = {
  version: number;
  /** When LanceDB wrote it. */
  time: Date;
  rows: number;
  /** User tags pointing at it. */
  tags: string[];
};

/** What a table is and which of its versions are committed. */
export type TableState = {
  name: string;
  columns: Column[];
  key: string[] | undefined;
  eventTime: string | undefined;
  /** Committed versions, oldest first. */
  versions: TableVersion[];
  /** The newest committed version; undefined when the first ingest never finished. */
  head: number | undefined;
  /** The newest LanceDB version, committed or not. */
  latest: number;
  /** User tag → version. */
  tags: Map<string, number>;
};

/** Reads a table's schema, versions and tags. */
export async function readTableState(table: LanceTable): Promise<TableState> {
  await table.checkoutLatest();
  const schema = await table.schema();
  const metadata = schema.metadata;
  const managed = metadata.get(TABLE_METADATA.kiln) !== undefined;
  const key = metadata.get(TABLE_METADATA.key);
  const [lanceVersions, tagList] = await Promise.all([
    table.listVersions(),
    table.tags().then((tags) => tags.list()),
  ]);
  const committed = new Set<number>();
  const tags = new Map<string, number>();
  for (const [name, contents] of Object.entries(tagList)) {
    const commit = COMMIT_TAG.exec(name);
    if (commit) committed.add(Number(commit[1]));
    else tags.set(name, contents.version);
  }
  const versions = lanceVersions
    .filter((v) => !managed || committed.has(v.version))
    .map((v) => ({
      version: v.version,
      time: v.timestamp,
      rows: Number(v.metadata["total_rows"] ?? NaN),
      tags: [...tags].filter(([, version]) => version === v.version).map(([name]) => name),
    }));
  return {
    name: table.name,
    columns: columnsOfArrowSchema(schema, table.name),
    key: key ? (JSON.parse(key) as string[]) : undefined,
    eventTime: metadata.get(TABLE_METADATA.eventTime),
    versions,
    head: versions.at(-1)?.version,
    latest: Math.max(...lanceVersions.map((v) => v.version)),
    tags,
  };
}

/** The committed version a read asks for: a number, a tag, or (neither) the newest one. */
export function resolveVersion(
  state: TableState,
  wanted: { version?: number | undefined; tag?: string | undefined },
): number {
  if (wanted.version !== undefined && wanted.tag !== undefined) {
    throw new IngestOptionsError(
      `Both version ${wanted.version} and tag "${wanted.tag}" were given for table "${state.name}".`,
      "Pin a read with one of them.",
    );
  }
  if (wanted.tag !== undefined) {
    const version = state.tags.get(wanted.tag);
    if (version === undefined)
      throw new TagNotFoundError(state.name, wanted.tag, [...state.tags.keys()].sort());
    return version;
  }
  const committed = state.versions.map((v) => v.version);
  if (wanted.version !== undefined) {
    if (!committed.includes(wanted.version))
      throw new VersionNotFoundError(state.name, wanted.version, committed);
    return wanted.version;
  }
  if (state.head === undefined) {
    throw new DataError(
      `Table "${state.name}" has no committed version: its first ingest did not finish.`,
      "Run the ingest again.",
    );
  }
  return state.head;
}

/** Marks `version` as the end of a finished ingest. */
export async function commitVersion(table: LanceTable, version: number): Promise<void> {
  await (await table.tags()).create(`kiln-commit-${version}`, version);
}

/** Throws IngestOptionsError unless `tag` is a free, valid user tag name for the table. */
export function assertNewTag(state: TableState | undefined, tag: string): void {
  if (!TAG_NAME.test(tag) || COMMIT_TAG.test(tag)) {
    throw new IngestOptionsError(
      `${JSON.stringify(tag)} cannot name a tag.`,
      'Use letters, digits, "_", "." and "-", e.g. "raw-2026-11-01" ("kiln-commit-N" is reserved).',
    );
  }
  const existing = state?.tags.get(tag);
  if (existing !== undefined) {
    throw new IngestOptionsError(
      `Table "${state!.name}" already has a tag "${tag}" (version ${existing}); tags name one version for good.`,
      "Choose another tag name.",
    );
  }
}
