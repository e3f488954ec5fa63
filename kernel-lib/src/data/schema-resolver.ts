/**
 * Decides the columns of an ingest while the validation pass reads the source: a stored table
 * fixes its columns; a declared schema fixes the columns it names; every other column is
 * inferred.
 *
 * Inference rule: a column's type is decided by its first `inferRows` (default 1000) non-null
 * values: `bool` if all are true/false, `int64` if all are integers, `float64` if all are numbers,
 * `timestamp` if all are ISO-8601 dates or times, else `string` (a column with no values at all
 * is a string column). In CSV every value is text, so a mix among the first values makes a
 * string column; in JSON and records a number and a string in one column are mixed types. After
 * that, values must fit the decided type: an integer column that meets a decimal becomes
 * `float64` (the whole source is validated before anything is written, so no row was stored as
 * an integer); any other misfit is a MixedTypesError naming the row, the line and the column.
 *
 * @example
 * ```ts
 * const resolver = new SchemaResolver({ source: "plant.csv", table: "sensors", stored: undefined, declared: new Map(), roles: new Map(), inferRows: 1000 });
 * for await (const batch of source.batches(50_000)) resolver.observe(batch);
 * resolver.columns(); // [{ name: "id", type: "int64", nullable: false }, ...]
 * ```
 */
import type { Column, ColumnType } from "./column-types";
import { columnTypeOfArrow } from "./column-types";
import {
  MissingColumnError,
  MixedTypesError,
  SourceError,
  TypeMismatchError,
  UnknownColumnError,
} from "./errors";
import type { ArrowBatch, RowBatch, SourceBatch, TextBatch } from "./source-batch";
import { nullFieldTest, type NullFieldTest } from "./text-fields";
import { combineKinds, kindOfField, kindOfText, kindOfValue, type ValueKind } from "./value-kinds";

export type SchemaResolverOptions = {
  source: string;
  table: string;
  /** The existing table's columns; undefined for a new table. */
  stored: readonly Column[] | undefined;
  declared: ReadonlyMap<string, Column>;
  /** Columns that need a value in every row, and why ("key column"). */
  roles: ReadonlyMap<string, string>;
  inferRows: number;
  nullValues: ReadonlySet<string>;
};

type ColumnState = {
  name: string;
  /** Set for stored, declared and Arrow-typed columns. */
  fixedType: ColumnType | undefined;
  nullable: boolean;
  kind: ValueKind | undefined;
  /** Non-null values seen so far. */
  seen: number;
};

const KIND_TYPES: Record<Exclude<ValueKind, "nested">, ColumnType> = {
  bool: "bool",
  int: "int64",
  float: "float64",
  timestamp: "timestamp",
  string: "string",
};

const KIND_NAMES: Record<ValueKind, string> = {
  bool: "booleans",
  int: "integers",
  float: "numbers",
  timestamp: "timestamps",
  string: "text",
  nested: "objects or arrays",
};

/** Columns of one ingest, learned batch by batch. */
export class SchemaResolver {
  readonly #options: SchemaResolverOptions;
  readonly #columns = new Map<string, ColumnState>();
  readonly #isNullField: NullFieldTest;

