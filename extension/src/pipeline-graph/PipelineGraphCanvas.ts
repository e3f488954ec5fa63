// The pipeline drawn as SVG: a box per step with its state in a run, arrows for the data passed
// (labelled with the names) and for ordering (dashed). Clicking a step's box selects it.

import { Widget } from "@lumino/widgets";
import type { ShownStep } from "../runs/shown-run";
import { statusText } from "../runs/step-status-text";
import type { GraphEdge, GraphLayout, GraphNode, Point } from "./graph-layout";
import { svgElement } from "./svg-elements";

/** What the canvas draws: the laid-out graph and, when a run is shown, each step's state in it. */
export type CanvasContent = {
  layout: GraphLayout;
  steps: Readonly<Record<string, ShownStep>>;
  selectedStep: string | null;
};

// Arrowhead markers are looked up by id in the whole page: each canvas needs its own.
let canvasCount = 0;

/**
 * Draws {@link CanvasContent}; `onSelectStep` is called with a step's name when its box is
 * clicked (or activated with Enter or Space).
 *
 * @example
 * ```ts
 * const canvas = new PipelineGraphCanvas({ onSelectStep: (step) => openStep(step) });
 * canvas.draw({ layout: layoutPipeline(spec), steps: run.steps, selectedStep: null });
 * ```
 */
export class PipelineGraphCanvas extends Widget {
  readonly #onSelectStep: (step: string) => void;
  readonly #markerId = `jp-KilnGraph-arrow-${++canvasCount}`;

  constructor(options: { onSelectStep: (step: string) => void }) {
    super();
    this.#onSelectStep = options.onSelectStep;
    this.addClass("jp-KilnGraph-canvas");
  }

  draw({ layout, steps, selectedStep }: CanvasContent): void {
    const svg = svgElement(
      "svg",
      {
        class: "jp-KilnGraph-svg",
        width: layout.width,
        height: layout.height,
        viewBox: `0 0 ${layout.width} ${layout.height}`,
        role: "img",
        "aria-label": "Pipeline graph",
      },
      this.#defs(),
      ...layout.edges.map((edge) => this.#edge(edge)),
      ...layout.nodes.map((node) =>
        this.#node(node, node.kind === "step" ? steps[node.name] : undefined, selectedStep),
      ),
    );
    this.node.replaceChildren(svg);
  }

  #defs(): SVGDefsElement {
    return svgElement(
      "defs",
      {},
      svgElement(
        "marker",
        {
          id: this.#markerId,
          viewBox: "0 0 10 10",
          refX: 9,
          refY: 5,
          markerWidth: 8,
          markerHeight: 8,
          orient: "auto-start-reverse",
        },
        svgElement("path", { class: "jp-KilnGraph-arrowhead", d: "M 0 0 L 10 5 L 0 10 z" }),
      ),
    );
  }

  #edge(edge: GraphEdge): SVGGElement {
    const group = svgElement(
      "g",
      {
        class: "jp-KilnGraph-edge",
        "data-kind": edge.kind,
        "data-from": edge.from,
        "data-to": edge.to,
      },
      svgElement("title", {}, edgeTitle(edge)),
      svgElement("path", {
        class: "jp-KilnGraph-edgePath",
        d: pathOf(edge.points),
        "marker-end": `url(#${this.#markerId})`,
      }),
    );
    const box = edge.labelBox;
    if (box) {
      group.append(
        svgElement("rect", {
          class: "jp-KilnGraph-edgeLabelBox",
          x: box.x - box.width / 2,
          y: box.y - box.height / 2,
          width: box.width,
          height: box.height,
          rx: 3,
        }),
        svgElement(
          "text",
          {
            class: "jp-KilnGraph-edgeLabel",
            x: box.x,
            y: box.y,
            "text-anchor": "middle",
            "dominant-baseline": "central",
          },
          edge.label,
        ),
      );
    }
    return group;
  }

  #node(node: GraphNode, step: ShownStep | undefined, selectedStep: string | null): SVGGElement {
    const left = node.x - node.width / 2;
    const top = node.y - node.height / 2;
    const lines: SVGTextElement[] = [
      svgElement("text", { class: "jp-KilnGraph-nodeName", x: 14, y: 20 }, node.name),
      ...node.notes.map((note, i) =>
        svgElement("text", { class: "jp-KilnGraph-nodeNote", x: 14, y: 20 + 16 * (i + 1) }, note),
      ),
    ];
    if (node.kind === "step") {
      lines.push(
        svgElement(
          "text",
          { class: "jp-KilnGraph-nodeStatus", x: 14, y: node.height - 10 },
          step ? statusText(step) : "not run",
        ),
      );
    }
    const group = svgElement(
      "g",
      {
        class: "jp-KilnGraph-node",
        transform: `translate(${left} ${top})`,
        "data-kind": node.kind,
        "data-node": node.name,
      },
      svgElement("title", {}, nodeTitle(node, step)),
      svgElement("rect", {
        class: "jp-KilnGraph-nodeBox",
        width: node.width,
        height: node.height,
        rx: 6,
      }),
      ...lines,
    );
    if (node.kind !== "step") return group;
    group.dataset.status = step?.status ?? "none";
    if (node.name === selectedStep) group.classList.add("jp-mod-selected");
    group.setAttribute("tabindex", "0");
    group.setAttribute("role", "button");
    group.setAttribute("aria-label", `step ${node.name}: ${step ? step.status : "not run"}`);
    group.addEventListener("click", () => this.#onSelectStep(node.name));
    group.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      this.#onSelectStep(node.name);
    });
    return group;
  }
}

function pathOf(points: readonly Point[]): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"} ${p.x} ${p.y}`).join(" ");
}

function edgeTitle(edge: GraphEdge): string {
  const from = edge.from.replace(/^step:/, "");
  const to = edge.to.replace(/^step:/, "");
  switch (edge.kind) {
    case "data":
      return `${from} passes ${edge.title} to ${to}`;
    case "order":
      return `${to} runs after ${from} (after=${from})`;
    case "params":
      return `${to} reads the params ${edge.title}`;
  }
}

function nodeTitle(node: GraphNode, step: ShownStep | undefined): string {
  if (node.kind === "params") return `The pipeline's params: ${node.notes.join("")}`;
  const cells =
    node.cells.length === 1 ? `cell ${node.cells[0]}` : `cells ${node.cells.join(", ")}`;
  const state = step ? `; ${statusText(step)}` : "";
  return `Step ${node.name} (${cells})${state}. Click to select its cells and open its log.`;
}
