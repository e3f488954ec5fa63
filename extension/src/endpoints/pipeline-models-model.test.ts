import type { PipelineRunRecord } from "@kiln/kernel-lib/spec";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { listRunModels, type RunModel } from "../api/endpoints-api";
import { listPipelineRuns } from "../api/runs-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { PipelineModelsModel } from "./pipeline-models-model";

vi.mock("../api/runs-api", () => ({ listPipelineRuns: vi.fn() }));
vi.mock("../api/endpoints-api", () => ({ listRunModels: vi.fn() }));
const runsOf = vi.mocked(listPipelineRuns);
const modelsOf = vi.mocked(listRunModels);

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const run = (runId: string, status: PipelineRunRecord["status"]) =>
  ({ runId, pipeline: "drill", version: "v1", status }) as PipelineRunRecord;
const model = (version: string): RunModel => ({
  model: "drill-anomaly",
  version,
  step: "train",
  aliases: [],
  createdAt: 0,
});

describe("PipelineModelsModel", () => {
  let models: PipelineModelsModel;
  beforeEach(() => {
    runsOf.mockReset();
    modelsOf.mockReset();
    models = new PipelineModelsModel({ pollIntervalMs: 60_000 });
  });
  afterEach(() => models.dispose());

  it("shows nothing until a notebook's pipeline is followed, then waits for settings", async () => {
    expect(models.state).toEqual({ status: "no-pipeline" });
    models.showPipeline("drill");
    await vi.waitFor(() =>
      expect(models.state).toEqual({ status: "unconfigured", pipeline: "drill" }),
    );
    expect(runsOf).not.toHaveBeenCalled();
  });

  it("lists the models of the newest succeeded run, skipping running and failed ones", async () => {
    runsOf.mockResolvedValue([run("r3", "running"), run("r2", "failed"), run("r1", "succeeded")]);
    modelsOf.mockResolvedValue([model("2")]);
    models.configure(settings);
    models.showPipeline("drill");
    expect(models.state).toEqual({ status: "loading", pipeline: "drill" });
    await vi.waitFor(() => expect(models.state.status).toBe("loaded"));
    expect(models.state).toMatchObject({
      pipeline: "drill",
      run: { runId: "r1" },
      models: [model("2")],
    });
    expect(runsOf).toHaveBeenLastCalledWith(settings, "drill");
    expect(modelsOf).toHaveBeenCalledWith(settings, "r1");
  });

  it("looks back past runs whose cached steps registered nothing, and asks about those once", async () => {
    runsOf.mockResolvedValue([run("cached", "succeeded"), run("trained", "succeeded")]);
    modelsOf.mockImplementation(async (_s, runId) => (runId === "trained" ? [model("1")] : []));
    models.configure(settings);
    models.showPipeline("drill");
    await vi.waitFor(() => expect(models.state).toMatchObject({ run: { runId: "trained" } }));
    await models.refresh();
    expect(modelsOf.mock.calls.map(([, runId]) => runId)).toEqual(["cached", "trained", "trained"]);
  });

  it("says when the pipeline has no succeeded run, or its runs registered no model", async () => {
    runsOf.mockResolvedValue([run("r1", "failed")]);
    models.configure(settings);
    models.showPipeline("drill");
    await vi.waitFor(() =>
      expect(models.state).toMatchObject({ status: "loaded", run: null, models: [] }),
    );
    runsOf.mockResolvedValue([run("r2", "succeeded")]);
    modelsOf.mockResolvedValue([]);
    await models.refresh();
    expect(models.state).toMatchObject({ status: "loaded", run: { runId: "r2" }, models: [] });
  });

  it("says why when the server refuses, instead of spinning", async () => {
    const noRegistry = new KilnServerError(
      "bad-response",
      "This server has no MLflow tracking server to look models up in.",
      "Start it with MLFLOW_TRACKING_URI set (kiln start does this).",
      { serverUrl: settings.serverUrl, code: "NO_MODEL_REGISTRY" },
    );
    runsOf.mockResolvedValue([run("r1", "succeeded")]);
    modelsOf.mockRejectedValue(noRegistry);
    models.configure(settings);
    models.showPipeline("drill");
    await vi.waitFor(() => expect(models.state.status).toBe("failed"));
    expect(models.state).toEqual({ status: "failed", pipeline: "drill", error: noRegistry });
  });

  it("keeps only the answer for the pipeline followed now", async () => {
    let answerOld: (runs: PipelineRunRecord[]) => void = () => undefined;
    runsOf.mockImplementationOnce(() => new Promise((resolve) => (answerOld = resolve)));
    runsOf.mockResolvedValueOnce([]);
    modelsOf.mockResolvedValue([model("1")]);
    models.configure(settings);
    models.showPipeline("old");
    models.showPipeline("new");
    await vi.waitFor(() =>
      expect(models.state).toMatchObject({ status: "loaded", pipeline: "new" }),
    );
    answerOld([run("r1", "succeeded")]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(models.state).toEqual({ status: "loaded", pipeline: "new", run: null, models: [] });
  });

  it("finds a run that finished by polling quietly, without a loading state in between", async () => {
    vi.useFakeTimers();
    const polling = new PipelineModelsModel({ pollIntervalMs: 1_000 });
    try {
      runsOf.mockResolvedValue([]);
      polling.configure(settings);
      polling.showPipeline("drill");
      await vi.waitFor(() => expect(polling.state.status).toBe("loaded"));
      const states: string[] = [];
      polling.changed.connect(() => states.push(polling.state.status));
      runsOf.mockResolvedValue([run("r1", "succeeded")]);
      modelsOf.mockResolvedValue([model("1")]);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(states).toEqual(["loaded"]);
      expect(polling.state).toMatchObject({ models: [model("1")] });
      polling.dispose();
      await vi.advanceTimersByTimeAsync(5_000);
      expect(runsOf).toHaveBeenCalledTimes(2);
    } finally {
      polling.dispose();
      vi.useRealTimers();
    }
  });
});