  constructor(options: SchemaResolverOptions) {
    this.#options = options;
    this.#isNullField = nullFieldTest(options.nullValues);
    // A new table's columns follow the source's order; declared ones the source lacks go last.
    for (const column of options.stored ?? []) {
      this.#columns.set(column.name, {
        name: column.name,
        fixedType: column.type,
        nullable: column.nullable && !options.roles.has(column.name),
        kind: undefined,
        seen: 0,
      });
    }
  }

  /** Learns from one batch; throws when the batch does not fit the table or earlier batches. */
  observe(batch: SourceBatch): void {
    const names =
      batch.kind === "arrow" ? batch.batch.schema.fields.map((f) => f.name) : batch.columns;
    for (const name of names) this.#column(name);
    this.#checkRequiredPresent(names);
    if (batch.kind === "text") this.#inferText(batch);
    else if (batch.kind === "rows") this.#inferRows(batch);
    else this.#typeArrowColumns(batch);
  }

  /** The columns as known so far (undecided ones as strings). */
  columns(): Column[] {
    const absentDeclared = this.#options.stored
      ? []
      : [...this.#options.declared.values()].filter((c) => !this.#columns.has(c.name));
    return [...this.#columns.values(), ...absentDeclared.map(declaredState)].map((state) => ({
      name: state.name,
      type:
        state.fixedType ??
        (state.kind ? KIND_TYPES[state.kind as keyof typeof KIND_TYPES] : "string"),
      nullable: state.nullable,
    }));
  }

  /** Why `column` needs a value in every row, or undefined when it may be null. */
  requiredBecause(column: string): string | undefined {
    const { roles, stored, declared, table } = this.#options;
    const role = roles.get(column);
    if (role) return role;
    const nullable =
      this.#columns.get(column)?.nullable ??
      (stored ? true : (declared.get(column)?.nullable ?? true));
    if (nullable) return undefined;
    return stored ? `table "${table}" stores it as not nullable` : "declared not nullable";
  }

  /**
   * For an inferred column whose type is decided: how many values decided it. Later values are
   * checked by conversion, and a misfit there is a mixed-types error, not a wrong type.
   */
  decidedBy(column: string): number | undefined {
    const state = this.#columns.get(column);
    const inferred = state !== undefined && state.fixedType === undefined;
    return inferred && state.seen >= this.#options.inferRows ? this.#options.inferRows : undefined;
  }

  #column(name: string): ColumnState {
    let state = this.#columns.get(name);
    if (state) return state;
    const { stored, declared, roles } = this.#options;
    if (stored) {
      throw new UnknownColumnError(name, {
        source: this.#options.source,
        table: this.#options.table,
        tableColumns: stored.map((c) => c.name),
      });
    }
    const spec = declared.get(name);
    state = {
      name,
      fixedType: spec?.type,
      nullable: (spec?.nullable ?? true) && !roles.has(name),
      kind: undefined,
      seen: 0,
    };
    this.#columns.set(name, state);
    return state;
  }

  #checkRequiredPresent(names: readonly string[]): void {
    const present = new Set(names);
    const required = new Set([...this.#options.roles.keys(), ...this.columns().map((c) => c.name)]);
    for (const name of required) {
      const reason = this.requiredBecause(name);
      if (reason !== undefined && !present.has(name)) {
        throw new MissingColumnError(name, {
          source: this.#options.source,
          role: reason,
          available: [...names],
        });
      }
    }
  }

  #inferRows(batch: RowBatch): void {
    batch.columns.forEach((name, c) => {
      const state = this.#columns.get(name)!;
      if (state.fixedType === undefined) this.#inferColumn(state, batch, batch.values[c]!);
    });
  }

  #inferText(batch: TextBatch): void {
    batch.columns.forEach((name, c) => {
      const state = this.#columns.get(name)!;
      if (state.fixedType === undefined) this.#inferTextColumn(state, batch, c);
    });
  }

  // As #inferColumn for text, reading each field where it lies in the batch's text.
  #inferTextColumn(state: ColumnState, batch: TextBatch, column: number): void {
    const { inferRows } = this.#options;
    const { starts, ends, columnCount } = batch.fields;
    for (let row = 0, index = column; row < batch.length; row++, index += columnCount) {
      // A decided column's values are checked when they are converted; only an integer column
      // goes on here, to widen to float64 when a decimal comes.
      if (state.seen >= inferRows && state.kind !== "int") return;
      let text = batch.fields.text;
      let start = starts[index]!;
      let end = ends[index]!;
      if (start < 0) {
        text = batch.fields.escaped.get(index)!;
        start = 0;
        end = text.length;
      }
      if (this.#isNullField(text, start, end)) continue;
      const kind = kindOfField(text, start, end);
      if (kind === state.kind) {
        state.seen++;
        continue;
      }
      this.#learn(state, kind, true, text.slice(start, end), batch, row);
    }
  }

  #inferColumn(state: ColumnState, batch: RowBatch, values: readonly unknown[]): void {
    const { inferRows, nullValues } = this.#options;
    const textual = batch.textual;
    for (let row = 0; row < batch.length; row++) {
      // In text, a decided column's values are checked when they are converted; only an
      // integer column goes on here, to widen to float64 when a decimal comes.
      if (textual && state.seen >= inferRows && state.kind !== "int") return;
      const raw = values[row];
      if (raw === undefined || raw === null || (textual && nullValues.has(raw as string))) continue;
      const kind = textual ? kindOfText(raw as string) : kindOfValue(raw);
      if (kind === "nested") {
        throw new TypeMismatchError("objects and arrays cannot be stored in a raw-zone column", {
          ...this.#location(batch, row, state.name),
          fix: "Flatten the value into columns of their own, or store it as a JSON string.",
        });
      }
      this.#learn(state, kind, textual, raw, batch, row);
    }
  }

  /** Takes one more non-null value of `kind` into the column's kind, or throws mixed types. */
  #learn(
    state: ColumnState,
    kind: ValueKind,
    textual: boolean,
    raw: unknown,
    batch: RowBatch | TextBatch,
    row: number,
  ): void {
    const { inferRows } = this.#options;
    const decided = state.seen >= inferRows;
    const combined = state.kind === undefined ? kind : combineKinds(state.kind, kind, textual);
    if (
      combined === undefined ||
      (decided && combined !== state.kind && !(state.kind === "int" && combined === "float"))
    ) {
      throw new MixedTypesError(
        `the column holds ${KIND_NAMES[state.kind!]}${decided ? ` (decided by its first ${inferRows} values)` : ""}, but this value is ${KIND_NAMES[kind]}: ${JSON.stringify(String(raw))}`,
        {
          ...this.#location(batch, row, state.name),
          fix: `Fix the value, or declare the column's type (schema: { "${state.name}": "string" }).`,
        },
      );
    }
    state.kind = combined;
    state.seen++;
  }

  #typeArrowColumns(batch: ArrowBatch): void {
    for (const field of batch.batch.schema.fields) {
      const state = this.#columns.get(field.name)!;
      const type = columnTypeOfArrow(field.type);
      if (!type) {
        throw new SourceError(
          `${this.#options.source} has a column "${field.name}" of type ${String(field.type)}, which the raw zone does not store.`,
          "Store lists, structs and binary data elsewhere, or convert the column to a string.",
        );
      }
      if (state.fixedType === undefined) {
        state.fixedType = type;
      } else if (!arrowTypeFits(type, state.fixedType)) {
        throw new TypeMismatchError(
          `the column is ${type} in the source but ${state.fixedType} in the table`,
          {
            source: this.#options.source,
            row: batch.firstRow,
            column: field.name,
            fix: "Convert the column in the source, or ingest into a new table.",
          },
        );
      }
    }
  }

  #location(batch: RowBatch | TextBatch, row: number, column: string) {
    const line = batch.lines?.[row];
    return {
      source: this.#options.source,
      row: batch.firstRow + row,
      ...(line !== undefined ? { line } : {}),
      column,
    };
  }
}

function declaredState(column: Column): ColumnState {
  return {
    name: column.name,
    fixedType: column.type,
    nullable: column.nullable,
    kind: undefined,
    seen: 0,
  };
}

/** Whether typed source values of `from` convert to `to` without guessing. */
function arrowTypeFits(from: ColumnType, to: ColumnType): boolean {
  if (from === to) return true;
  const integers: ColumnType[] = ["int32", "int64"];
  const numbers: ColumnType[] = [...integers, "float32", "float64"];
  if (integers.includes(to)) return integers.includes(from);
  if (numbers.includes(to)) return numbers.includes(from);
  return false;
}
