import { describe, expect, it } from "vitest";
import type { ColumnType } from "./column-types";
import { MissingColumnError, MixedTypesError, UnknownColumnError } from "./errors";
import { SchemaResolver, type SchemaResolverOptions } from "./schema-resolver";
import type { RowBatch, TextBatch } from "./source-batch";
import { ESCAPED, TextFields } from "./text-fields";

const resolver = (options: Partial<SchemaResolverOptions> = {}) =>
  new SchemaResolver({
    source: "t.csv",
    table: "t",
    stored: undefined,
    declared: new Map(),
    roles: new Map(),
    inferRows: 1000,
    nullValues: new Set([""]),
    ...options,
  });

const batch = (values: unknown[], textual: boolean, firstRow = 1): RowBatch => ({
  kind: "rows",
  columns: ["x"],
  values: [values],
  textual,
  length: values.length,
  firstRow,
  lines: textual ? values.map((_, i) => firstRow + i + 1) : undefined,
  bytesRead: 0,
});

/** A CSV batch of one column `x` holding `values` (as after unquoting; `"` makes an escape). */
const textBatch = (values: string[], firstRow = 1): TextBatch => {
  const starts = new Int32Array(values.length);
  const ends = new Int32Array(values.length);
  const escaped = new Map<number, string>();
  let text = "x\n";
  values.forEach((value, row) => {
    if (value.includes('"')) {
      starts[row] = ESCAPED;
      escaped.set(row, value);
    } else {
      starts[row] = text.length;
      ends[row] = text.length + value.length;
    }
    text += `${value}\n`;
  });
  return {
    kind: "text",
    columns: ["x"],
    fields: new TextFields(text, 1, values.length, starts, ends, escaped),
    length: values.length,
    firstRow,
    lines: Int32Array.from(values, (_, i) => firstRow + i + 1),
    bytesRead: 0,
  };
};

const inferred = (values: unknown[], textual: boolean): ColumnType => {
  const r = resolver();
  r.observe(batch(values, textual));
  return r.columns()[0]!.type;
};

describe("schema inference", () => {
  const text: [string[], ColumnType][] = [
    [["1", "-2", "+3"], "int64"],
    [["1", "2.5", "3e2"], "float64"],
    [["1", "99999999999999999999"], "float64"],
    [["true", "FALSE", "True"], "bool"],
    [["2026-11-01", "2026-11-01T08:00:00Z", "2026-11-01 08:00:00.5+02:00"], "timestamp"],
    [["1", "x7"], "string"],
    [["2026-11-01", "7"], "string"],
    [["0x1F", "Infinity"], "string"],
    [["", ""], "string"],
    [["", "4", ""], "int64"],
  ];
  for (const [values, type] of text) {
    it(`reads CSV ${JSON.stringify(values)} as ${type}`, () => {
      expect(inferred(values, true)).toBe(type);
      const r = resolver();
      r.observe(textBatch(values));
      expect(r.columns()[0]!.type, "from a CSV text batch").toBe(type);
    });
  }

  it("reads a CSV field with escaped quotes as text", () => {
    const r = resolver();
    r.observe(textBatch(["1", 'say "hi"']));
    expect(r.columns()[0]!.type).toBe("string");
  });

  const typed: [unknown[], ColumnType][] = [
    [[1, 2, null], "int64"],
    [[1, 2.5], "float64"],
    [[true, false], "bool"],
    [["2026-11-01T08:00:00Z", new Date(0)], "timestamp"],
    [["a", "2026-11-01"], "string"],
    [[10n], "int64"],
  ];
  for (const [values, type] of typed) {
    it(`reads JSON values ${JSON.stringify(values, (_, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))} as ${type}`, () => {
      expect(inferred(values, false)).toBe(type);
    });
  }

  it("rejects a number and a string in one JSON column, naming the row", () => {
    expect(() => inferred([1, 2, "three"], false)).toThrow(MixedTypesError);
    expect(() => inferred([1, 2, "three"], false)).toThrow(
      /row 3, column "x": the column holds integers/,
    );
  });

  it("decides by the first inferRows values, then widens integers to float64 only", () => {
    const widening = resolver({ inferRows: 2 });
    widening.observe(batch(["1", "2", "3.5"], true));
    expect(widening.columns()[0]!.type).toBe("float64");

    const mixed = resolver({ inferRows: 2 });
    const error = (() => {
      try {
        mixed.observe(batch(["1", "2", "N/A"], true, 41));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MixedTypesError);
    expect(error).toMatchObject({ row: 43, line: 44, column: "x" });
    expect((error as Error).message).toMatch(/decided by its first 2 values/);
  });

  it("decides CSV text batches the same way, across batches", () => {
    const widening = resolver({ inferRows: 2 });
    widening.observe(textBatch(["1", ""]));
    widening.observe(textBatch(["2", "3.5"], 3));
    expect(widening.columns()[0]!.type).toBe("float64");

    const mixed = resolver({ inferRows: 2, nullValues: new Set(["", "NA"]) });
    mixed.observe(textBatch(["1", "NA", "2"], 38));
    const error = (() => {
      try {
        mixed.observe(textBatch(["3", "N/A"], 41));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MixedTypesError);
    expect(error).toMatchObject({ row: 42, line: 43, column: "x" });
    expect((error as Error).message).toMatch(
      /holds integers \(decided by its first 2 values\), but this value is text: "N\/A"/,
    );
  });

  it("rejects objects and arrays", () => {
    expect(() => inferred([{ a: 1 }], false)).toThrow(/objects and arrays/);
  });
});

describe("columns of an ingest", () => {
  it("lets a declared schema fix some types and infer the rest", () => {
    const r = resolver({
      declared: new Map([["zip", { name: "zip", type: "string", nullable: true }]]),
    });
    r.observe({ ...batch([], true), columns: ["zip", "n"], values: [["01234"], ["5"]], length: 1 });
    expect(r.columns()).toEqual([
      { name: "zip", type: "string", nullable: true },
      { name: "n", type: "int64", nullable: true },
    ]);
  });

  it("requires key columns in the source", () => {
    const r = resolver({ roles: new Map([["id", "key column"]]) });
    expect(() => r.observe(batch(["1"], true))).toThrow(MissingColumnError);
    expect(() => r.observe(batch(["1"], true))).toThrow(
      /no column "id" \(key column\); its columns are: x/,
    );
  });

  it("refuses columns an existing table does not have", () => {
    const r = resolver({ stored: [{ name: "y", type: "int64", nullable: true }] });
    expect(() => r.observe(batch(["1"], true))).toThrow(UnknownColumnError);
  });
});
