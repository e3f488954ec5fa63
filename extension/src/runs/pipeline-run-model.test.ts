import type { PipelineEvent, PipelineRunRecord } from "@kiln/kernel-lib/spec";
import { describe, expect, it, vi } from "vitest";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { PipelineRunModel, type RunsApi } from "./pipeline-run-model";

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const runId = "r1";
const started = { runId, pipeline: "sum", version: "v1", events: `/x` };
const events: PipelineEvent[] = [
  { type: "run-started", runId, pipeline: "sum", version: "v1", steps: ["a", "b"], time: 1 },
  { type: "step-status", runId, step: "a", status: "running", mlflowRunId: "ma", time: 2 },
  { type: "step-log", runId, step: "a", stream: "stdout", line: "hello from a", time: 3 },
  { type: "step-status", runId, step: "a", status: "succeeded", durationMs: 10, time: 4 },
  { type: "step-status", runId, step: "b", status: "cached", durationMs: 1, time: 5 },
  { type: "run-finished", runId, status: "succeeded", durationMs: 20, time: 6 },
];
const record = (status: PipelineRunRecord["status"]): PipelineRunRecord => ({
  runId,
  pipeline: "sum",
  version: "v1",
  specHash: "h",
  status,
  params: {},
  startTime: 1,
  ...(status === "running" ? {} : { endTime: 21 }),
  steps: {
    a: { status: status === "running" ? "running" : "succeeded" },
    b: { status: "pending" },
  },
});
const serverError = (message: string, extra: { code?: string; problems?: unknown[] } = {}) =>
  new KilnServerError("bad-response", message, "The fix.", {
    serverUrl: settings.serverUrl,
    ...extra,
  });

async function* stream(items: PipelineEvent[], then?: Error): AsyncGenerator<PipelineEvent> {
  for (const item of items) {
    await Promise.resolve();
    yield item;
  }
  if (then) throw then;
}

/** A model on fake server calls, recording each state's activity as it changes. */
function modelWith(api: Partial<RunsApi>) {
  const model = new PipelineRunModel({ api });
  model.configure(settings);
  const activities: string[] = [];
  model.changed.connect(() => {
    if (activities.at(-1) !== model.state.activity) activities.push(model.state.activity);
  });
  return { model, activities };
}

