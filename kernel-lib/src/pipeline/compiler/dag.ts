// The step graph: data edges from inputs, order edges from `after`, cycle detection that names
// the steps on the cycle, and a deterministic topological order (ties keep notebook order).

import { unknownAfterProblem } from "../../spec/annotations";
import type { EdgeSpec } from "../../spec/pipeline-spec";
import type { CompileProblem } from "./errors";
import type { ResolvedStep } from "./name-resolution";

/** Result of {@link buildDag}: edges and step order, or problems. */
export interface StepDag {
  edges: EdgeSpec[];
  /** Direct upstream steps of each step (data and `after`), sorted. */
  dependsOn: Map<string, string[]>;
  /** Step names in topological order; ties in notebook order. */
  order: string[];
  problems: CompileProblem[];
}

/**
 * Builds the DAG of resolved steps (given in notebook order).
 *
 * @example
 * ```ts
 * const dag = buildDag(resolveNames(groups).steps);
 * dag.order; // ["prepare", "train", "evaluate"]
 * dag.edges[0]; // { from: "prepare", to: "train", kind: "data", names: ["xs", "ys"] }
 * ```
 */
export function buildDag(steps: ResolvedStep[]): StepDag {
  const problems: CompileProblem[] = [];
  const position = new Map(steps.map((s, i) => [s.group.name, i]));
  const edgeByPair = new Map<string, EdgeSpec>();
  const addEdge = (from: string, to: string, kind: EdgeSpec["kind"], name?: string): void => {
    const key = `${from}\u0000${to}`;
    const edge = edgeByPair.get(key) ?? { from, to, kind, names: [] };
    // Data subsumes ordering: one edge per pair, data if any name flows along it.
    if (kind === "data") edge.kind = "data";
    if (name !== undefined) edge.names.push(name);
    edgeByPair.set(key, edge);
  };

  for (const step of steps) {
    for (const input of step.inputs) addEdge(input.from, step.group.name, "data", input.name);
    for (const target of step.group.after) {
      if (position.has(target)) {
        addEdge(target, step.group.name, "order");
        continue;
      }
      const known = [...position.keys()].filter((n) => n !== step.group.name);
      problems.push({
        ...unknownAfterProblem(step.group.name, target, known),
        cell: step.group.cells[0]?.ref,
      });
    }
  }

  const edges = [...edgeByPair.values()];
  for (const edge of edges) edge.names.sort();
  const at = (name: string): number => position.get(name) ?? 0;
  edges.sort((a, b) => at(a.to) - at(b.to) || at(a.from) - at(b.from));

  const dependsOn = new Map<string, string[]>(steps.map((s) => [s.group.name, []]));
  for (const edge of edges) dependsOn.get(edge.to)?.push(edge.from);
  for (const list of dependsOn.values()) list.sort();

  const found = findCycle(
    steps.map((s) => s.group.name),
    dependsOn,
  );
  if (found) {
    // Start the listing at the step that comes first in the notebook: easier to follow.
    const first = found.reduce((best, n, i) => (at(n) < at(found[best] ?? n) ? i : best), 0);
    const cycle = [...found.slice(first), ...found.slice(0, first)];
    problems.push(cycleProblem(cycle, steps, position));
    return { edges, dependsOn, order: [], problems };
  }
  return { edges, dependsOn, order: topologicalOrder(steps, dependsOn), problems };
}

// Kahn's algorithm, always taking the ready step that comes first in the notebook.
function topologicalOrder(steps: ResolvedStep[], dependsOn: Map<string, string[]>): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < steps.length) {
    const next = steps.find(
      (s) =>
        !done.has(s.group.name) && (dependsOn.get(s.group.name) ?? []).every((d) => done.has(d)),
    );
    if (!next) break; // unreachable: cycles are rejected before
    done.add(next.group.name);
    order.push(next.group.name);
  }
  return order;
}

/**
 * Finds one cycle, as the list of steps along it (upstream to downstream), or undefined.
 *
 * @example
 * ```ts
 * findCycle(["a", "b"], new Map([["a", ["b"]], ["b", ["a"]]])); // ["a", "b"]
 * ```
 */
export function findCycle(
  names: string[],
  dependsOn: ReadonlyMap<string, readonly string[]>,
): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return stack.slice(stack.indexOf(name));
    state.set(name, "visiting");
    stack.push(name);
    for (const upstream of dependsOn.get(name) ?? []) {
      const cycle = visit(upstream);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of names) {
    const cycle = visit(name);
    // The stack walks downstream-to-upstream; report it in the direction data flows.
    if (cycle) return cycle.reverse();
  }
  return undefined;
}

// Data edges only point forward in the notebook, so every cycle contains an `after` that points
// to a later step: that annotation is the one to change.
function cycleProblem(
  cycle: string[],
  steps: ResolvedStep[],
  position: Map<string, number>,
): CompileProblem {
  const pos = (name: string): number => position.get(name) ?? 0;
  let culprit: { step: ResolvedStep; target: string } | undefined;
  cycle.forEach((name, i) => {
    const to = cycle[(i + 1) % cycle.length] ?? name;
    const step = steps[pos(to)];
    if (!culprit && step?.group.after.includes(name) && pos(name) >= pos(to)) {
      culprit = { step, target: name };
    }
  });
  const path = [...cycle, cycle[0]].map((n) => `\`${n}\``).join(" → ");
  const cell = culprit?.step.group.cells[0]?.ref ?? steps[pos(cycle[0] ?? "")]?.group.cells[0]?.ref;
  return {
    code: "cycle",
    cell,
    message: `the steps form a cycle: ${path}${culprit ? `, closed by \`after=${culprit.target}\` on step \`${culprit.step.group.name}\`` : ""}; a pipeline must be acyclic.`,
    fix: culprit
      ? `Remove \`${culprit.target}\` from the \`after\` of step \`${culprit.step.group.name}\`, or reorder the cells so data flows one way.`
      : "Remove one of the `after` annotations on the cycle.",
  };
}
