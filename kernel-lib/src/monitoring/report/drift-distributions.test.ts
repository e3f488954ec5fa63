import { describe, expect, it } from "vitest";
import { detectDrift } from "../drift/drift-report";
import { DriftInputError, DriftOptionsError } from "../drift/errors";
import { driftDistributions, equalWidthEdges } from "./drift-distributions";

describe("driftDistributions", () => {
  // Worked by hand: values 0…10 pooled, 5 bins of width 2 → edges 0, 2, 4, 6, 8, 10.
  const reference = {
    x: [0, 1, 2, 3, 4, 5, null, 0.5, 1.5, 2.5, 3.5, 4.5],
    zone: ["a", "b", "b", "c", null, "b", "a", "b", "a", "b", "a", "c"],
  };
  const current = {
    x: [6, 7, 8, 9, 10, 10, NaN, 5],
    zone: ["c", "c", "c", "b", "d", "c", "c", "b"],
  };
  const report = detectDrift(reference, current, {
    features: { x: { kind: "numerical" }, zone: { kind: "categorical" } },
  });

  it("bins a numerical feature on edges shared by both samples, missing values left out", () => {
    const distributions = driftDistributions(reference, current, report, 5);
    expect(distributions.x).toEqual({
      // reference: [0,2): 0 1 0.5 1.5 → 4; [2,4): 2 3 2.5 3.5 → 4; [4,6): 4 5 4.5 → 3.
      reference: { edges: [0, 2, 4, 6, 8, 10], counts: [4, 4, 3, 0, 0] },
      // current: [4,6): 5; [6,8): 6 7; [8,10]: 8 9 10 10 (the last bin is closed).
      current: { edges: [0, 2, 4, 6, 8, 10], counts: [0, 0, 1, 2, 4] },
    });
  });

  it("counts a categorical feature's categories, largest combined share first", () => {
    // Shares (reference of 11, current of 8): b 5/11 + 2/8, c 2/11 + 5/8, a 4/11 + 0, d 0 + 1/8.
    expect(driftDistributions(reference, current, report).zone).toEqual({
      categories: ["c", "b", "a", "d"],
      reference: [2, 5, 4, 0],
      current: [5, 2, 0, 1],
    });
  });

  it("uses 20 bins unless told", () => {
    const x = driftDistributions(reference, current, report).x;
    expect(x && "reference" in x && !("categories" in x) && x.reference.counts).toHaveLength(20);
  });

  it.each([
    {
      name: "a missing column",
      reference: { zone: reference.zone },
      bins: 5,
      error: DriftInputError,
      message: /reference has no column for feature "x"/,
    },
    {
      name: "zero bins",
      reference,
      bins: 0,
      error: DriftOptionsError,
      message: /bins 0 is not a positive whole number/,
    },
  ])("refuses $name", ({ reference: columns, bins, error, message }) => {
    const call = () => driftDistributions(columns, current, report, bins);
    expect(call).toThrow(error);
    expect(call).toThrow(message);
  });
});

describe("equalWidthEdges", () => {
  it.each([
    { samples: [[1, 3], [2]], bins: 2, edges: [1, 2, 3] },
    { samples: [[5, 5], [5]], bins: 2, edges: [4.5, 5, 5.5] },
    { samples: [[], []], bins: 1, edges: [0, 1] },
    { samples: [[-1], [0.3]], bins: 3, edges: [-1, -1 + 1.3 / 3, -1 + (2 * 1.3) / 3, 0.3] },
  ])("$samples in $bins bins → $edges", ({ samples, bins, edges }) => {
    const result = equalWidthEdges(samples, bins);
    expect(result).toHaveLength(edges.length);
    result.forEach((edge, i) => expect(edge).toBeCloseTo(edges[i] as number, 12));
    expect(result.at(-1)).toBe(edges.at(-1));
  });
});
