import { Bool, Int64, Table, vectorFromArray } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { FeatureOptionsError } from "./errors";
import { toTensorInput } from "./tensor-input";

const table = new Table({
  temp: vectorFromArray([20.5, null, 22], undefined),
  count: vectorFromArray([1n, 2n, null], new Int64()),
  open: vectorFromArray([true, false, null], new Bool()),
  site: vectorFromArray(["a", "b", "c"]),
});

describe("toTensorInput", () => {
  it("packs the columns row-major with their shape, nulls as NaN", () => {
    const { values, shape } = toTensorInput(table, ["temp", "count", "open"]);
    expect(shape).toEqual([3, 3]);
    expect([...values]).toEqual([20.5, 1, 1, NaN, 2, 0, 22, NaN, NaN]);
  });

  it("fills nulls with the missing value given", () => {
    expect([...toTensorInput(table, ["temp"], { missing: 0 }).values]).toEqual([20.5, 0, 22]);
  });

  it("refuses text and unknown columns, naming them", () => {
    expect(() => toTensorInput(table, ["site"])).toThrow(FeatureOptionsError);
    expect(() => toTensorInput(table, ["site"])).toThrow(/"site" holds "a"/);
    expect(() => toTensorInput(table, ["pressure"])).toThrow(/no column "pressure"/);
  });
});
