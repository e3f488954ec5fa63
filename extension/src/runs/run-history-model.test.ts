import type { PipelineRunRecord } from "@kiln/kernel-lib/spec";
import { describe, expect, it, vi } from "vitest";
import type { PipelineVersion } from "../api/runs-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { RunHistoryModel } from "./run-history-model";

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const version = (v: string): PipelineVersion => ({
  version: v,
  hash: `h${v}`,
  createdAt: "2025-01-01T00:00:00Z",
  notebookPath: "sum.ipynb",
});
const run = (runId: string, v: string): PipelineRunRecord => ({
  runId,
  pipeline: "sum",
  version: v,
  specHash: `h${v}`,
  status: "succeeded",
  params: {},
  startTime: 1,
  steps: {},
});

describe("RunHistoryModel", () => {
  it("lists the named pipeline's versions and runs, and finds the newest run of a version", async () => {
    const listPipelineVersions = vi.fn(async () => [version("v1"), version("v2")]);
    const listPipelineRuns = vi.fn(async () => [run("r3", "v2"), run("r2", "v1"), run("r1", "v2")]);
    const history = new RunHistoryModel({ api: { listPipelineVersions, listPipelineRuns } });
    history.configure(settings);
    history.showPipeline("sum");
    expect(history.state).toMatchObject({ status: "loading", pipeline: "sum", previous: null });
    await vi.waitFor(() => expect(history.state.status).toBe("loaded"));
    expect(listPipelineRuns).toHaveBeenCalledWith(settings, "sum");
    expect(history.latestRunOf("v2")?.runId).toBe("r3");
    expect(history.latestRunOf("v1")?.runId).toBe("r2");
    expect(history.latestRunOf("v9")).toBeUndefined();
  });

  it("keeps the lists shown while refreshing them, and asks nothing again for the same pipeline", async () => {
    const listPipelineRuns = vi.fn(async () => [run("r1", "v1")]);
    const history = new RunHistoryModel({
      api: { listPipelineVersions: async () => [version("v1")], listPipelineRuns },
    });
    history.configure(settings);
    history.showPipeline("sum");
    await vi.waitFor(() => expect(history.state.status).toBe("loaded"));
    history.showPipeline("sum");
    expect(listPipelineRuns).toHaveBeenCalledTimes(1);
    const refreshing = history.refresh();
    expect(history.state).toMatchObject({
      status: "loading",
      previous: { runs: [run("r1", "v1")] },
    });
    expect(history.latestRunOf("v1")?.runId).toBe("r1");
    await refreshing;
    expect(listPipelineRuns).toHaveBeenCalledTimes(2);
  });

  it("drops lists that arrive for a pipeline no longer shown", async () => {
    let answerOld: (runs: PipelineRunRecord[]) => void = () => undefined;
    const listPipelineRuns = vi
      .fn()
      .mockImplementationOnce(() => new Promise((resolve) => (answerOld = resolve)))
      .mockResolvedValueOnce([run("new", "v1")]);
    const history = new RunHistoryModel({
      api: { listPipelineVersions: async () => [], listPipelineRuns },
    });
    history.configure(settings);
    history.showPipeline("old");
    history.showPipeline("renamed");
    await vi.waitFor(() => expect(history.state.status).toBe("loaded"));
    answerOld([run("old", "v1")]);
    await Promise.resolve();
    expect(history.state).toMatchObject({
      pipeline: "renamed",
      history: { runs: [run("new", "v1")] },
    });
  });

  it("says why the lists could not be read", async () => {
    const refused = new KilnServerError(
      "bad-response",
      "This endpoint needs an API key.",
      "Set one.",
      {
        serverUrl: settings.serverUrl,
      },
    );
    const history = new RunHistoryModel({
      api: {
        listPipelineVersions: () => Promise.reject(refused),
        listPipelineRuns: async () => [],
      },
    });
    history.configure(settings);
    history.showPipeline("sum");
    await vi.waitFor(() =>
      expect(history.state).toEqual({ status: "failed", pipeline: "sum", error: refused }),
    );
  });

  it("turns an answer of an unexpected shape into a problem, not a spinner", async () => {
    const history = new RunHistoryModel({
      api: {
        listPipelineVersions: () => Promise.reject(new TypeError("pipelines is undefined")),
        listPipelineRuns: async () => [],
      },
    });
    history.configure(settings);
    history.showPipeline("sum");
    await vi.waitFor(() => expect(history.state.status).toBe("failed"));
    expect(history.state.status === "failed" && history.state.error.message).toMatch(
      /in a shape this extension does not read/,
    );
  });
});
