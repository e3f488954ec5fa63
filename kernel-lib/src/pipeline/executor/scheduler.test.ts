import { describe, expect, it } from "vitest";
import { runGraph, type GraphNode, type TaskOutcome } from "./scheduler";

/** A task whose completion the test controls, recording starts and ends in order. */
function controlledTasks() {
  const events: string[] = [];
  const pending = new Map<string, (outcome: TaskOutcome) => void>();
  let running = 0;
  let maxRunning = 0;
  const run = (name: string) =>
    new Promise<TaskOutcome>((resolve) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      events.push(`start ${name}`);
      pending.set(name, (outcome) => {
        running--;
        events.push(`end ${name}`);
        pending.delete(name);
        resolve(outcome);
      });
    });
  const settle = async () => {
    // Let started tasks register before the test looks at them.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  const finish = async (name: string, outcome: TaskOutcome = "succeeded") => {
    await settle();
    const done = pending.get(name);
    if (!done) throw new Error(`${name} is not running (events: ${events.join(", ")})`);
    done(outcome);
    await settle();
  };
  return { events, pending, run, finish, settle, maxRunning: () => maxRunning };
}

const diamond: GraphNode[] = [
  { name: "prepare", dependsOn: [] },
  { name: "featuresA", dependsOn: ["prepare"] },
  { name: "featuresB", dependsOn: ["prepare"] },
  { name: "train", dependsOn: ["featuresA", "featuresB"] },
];

describe("runGraph", () => {
  it("runs a diamond in dependency order, both branches at once", async () => {
    const t = controlledTasks();
    const done = runGraph(diamond, t.run, { parallelism: 4 });
    await t.finish("prepare");
    expect([...t.pending.keys()]).toEqual(["featuresA", "featuresB"]);
    await t.finish("featuresB");
    expect([...t.pending.keys()]).toEqual(["featuresA"]); // train waits for both
    await t.finish("featuresA");
    await t.finish("train");
    expect(await done).toEqual(
      new Map([
        ["prepare", "succeeded"],
        ["featuresB", "succeeded"],
        ["featuresA", "succeeded"],
        ["train", "succeeded"],
      ]),
    );
    expect(t.events.indexOf("start train")).toBeGreaterThan(t.events.indexOf("end featuresA"));
  });

  it("never runs more tasks than the parallelism limit", async () => {
    const wide: GraphNode[] = ["a", "b", "c", "d", "e"].map((name) => ({ name, dependsOn: [] }));
    const t = controlledTasks();
    const done = runGraph(wide, t.run, { parallelism: 2 });
    for (const name of ["a", "b", "c", "d", "e"]) {
      await t.settle();
      expect(t.pending.size).toBeLessThanOrEqual(2);
      await t.finish(name);
    }
    await done;
    expect(t.maxRunning()).toBe(2);
    expect(t.events.filter((e) => e.startsWith("start"))).toEqual(
      ["a", "b", "c", "d", "e"].map((n) => `start ${n}`),
    );
  });

  it("with parallelism 1 runs a diamond strictly one task after another", async () => {
    const t = controlledTasks();
    const done = runGraph(diamond, t.run, { parallelism: 1 });
    for (const name of ["prepare", "featuresA", "featuresB", "train"]) await t.finish(name);
    await done;
    expect(t.maxRunning()).toBe(1);
  });

  it("skips everything downstream of a failure and still finishes independent branches", async () => {
    const graph: GraphNode[] = [
      ...diamond,
      { name: "report", dependsOn: ["train"] },
      { name: "other", dependsOn: ["prepare"] },
    ];
    const skipped: [string, string][] = [];
    const t = controlledTasks();
    const done = runGraph(graph, t.run, {
      parallelism: 3,
      onSkipped: (name, failed) => skipped.push([name, failed]),
    });
    await t.finish("prepare");
    await t.finish("featuresA", "failed");
    await t.finish("featuresB");
    await t.finish("other");
    const outcomes = await done;
    expect(Object.fromEntries(outcomes)).toEqual({
      prepare: "succeeded",
      featuresA: "failed",
      featuresB: "succeeded",
      other: "succeeded",
      train: "skipped",
      report: "skipped",
    });
    expect(skipped).toEqual([
      ["train", "featuresA"],
      ["report", "featuresA"],
    ]);
    expect(t.events).not.toContain("start train");
  });

  it("counts a task that throws as failed, and a cached one as done", async () => {
    const errors: string[] = [];
    const outcomes = await runGraph(
      diamond,
      async (name) => {
        if (name === "featuresB") throw new Error("boom");
        return name === "prepare" ? "cached" : "succeeded";
      },
      {
        parallelism: 2,
        onError: (name, error) => errors.push(`${name}: ${(error as Error).message}`),
      },
    );
    expect(Object.fromEntries(outcomes)).toEqual({
      prepare: "cached",
      featuresA: "succeeded",
      featuresB: "failed",
      train: "skipped",
    });
    expect(errors).toEqual(["featuresB: boom"]);
  });

  it("resolves at once for an empty graph", async () => {
    expect(await runGraph([], async () => "succeeded", { parallelism: 1 })).toEqual(new Map());
  });

  const invalid: [string, GraphNode[], RegExp][] = [
    [
      "an unknown dependency",
      [{ name: "a", dependsOn: ["b"] }],
      /"a" depends on "b", which is not a step/,
    ],
    [
      "a duplicate name",
      [
        { name: "a", dependsOn: [] },
        { name: "a", dependsOn: [] },
      ],
      /"a" appears twice/,
    ],
    [
      "a cycle",
      [
        { name: "a", dependsOn: ["b"] },
        { name: "b", dependsOn: ["a"] },
        { name: "c", dependsOn: [] },
      ],
      /"a", "b" form a dependency cycle/,
    ],
  ];
  for (const [what, graph, message] of invalid) {
    it(`rejects ${what} before running anything`, async () => {
      let ran = false;
      await expect(
        runGraph(graph, async () => ((ran = true), "succeeded"), { parallelism: 1 }),
      ).rejects.toThrow(message);
      expect(ran).toBe(false);
    });
  }

  it("rejects a parallelism below 1", async () => {
    await expect(runGraph(diamond, async () => "succeeded", { parallelism: 0 })).rejects.toThrow(
      RangeError,
    );
  });
});
