import type { EdgeSpec, PipelineSpec, StepSpec } from "@kiln/kernel-lib/spec";
import { describe, expect, it } from "vitest";
import { layoutPipeline, stepNodeId, type GraphNode } from "./graph-layout";

const step = (name: string, cells: number[], extra: Partial<StepSpec> = {}): StepSpec => ({
  name,
  cells: cells.map((index) => ({ index, firstLine: `// @kiln step=${name}` })),
  code: "",
  inputs: [],
  outputs: [],
  params: [],
  transforms: [],
  after: [],
  dependsOn: [],
  cache: true,
  hash: name,
  ...extra,
});
const spec = (steps: StepSpec[], edges: EdgeSpec[], params: PipelineSpec["params"] = []) =>
  ({ name: "sum", steps, edges, params }) as unknown as PipelineSpec;

// prepare ─xs, ys, zs, ws→ train; prepare ┄after┄ report; count (params) → prepare
const diamond = spec(
  [
    step("prepare", [1, 2], { params: ["count"] }),
    step("train", [3], { transforms: ["scale"] }),
    step("report", [4], { cache: false }),
  ],
  [
    { from: "prepare", to: "train", kind: "data", names: ["xs", "ys", "zs", "ws"] },
    { from: "prepare", to: "report", kind: "order", names: [] },
  ],
  [{ name: "count", type: "number", default: 3 }],
);

const nodeNamed = (nodes: GraphNode[], name: string) => nodes.find((n) => n.name === name)!;

describe("layoutPipeline", () => {
  const layout = layoutPipeline(diamond);

  it("has a node per step, with its cells and what is special about it", () => {
    expect(layout.nodes.filter((n) => n.kind === "step")).toEqual([
      expect.objectContaining({ id: "step:prepare", name: "prepare", cells: [1, 2], notes: [] }),
      expect.objectContaining({ name: "train", cells: [3], notes: ["transforms: scale"] }),
      expect.objectContaining({ name: "report", cells: [4], notes: ["cache: false"] }),
    ]);
  });

  it("has a params node feeding the steps that read params, labelled with their names", () => {
    expect(nodeNamed(layout.nodes, "params")).toMatchObject({ kind: "params", notes: ["count"] });
    expect(layout.edges.filter((e) => e.kind === "params")).toEqual([
      expect.objectContaining({ from: "params", to: stepNodeId("prepare"), label: "count" }),
    ]);
  });

  it("labels a data edge with the names passed (a few; the title has them all)", () => {
    const data = layout.edges.find((e) => e.kind === "data")!;
    expect(data).toMatchObject({
      from: "step:prepare",
      to: "step:train",
      label: "xs, ys, zs +1",
      title: "xs, ys, zs, ws",
    });
    expect(data.labelBox).not.toBeNull();
  });

  it("draws an order edge without a label", () => {
    const order = layout.edges.find((e) => e.kind === "order")!;
    expect(order).toMatchObject({ from: "step:prepare", to: "step:report", label: "" });
    expect(order.labelBox).toBeNull();
  });

  it("puts a step below the steps it depends on, and everything inside the drawing", () => {
    const prepare = nodeNamed(layout.nodes, "prepare");
    expect(nodeNamed(layout.nodes, "train").y).toBeGreaterThan(prepare.y);
    expect(nodeNamed(layout.nodes, "report").y).toBeGreaterThan(prepare.y);
    expect(prepare.y).toBeGreaterThan(nodeNamed(layout.nodes, "params").y);
    for (const node of layout.nodes) {
      expect(node.x - node.width / 2).toBeGreaterThanOrEqual(0);
      expect(node.x + node.width / 2).toBeLessThanOrEqual(layout.width);
      expect(node.y + node.height / 2).toBeLessThanOrEqual(layout.height);
    }
    for (const edge of layout.edges) expect(edge.points.length).toBeGreaterThanOrEqual(2);
  });

  it("widens a node for a long name, and has no params node when no step reads params", () => {
    const long = layoutPipeline(spec([step("a-very-long-step-name-indeed-for-a-box", [0])], []));
    expect(long.nodes).toHaveLength(1);
    expect(long.nodes[0]!.width).toBeGreaterThan(300);
  });
});
