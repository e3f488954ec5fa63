// @vitest-environment happy-dom
import type { EdgeSpec, PipelineSpec, StepSpec } from "@kiln/kernel-lib/spec";
import { Widget } from "@lumino/widgets";
import { afterEach, describe, expect, it, vi } from "vitest";
import { layoutPipeline } from "./graph-layout";
import { PipelineGraphCanvas } from "./PipelineGraphCanvas";

const step = (name: string, extra: Partial<StepSpec> = {}): StepSpec =>
  ({
    name,
    cells: [{ index: 0, firstLine: "" }],
    params: [],
    transforms: [],
    cache: true,
    ...extra,
  }) as StepSpec;
const spec = (steps: StepSpec[], edges: EdgeSpec[]) =>
  ({ name: "sum", steps, edges, params: [] }) as unknown as PipelineSpec;

const layout = layoutPipeline(
  spec(
    [step("load"), step("fit"), step("report", { cache: false }), step("<b>odd</b>")],
    [
      { from: "load", to: "fit", kind: "data", names: ["xs", "ys"] },
      { from: "fit", to: "report", kind: "order", names: [] },
    ],
  ),
);

let canvas: PipelineGraphCanvas | undefined;
afterEach(() => canvas?.dispose());

function drawn(steps = {}, selectedStep: string | null = null, onSelectStep = vi.fn()) {
  canvas = new PipelineGraphCanvas({ onSelectStep });
  Widget.attach(canvas, document.body);
  canvas.draw({ layout, steps, selectedStep });
  const node = (name: string) =>
    [...canvas!.node.querySelectorAll<SVGGElement>(".jp-KilnGraph-node")].find(
      (g) => g.dataset.node === name,
    )!;
  return { node, onSelectStep, svg: canvas.node.querySelector("svg")! };
}

const texts = (root: Element, selector: string) =>
  [...root.querySelectorAll(selector)].map((n) => n.textContent);

describe("PipelineGraphCanvas", () => {
  it("draws a box per step, with its name, what is special about it and its state", () => {
    const { svg, node } = drawn({
      load: { status: "succeeded", durationMs: 1200 },
      fit: { status: "running" },
    });
    expect(texts(svg, ".jp-KilnGraph-nodeName")).toEqual(["load", "fit", "report", "<b>odd</b>"]);
    expect(texts(node("report"), ".jp-KilnGraph-nodeNote")).toEqual(["cache: false"]);
    expect(texts(node("load"), ".jp-KilnGraph-nodeStatus")).toEqual(["succeeded · 1.2 s"]);
    expect(node("fit").dataset.status).toBe("running");
    expect(texts(node("report"), ".jp-KilnGraph-nodeStatus")).toEqual(["not run"]);
  });

  it("writes names as text, never as markup", () => {
    const { svg } = drawn();
    expect(svg.querySelector("b")).toBeNull();
  });

  it("labels data edges with the names passed, and marks order edges apart", () => {
    const { svg } = drawn();
    const edges = [...svg.querySelectorAll<SVGGElement>(".jp-KilnGraph-edge")];
    expect(edges.map((e) => [e.dataset.kind, e.dataset.from, e.dataset.to])).toEqual([
      ["data", "step:load", "step:fit"],
      ["order", "step:fit", "step:report"],
    ]);
    expect(texts(svg, ".jp-KilnGraph-edgeLabel")).toEqual(["xs, ys"]);
    expect(edges[0]!.querySelector("title")?.textContent).toBe("load passes xs, ys to fit");
    expect(edges[0]!.querySelector("path")?.getAttribute("d")).toMatch(/^M [\d.]+ [\d.]+ L /);
  });

  it("selects a step on a click, or on Enter from the keyboard", () => {
    const { node, onSelectStep } = drawn();
    node("fit").dispatchEvent(new MouseEvent("click", { bubbles: true }));
    node("load").dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(onSelectStep.mock.calls).toEqual([["fit"], ["load"]]);
  });

  it("marks the selected step", () => {
    const { node } = drawn({}, "fit");
    expect(node("fit").classList.contains("jp-mod-selected")).toBe(true);
    expect(node("load").classList.contains("jp-mod-selected")).toBe(false);
  });
});
