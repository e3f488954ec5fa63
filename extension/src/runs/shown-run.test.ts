import type { PipelineEvent, PipelineRunRecord } from "@kiln/kernel-lib/spec";
import { describe, expect, it } from "vitest";
import { applyRunEvent, runFromRecord, startedRun } from "./shown-run";

const runId = "r1";

describe("a run followed through its events", () => {
  it("goes from pending steps to their final states, with logs, errors and MLflow runs", () => {
    const run = startedRun({ runId, pipeline: "sum", version: "v2" });
    const events: PipelineEvent[] = [
      {
        type: "run-started",
        runId,
        pipeline: "sum",
        version: "v2",
        steps: ["numbers", "total"],
        mlflowRunId: "parent",
        experimentId: "7",
        time: 100,
      },
      {
        type: "step-status",
        runId,
        step: "numbers",
        status: "running",
        mlflowRunId: "m1",
        time: 101,
      },
      { type: "step-log", runId, step: "numbers", stream: "stdout", line: "made 4", time: 102 },
      {
        type: "step-status",
        runId,
        step: "numbers",
        status: "succeeded",
        durationMs: 900,
        time: 103,
      },
      {
        type: "step-status",
        runId,
        step: "total",
        status: "failed",
        error: "boom",
        durationMs: 5,
        time: 104,
      },
      { type: "run-finished", runId, status: "failed", durationMs: 1500, time: 105 },
    ];
    expect(run.steps).toEqual({});
    applyRunEvent(run, events[0]!);
    expect(run.steps).toEqual({ numbers: { status: "pending" }, total: { status: "pending" } });
    for (const event of events.slice(1)) applyRunEvent(run, event);
    expect(run).toMatchObject({
      status: "failed",
      durationMs: 1500,
      mlflowRunId: "parent",
      experimentId: "7",
      startTime: 100,
      steps: {
        // `succeeded` does not repeat the MLflow run that `running` named.
        numbers: { status: "succeeded", durationMs: 900, mlflowRunId: "m1" },
        total: { status: "failed", error: "boom", durationMs: 5 },
      },
      logs: { numbers: [{ stream: "stdout", line: "made 4" }], total: [] },
    });
  });
});

describe("runFromRecord", () => {
  it("shows a past run as its record says, its logs left to fetch", () => {
    const record: PipelineRunRecord = {
      runId,
      pipeline: "sum",
      version: "v1",
      specHash: "h",
      status: "succeeded",
      params: { count: 4 },
      startTime: 1000,
      endTime: 3500,
      mlflowRunId: "parent",
      experimentId: "7",
      steps: { numbers: { status: "cached", durationMs: 3, mlflowRunId: "earlier" } },
    };
    expect(runFromRecord(record)).toEqual({
      runId,
      pipeline: "sum",
      version: "v1",
      status: "succeeded",
      steps: { numbers: { status: "cached", durationMs: 3, mlflowRunId: "earlier" } },
      logs: null,
      params: { count: 4 },
      mlflowRunId: "parent",
      experimentId: "7",
      startTime: 1000,
      durationMs: 2500,
    });
  });
});
