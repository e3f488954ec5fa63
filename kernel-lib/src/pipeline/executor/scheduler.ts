/**
 * Runs a DAG of named tasks with at most `parallelism` at a time: a task starts when all its
 * dependencies have succeeded (or were cached); when one fails, everything downstream of it is
 * skipped and the independent branches still finish. Ready tasks start in the order given
 * (the spec's topological order), so runs are reproducible.
 *
 * @example
 * ```ts
 * const outcomes = await runGraph(
 *   [{ name: "a", dependsOn: [] }, { name: "b", dependsOn: ["a"] }],
 *   async (name) => (await execute(name)) ? "succeeded" : "failed",
 *   { parallelism: 2, onSkipped: (name, failed) => console.log(`${name} skipped: ${failed} failed`) },
 * );
 * ```
 */

/** A task and the tasks it waits for. */
export interface GraphNode {
  name: string;
  dependsOn: readonly string[];
}

/** How a task ended; a task that throws counts as `failed`. */
export type TaskOutcome = "succeeded" | "cached" | "failed";

/** How every task ended, including the skipped ones. */
export type GraphOutcome = Map<string, TaskOutcome | "skipped">;

/** Options of {@link runGraph}. */
export type RunGraphOptions = {
  /** Most tasks running at once (≥ 1). */
  parallelism: number;
  /** Called once per skipped task with the failed upstream task that caused it. */
  onSkipped?: (name: string, failedUpstream: string) => void;
  /** Called when a task throws (it is then `failed`). */
  onError?: (name: string, error: unknown) => void;
};

/** Runs the graph; resolves when every task has ended or been skipped. Never rejects for a task. */
export async function runGraph(
  nodes: readonly GraphNode[],
  runTask: (name: string) => Promise<TaskOutcome>,
  options: RunGraphOptions,
): Promise<GraphOutcome> {
  validateGraph(nodes);
  if (!(options.parallelism >= 1)) {
    throw new RangeError(`parallelism must be at least 1, got ${options.parallelism}`);
  }
  const outcomes: GraphOutcome = new Map();
  const running = new Set<string>();
  const byName = new Map(nodes.map((node) => [node.name, node]));

  return new Promise((resolve) => {
    const settle = (name: string, outcome: TaskOutcome) => {
      running.delete(name);
      outcomes.set(name, outcome);
      if (outcome === "failed") skipDownstream(name, name);
      pump();
    };
    const skipDownstream = (failed: string, root: string) => {
      for (const node of nodes) {
        if (outcomes.has(node.name) || running.has(node.name)) continue;
        if (!node.dependsOn.includes(failed)) continue;
        outcomes.set(node.name, "skipped");
        options.onSkipped?.(node.name, root);
        skipDownstream(node.name, root);
      }
    };
    const ready = (node: GraphNode) =>
      node.dependsOn.every((dep) => {
        const outcome = outcomes.get(dep);
        return outcome === "succeeded" || outcome === "cached";
      });
    const pump = () => {
      for (const node of nodes) {
        if (running.size >= options.parallelism) break;
        if (outcomes.has(node.name) || running.has(node.name) || !ready(node)) continue;
        running.add(node.name);
        runTask(node.name).then(
          (outcome) => settle(node.name, outcome),
          (error: unknown) => {
            options.onError?.(node.name, error);
            settle(node.name, "failed");
          },
        );
      }
      if (running.size === 0 && outcomes.size === byName.size) resolve(outcomes);
    };
    pump();
  });
}

/**
 * Throws a TypeError for unknown dependencies, duplicate names or cycles.
 *
 * @example
 * ```ts
 * validateGraph([{ name: "a", dependsOn: ["b"] }]); // TypeError: … "b", which is not a step …
 * ```
 */
export function validateGraph(nodes: readonly GraphNode[]): void {
  const names = new Set<string>();
  for (const node of nodes) {
    if (names.has(node.name))
      throw new TypeError(`Step "${node.name}" appears twice in the graph.`);
    names.add(node.name);
  }
  for (const node of nodes) {
    const unknown = node.dependsOn.find((dep) => !names.has(dep));
    if (unknown !== undefined) {
      throw new TypeError(
        `Step "${node.name}" depends on "${unknown}", which is not a step of this pipeline.`,
      );
    }
  }
  // Kahn's algorithm: anything left unvisited sits on a cycle.
  const remaining = new Map(nodes.map((node) => [node.name, new Set(node.dependsOn)]));
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const [name, deps] of remaining) {
      if ([...deps].every((dep) => !remaining.has(dep))) {
        remaining.delete(name);
        progressed = true;
      }
    }
  }
  if (remaining.size > 0) {
    throw new TypeError(
      `The steps ${[...remaining.keys()].map((n) => `"${n}"`).join(", ")} form a dependency cycle.`,
    );
  }
}