describe("PipelineRunModel.start", () => {
  it("saves the notebook, starts the run with the params, follows it to its end", async () => {
    const calls: string[] = [];
    const save = vi.fn(async () => void calls.push("save"));
    const startPipelineRun = vi.fn(async () => {
      calls.push("start");
      return started;
    });
    const { model, activities } = modelWith({
      startPipelineRun,
      followPipelineRun: () => stream(events),
    });
    const ended = vi.fn();
    model.runEnded.connect((_, run) => ended(run.status));

    await model.start({ notebook: "sum.ipynb", params: { count: 4 }, save });

    expect(calls).toEqual(["save", "start"]);
    expect(startPipelineRun).toHaveBeenCalledWith(settings, {
      notebook: "sum.ipynb",
      params: { count: 4 },
    });
    expect(activities).toEqual(["saving", "starting", "following", "idle"]);
    expect(model.state.problem).toBeNull();
    expect(model.state.run).toMatchObject({
      status: "succeeded",
      steps: {
        a: { status: "succeeded", mlflowRunId: "ma" },
        b: { status: "cached" },
      },
    });
    expect(ended).toHaveBeenCalledWith("succeeded");
    expect(await model.stepLog("a")).toBe("hello from a");
  });

  it("sends no params when none differs from its default", async () => {
    const startPipelineRun = vi.fn(async () => started);
    const { model } = modelWith({ startPipelineRun, followPipelineRun: () => stream(events) });
    await model.start({ notebook: "sum.ipynb", params: {}, save: async () => undefined });
    expect(startPipelineRun).toHaveBeenCalledWith(settings, { notebook: "sum.ipynb" });
  });

  it("shows the compile problems, with their cells, when the saved notebook does not compile", async () => {
    const problems = [
      { code: "undefined-name", cell: { index: 2, firstLine: "x" }, message: "m", fix: "f" },
    ];
    const { model, activities } = modelWith({
      startPipelineRun: () =>
        Promise.reject(serverError("cell 2 reads `xs`", { code: "NOTEBOOK_COMPILE", problems })),
    });
    await model.start({ notebook: "sum.ipynb", params: {}, save: async () => undefined });
    expect(activities).toEqual(["saving", "starting", "idle"]);
    expect(model.state.run).toBeNull();
    expect(model.state.problem).toEqual({
      message: "cell 2 reads `xs`",
      fix: "The fix.",
      compileProblems: problems,
    });
  });

  it("does not run what it could not save, and says so", async () => {
    const startPipelineRun = vi.fn();
    const { model } = modelWith({ startPipelineRun });
    await model.start({
      notebook: "sum.ipynb",
      params: {},
      save: () => Promise.reject(new Error("disk full")),
    });
    expect(startPipelineRun).not.toHaveBeenCalled();
    expect(model.state).toMatchObject({
      activity: "idle",
      problem: { message: "Could not save sum.ipynb before running it: disk full" },
    });
  });

  it("says the server is unreachable rather than spinning", async () => {
    const unreachable = new KilnServerError(
      "unreachable",
      "Kiln server unreachable at http://127.0.0.1:8700",
      "Start it with `npm start`.",
      { serverUrl: settings.serverUrl },
    );
    const { model } = modelWith({ startPipelineRun: () => Promise.reject(unreachable) });
    await model.start({ notebook: "sum.ipynb", params: {}, save: async () => undefined });
    expect(model.state).toMatchObject({
      activity: "idle",
      problem: { message: "Kiln server unreachable at http://127.0.0.1:8700" },
    });
  });

  it("reads the record when the stream breaks, and says the live view was lost", async () => {
    const broke = new KilnServerError("unreachable", "The connection broke", "Check the server.", {
      serverUrl: settings.serverUrl,
    });
    const getPipelineRun = vi.fn(async () => record("running"));
    const { model, activities } = modelWith({
      startPipelineRun: async () => started,
      followPipelineRun: () => stream(events.slice(0, 2), broke),
      getPipelineRun,
    });
    await model.start({ notebook: "sum.ipynb", params: {}, save: async () => undefined });
    expect(getPipelineRun).toHaveBeenCalledWith(settings, runId);
    expect(activities.at(-1)).toBe("idle");
    expect(model.state.problem?.message).toBe("The connection broke");
    expect(model.state.run?.steps["a"]?.status).toBe("running");
  });

  it("takes the final states from the record when the stream ends before the run does", async () => {
    const ended = vi.fn();
    const { model } = modelWith({
      startPipelineRun: async () => started,
      followPipelineRun: () => stream(events.slice(0, 2)),
      getPipelineRun: async () => record("succeeded"),
    });
    model.runEnded.connect(ended);
    await model.start({ notebook: "sum.ipynb", params: {}, save: async () => undefined });
    expect(model.state.problem).toBeNull();
    expect(model.state.run).toMatchObject({
      status: "succeeded",
      steps: { a: { status: "succeeded" } },
    });
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it("stops following the previous run when another one starts", async () => {
    let seenSignal: AbortSignal | undefined;
    const { model } = modelWith({
      startPipelineRun: async () => started,
      followPipelineRun: (_s, _r, signal) => {
        seenSignal ??= signal;
        return (async function* () {
          yield events[0]!;
          await new Promise((resolve) => signal.addEventListener("abort", resolve));
          signal.throwIfAborted();
        })();
      },
    });
    const first = model.start({ notebook: "sum.ipynb", params: {}, save: async () => undefined });
    await vi.waitFor(() => expect(model.state.activity).toBe("following"));
    void model.start({
      notebook: "sum.ipynb",
      params: {},
      save: () => new Promise(() => undefined),
    });
    await first;
    expect(seenSignal?.aborted).toBe(true);
    expect(model.state.activity).toBe("saving");
  });
});

describe("PipelineRunModel.showRun", () => {
  it("shows a past run from its record and fetches a step's log from the server", async () => {
    const readStepLog = vi.fn(async () => "total is 10\n");
    const followPipelineRun = vi.fn();
    const { model, activities } = modelWith({
      getPipelineRun: async () => record("succeeded"),
      readStepLog,
      followPipelineRun,
    });
    await model.showRun(runId);
    expect(activities).toEqual(["loading", "idle"]);
    expect(followPipelineRun).not.toHaveBeenCalled();
    expect(model.state.run).toMatchObject({ runId, status: "succeeded", logs: null });
    expect(await model.stepLog("a")).toBe("total is 10\n");
    expect(readStepLog).toHaveBeenCalledWith(settings, runId, "a");
  });

  it("follows a run that is still going, from the start of its stream", async () => {
    const { model } = modelWith({
      getPipelineRun: async () => record("running"),
      followPipelineRun: () => stream(events),
    });
    await model.showRun(runId);
    expect(model.state).toMatchObject({
      activity: "idle",
      problem: null,
      run: { status: "succeeded" },
    });
    expect(model.state.run?.logs?.["a"]).toEqual([{ stream: "stdout", line: "hello from a" }]);
  });

  it("shows the record alone for a running run another server process started", async () => {
    const { model } = modelWith({
      getPipelineRun: async () => record("running"),
      followPipelineRun: () => stream([], serverError("not live", { code: "RUN_NOT_LIVE" })),
    });
    await model.showRun(runId);
    expect(model.state).toMatchObject({ activity: "idle", run: { status: "running" } });
    expect(model.state.problem?.message).toMatch(/Lost the live view of run r1/);
  });

  it("says why a run cannot be shown", async () => {
    const { model } = modelWith({
      getPipelineRun: () => Promise.reject(serverError('There is no pipeline run "r1".')),
    });
    await model.showRun(runId);
    expect(model.state).toMatchObject({
      activity: "idle",
      problem: { message: 'There is no pipeline run "r1".' },
    });
  });
});

describe("a model without settings", () => {
  it("says the settings are not read yet instead of calling anything", async () => {
    const model = new PipelineRunModel({ api: { startPipelineRun: vi.fn() } });
    await model.start({ notebook: "a.ipynb", params: {}, save: async () => undefined });
    expect(model.state.problem?.message).toMatch(/settings have not been read/);
  });
});
