// A pipeline spec laid out as a graph, top to bottom, by dagre: where each node and edge label
// goes and the path of each edge. Pure: the SVG view draws what this returns.

import { Graph, layout } from "@dagrejs/dagre";
import type { PipelineSpec } from "@kiln/kernel-lib/spec";

export type Point = { x: number; y: number };

/** A box of the graph: a step, or the pipeline's params. */
export type GraphNode = {
  /** `step:<name>`, or `params`. */
  id: string;
  kind: "step" | "params";
  /** The step's name, or "params". */
  name: string;
  /** Notes under the name: `cache: false`, the transforms a step calls, the params declared. */
  notes: string[];
  /** The notebook cells the node stands for (a step's own cells). */
  cells: number[];
  /** Centre and size. */
  x: number;
  y: number;
  width: number;
  height: number;
};

/** An arrow of the graph: data passed (labelled with the names), ordering only, or params read. */
export type GraphEdge = {
  from: string;
  to: string;
  kind: "data" | "order" | "params";
  /** What the edge carries, shortened to fit; `title` has every name. */
  label: string;
  title: string;
  points: Point[];
  /** Where the label goes (its centre and size), when there is one. */
  labelBox: (Point & { width: number; height: number }) | null;
};

export type GraphLayout = { width: number; height: number; nodes: GraphNode[]; edges: GraphEdge[] };

/** Sizes in px for the UI font (13px) and the code font of notes and labels (11–12px). */
const CHAR_WIDTH = 7.2;
const NAME_CHAR_WIDTH = 8;
const LINE_HEIGHT = 16;
const LABEL_HEIGHT = 18;
const NODE_PADDING_X = 14;
const NODE_MIN_WIDTH = 150;
/** Name line, notes, then the status line the view adds. */
const NODE_BASE_HEIGHT = 24 + LINE_HEIGHT;
const LABEL_MAX_NAMES = 3;
const MARGIN = 16;

/** The id of a step's node. */
export const stepNodeId = (step: string): string => `step:${step}`;

/**
 * Lays `spec` out: one node per step (and one for the params, when any step reads them), an edge
 * per data or order dependency and per step reading params.
 *
 * @example
 * ```ts
 * const { nodes, edges, width, height } = layoutPipeline(analysis.spec);
 * ```
 */
export function layoutPipeline(spec: PipelineSpec): GraphLayout {
  const graph = new Graph({ multigraph: true });
  graph.setGraph({
    rankdir: "TB",
    nodesep: 40,
    ranksep: 48,
    edgesep: 16,
    marginx: MARGIN,
    marginy: MARGIN,
  });

  const nodes = new Map<string, Omit<GraphNode, "x" | "y" | "width" | "height">>();
  const readers = spec.steps.filter((step) => step.params.length > 0);
  if (readers.length > 0) {
    nodes.set("params", {
      id: "params",
      kind: "params",
      name: "params",
      notes: [spec.params.map((p) => p.name).join(", ")],
      cells: [],
    });
  }
  for (const step of spec.steps) {
    const notes: string[] = [];
    if (!step.cache) notes.push("cache: false");
    if (step.transforms.length > 0) notes.push(`transforms: ${step.transforms.join(", ")}`);
    nodes.set(stepNodeId(step.name), {
      id: stepNodeId(step.name),
      kind: "step",
      name: step.name,
      notes,
      cells: step.cells.map((cell) => cell.index),
    });
  }
  for (const node of nodes.values()) {
    const widest = Math.max(
      node.name.length * NAME_CHAR_WIDTH,
      ...node.notes.map((note) => note.length * CHAR_WIDTH),
    );
    graph.setNode(node.id, {
      width: Math.max(NODE_MIN_WIDTH, Math.ceil(widest) + 2 * NODE_PADDING_X),
      height: NODE_BASE_HEIGHT + node.notes.length * LINE_HEIGHT,
    });
  }

  const edges: Omit<GraphEdge, "points" | "labelBox">[] = [
    ...spec.edges.map((edge) => ({
      from: stepNodeId(edge.from),
      to: stepNodeId(edge.to),
      kind: edge.kind,
      ...labelOf(edge.kind === "data" ? edge.names : []),
    })),
    ...readers.map((step) => ({
      from: "params",
      to: stepNodeId(step.name),
      kind: "params" as const,
      ...labelOf(step.params),
    })),
  ];
  // dagre leaves room for a label of the size given, centred on the edge.
  edges.forEach((edge, i) => {
    graph.setEdge(
      edge.from,
      edge.to,
      edge.label === ""
        ? {}
        : { width: edge.label.length * CHAR_WIDTH + 8, height: LABEL_HEIGHT, labelpos: "c" },
      String(i),
    );
  });

  layout(graph);

  const laidOut = graph.graph();
  return {
    width: Math.ceil(laidOut.width ?? 0),
    height: Math.ceil(laidOut.height ?? 0),
    nodes: [...nodes.values()].map((node) => {
      const { x, y, width, height } = graph.node(node.id);
      return { ...node, x: x ?? 0, y: y ?? 0, width, height };
    }),
    edges: edges.map((edge, i) => {
      const laid = graph.edge({ v: edge.from, w: edge.to, name: String(i) });
      const hasLabel = edge.label !== "" && laid.x !== undefined && laid.y !== undefined;
      return {
        ...edge,
        points: laid.points ?? [],
        labelBox: hasLabel
          ? { x: laid.x, y: laid.y, width: laid.width, height: laid.height }
          : null,
      };
    }),
  };
}

// A few names fit on an edge; the title lists them all.
function labelOf(names: readonly string[]): { label: string; title: string } {
  const shown = names.slice(0, LABEL_MAX_NAMES).join(", ");
  const more = names.length - LABEL_MAX_NAMES;
  return { label: more > 0 ? `${shown} +${more}` : shown, title: names.join(", ") };
}
