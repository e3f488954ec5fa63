import { describe, expect, it } from "vitest";
import { BundleDefinitionError, BundleInputError } from "./errors";
import { checkRow, defineInputSchema, type InputRow } from "./schema";

const schema = defineInputSchema({
  features: [
    { name: "temp", dtype: "float32", min: -40, max: 120 },
    { name: "count", dtype: "int32", min: 0 },
    { name: "on", dtype: "bool" },
    { name: "noise", dtype: "float32", required: false, default: 0.5 },
  ],
});

describe("defineInputSchema", () => {
  it("fills in defaults", () => {
    expect(schema.features[0]).toEqual({
      name: "temp",
      dtype: "float32",
      shape: [],
      required: true,
      min: -40,
      max: 120,
    });
  });

  const bad: [string, unknown, RegExp][] = [
    ["no features", { features: [] }, /non-empty array/],
    [
      "duplicate",
      {
        features: [
          { name: "a", dtype: "float32" },
          { name: "a", dtype: "float32" },
        ],
      },
      /appears twice/,
    ],
    ["dtype", { features: [{ name: "a", dtype: "float64" }] }, /dtype is "float64"; use one of/],
    [
      "range",
      { features: [{ name: "a", dtype: "float32", min: 2, max: 1 }] },
      /min 2 is above max 1/,
    ],
    ["shape", { features: [{ name: "a", dtype: "float32", shape: [3] }] }, /scalar features only/],
    ["name", { features: [{ name: "a b", dtype: "float32" }] }, /not a plain identifier/],
  ];
  for (const [label, init, message] of bad) {
    it(`rejects ${label}`, () => {
      expect(() => defineInputSchema(init as never)).toThrow(BundleDefinitionError);
      expect(() => defineInputSchema(init as never)).toThrow(message);
    });
  }
});

describe("checkRow", () => {
  const ok = { temp: 20, count: 3, on: 1 };
  const cases: [string, InputRow, { kind: string; field?: string; reason?: RegExp }][] = [
    ["valid row (optional default filled)", ok, { kind: "ok" }],
    [
      "missing required",
      { count: 3, on: 1 },
      { kind: "degraded", field: "temp", reason: /"temp" is missing/ },
    ],
    [
      "null required",
      { ...ok, temp: null },
      { kind: "degraded", field: "temp", reason: /is missing/ },
    ],
    ["NaN", { ...ok, temp: NaN }, { kind: "degraded", field: "temp", reason: /is NaN/ }],
    [
      "above max",
      { ...ok, temp: 500 },
      { kind: "degraded", field: "temp", reason: /500, above max 120/ },
    ],
    [
      "below min",
      { ...ok, count: -1 },
      { kind: "degraded", field: "count", reason: /below min 0/ },
    ],
    ["optional NaN takes default", { ...ok, noise: NaN }, { kind: "ok" }],
  ];
  for (const [label, row, expected] of cases) {
    it(label, () => {
      const check = checkRow(schema, row, 0);
      expect(check.kind).toBe(expected.kind);
      if (check.kind === "degraded") {
        expect(check.field).toBe(expected.field);
        expect(check.reason).toMatch(expected.reason!);
      }
    });
  }

  it("fills optional defaults", () => {
    expect(checkRow(schema, ok, 0)).toEqual({ kind: "ok", values: { ...ok, noise: 0.5 } });
  });

  const errors: [string, unknown, RegExp][] = [
    [
      "unknown field",
      { ...ok, humidity: 3 },
      /Row 4: field "humidity" expected one of the features temp, count, on, noise, got an unknown field/,
    ],
    [
      "string value",
      { ...ok, temp: "20" },
      /field "temp" expected a float32 number in \[-40, 120\], got the string "20"/,
    ],
    [
      "non-integer int32",
      { ...ok, count: 1.5 },
      /field "count" expected an int32 integer in \[0, inf\], got 1.5/,
    ],
    ["bool not 0/1", { ...ok, on: 2 }, /field "on" expected 0 or 1, got 2/],
    ["not an object", [1, 2], /expected an object/],
  ];
  for (const [label, row, message] of errors) {
    it(`throws BundleInputError for ${label}`, () => {
      let error: unknown;
      try {
        checkRow(schema, row as InputRow, 4);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(BundleInputError);
      expect((error as Error).message).toMatch(message);
    });
  }
});
