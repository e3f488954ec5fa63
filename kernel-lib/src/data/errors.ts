/**
 * Errors of the data lake. Each says what went wrong, where (table, version, row, line,
 * column), and what to do next (`fix`). Validation errors are thrown before anything is written,
 * so catching one means the lake is exactly as it was.
 *
 * @example
 * ```ts
 * try {
 *   await kiln.data.ingest("plant.csv", { table: "sensors" });
 * } catch (error) {
 *   if (error instanceof kiln.DataValidationError) console.log(error.row, error.line, error.column);
 * }
 * ```
 */

/** Base class of every data-lake error; `fix` tells the user what to do next. */
export class DataError extends Error {
  override name = "DataError";
  readonly fix: string;

  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super(`${message} ${fix}`, options);
    this.fix = fix;
  }
}

/** Where a bad value sits: 1-based data row, file line (text formats), column. */
export type ValueLocation = {
  /** 1-based data row (the header of a CSV file is not a row). */
  row: number;
  /** 1-based line of the file, for CSV and JSON Lines sources. */
  line?: number;
  column?: string;
};

function where({ row, line, column }: ValueLocation, source: string): string {
  const at = line === undefined ? `row ${row}` : `row ${row} (line ${line})`;
  return `${source}, ${at}${column === undefined ? "" : `, column "${column}"`}`;
}

/**
 * Input that does not fit the table: a wrong type, a column of mixed types, a null where a value
 * is required, a malformed line. Nothing was written.
 */
export class DataValidationError extends DataError {
  override name = "DataValidationError";
  readonly source: string;
  readonly row: number;
  readonly line: number | undefined;
  readonly column: string | undefined;

  constructor(
    problem: string,
    init: ValueLocation & { source: string; fix: string },
    options?: { cause?: unknown },
  ) {
    super(`${where(init, init.source)}: ${problem}. Nothing was written.`, init.fix, options);
    this.source = init.source;
    this.row = init.row;
    this.line = init.line;
    this.column = init.column;
  }
}

/** A value that cannot be read as its column's type (declared, stored or inferred). */
export class TypeMismatchError extends DataValidationError {
  override name = "TypeMismatchError";
}

/** A column whose values changed kind after its type was decided (e.g. numbers, then text). */
export class MixedTypesError extends DataValidationError {
  override name = "MixedTypesError";
}

/** A null (empty field, `null`, missing key) in a column that requires a value. */
export class MissingValueError extends DataValidationError {
  override name = "MissingValueError";
}

/** A line a CSV or JSON Lines reader cannot parse (unclosed quote, wrong field count, bad JSON). */
export class MalformedLineError extends DataValidationError {
  override name = "MalformedLineError";
}

/** The source lacks a column the table, the declared schema, the key or the event time needs. */
export class MissingColumnError extends DataError {
  override name = "MissingColumnError";
  readonly column: string;
  readonly available: string[];

  constructor(column: string, init: { source: string; role: string; available: string[] }) {
    super(
      `${init.source} has no column "${column}" (${init.role}); its columns are: ${list(init.available)}. Nothing was written.`,
      `Add the column to the source, or name an existing one.`,
    );
    this.column = column;
    this.available = init.available;
  }
}

/** The source has a column the existing table does not (no schema evolution in the raw zone). */
export class UnknownColumnError extends DataError {
  override name = "UnknownColumnError";
  readonly column: string;
  readonly tableColumns: string[];

  constructor(column: string, init: { source: string; table: string; tableColumns: string[] }) {
    super(
      `${init.source} has a column "${column}" that table "${init.table}" does not have (its columns: ${list(init.tableColumns)}). Nothing was written.`,
      `Drop the column from the source, or ingest into a new table (or with mode "overwrite" into a table of the new shape).`,
    );
    this.column = column;
    this.tableColumns = init.tableColumns;
  }
}

/** A read asked for columns the table does not have. */
export class ColumnNotFoundError extends DataError {
  override name = "ColumnNotFoundError";

  constructor(message: string) {
    super(message, "Ask for some of the listed columns (kiln.data.describe shows them).");
  }
}

/** Options that contradict each other or the table (e.g. upsert without a key). */
export class IngestOptionsError extends DataError {
  override name = "IngestOptionsError";
}

/** A source that cannot be read: missing file, unknown format, unsupported column type. */
export class SourceError extends DataError {
  override name = "SourceError";
}

/** The table does not exist in the lake. */
export class TableNotFoundError extends DataError {
  override name = "TableNotFoundError";
  readonly table: string;
  readonly tables: string[];

  constructor(table: string, init: { lake: string; tables: string[] }) {
    super(
      `Table "${table}" is not in the lake ${init.lake}; its tables are: ${list(init.tables)}.`,
      `Check the name, or create the table with kiln.data.ingest(source, { table: "${table}" }).`,
    );
    this.table = table;
    this.tables = init.tables;
  }
}

/** The table has no committed version with that number. */
export class VersionNotFoundError extends DataError {
  override name = "VersionNotFoundError";
  readonly table: string;
  readonly version: number;
  readonly versions: number[];

  constructor(table: string, version: number, versions: number[]) {
    super(
      `Table "${table}" has no version ${version}; its versions are: ${list(versions.map(String))}.`,
      `Pick one of them (kiln data show ${table} lists them with row counts and tags).`,
    );
    this.table = table;
    this.version = version;
    this.versions = versions;
  }
}

/** The table has no tag with that name. */
export class TagNotFoundError extends DataError {
  override name = "TagNotFoundError";
  readonly table: string;
  readonly tag: string;
  readonly tags: string[];

  constructor(table: string, tag: string, tags: string[]) {
    super(
      `Table "${table}" has no tag "${tag}"; its tags are: ${list(tags)}.`,
      `Pick one of them, or tag a version with kiln.data.tag("${table}", "${tag}", version).`,
    );
    this.table = table;
    this.tag = tag;
    this.tags = tags;
  }
}

function list(items: readonly string[]): string {
  return items.length === 0 ? "(none)" : items.join(", ");
}
