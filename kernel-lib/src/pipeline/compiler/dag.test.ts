import { describe, expect, it } from "vitest";
import { buildDag, findCycle } from "./dag";
import type { ResolvedStep } from "./name-resolution";

// Minimal resolved steps: only what the DAG looks at.
function step(name: string, inputs: [string, string][] = [], after: string[] = []): ResolvedStep {
  return {
    group: {
      name,
      after,
      cache: true,
      cells: [{ ref: { index: 0, firstLine: `// @kiln step=${name}` } } as never],
    },
    inputs: inputs.map(([n, from]) => ({ name: n, from })),
    outputs: [],
    params: [],
    transforms: [],
  };
}

describe("buildDag", () => {
  it("merges data and order edges between the same pair into one data edge", () => {
    const dag = buildDag([
      step("a"),
      step(
        "b",
        [
          ["y", "a"],
          ["x", "a"],
        ],
        ["a"],
      ),
    ]);
    expect(dag.edges).toEqual([{ from: "a", to: "b", kind: "data", names: ["x", "y"] }]);
    expect(dag.dependsOn.get("b")).toEqual(["a"]);
  });

  it("orders topologically, ties in notebook order, honouring after to later steps", () => {
    const dag = buildDag([step("a", [], ["c"]), step("b"), step("c")]);
    expect(dag.order).toEqual(["b", "c", "a"]);
    expect(dag.edges).toEqual([{ from: "c", to: "a", kind: "order", names: [] }]);
  });

  it("reports unknown after targets with the known steps", () => {
    const dag = buildDag([step("a"), step("b", [], ["prep"])]);
    expect(dag.problems).toHaveLength(1);
    expect(dag.problems[0]?.code).toBe("unknown-after");
    expect(dag.problems[0]?.message).toContain("no step `prep` (steps: `a`)");
  });

  it("names the steps on a cycle and the after that closes it", () => {
    const dag = buildDag([step("a", [], ["c"]), step("b", [["x", "a"]]), step("c", [["y", "b"]])]);
    expect(dag.problems[0]?.code).toBe("cycle");
    expect(dag.problems[0]?.message).toContain("`a` → `b` → `c` → `a`");
    expect(dag.problems[0]?.fix).toContain("Remove `c` from the `after` of step `a`");
  });

  it("treats a step after itself as a cycle", () => {
    const dag = buildDag([step("a", [], ["a"])]);
    expect(dag.problems[0]?.message).toContain("`a` → `a`");
  });
});

describe("findCycle", () => {
  it("returns undefined for a DAG and the cycle in data-flow order otherwise", () => {
    expect(findCycle(["a", "b"], new Map([["b", ["a"]]]))).toBeUndefined();
    // b depends on a, c on b, a on c: data flows a → b → c → a.
    const cycle = findCycle(
      ["a", "b", "c"],
      new Map([
        ["a", ["c"]],
        ["b", ["a"]],
        ["c", ["b"]],
      ]),
    );
    expect(cycle).toHaveLength(3);
    const start = cycle?.indexOf("a") ?? 0;
    expect([...(cycle ?? []).slice(start), ...(cycle ?? []).slice(0, start)]).toEqual([
      "a",
      "b",
      "c",
    ]);
  });
});
