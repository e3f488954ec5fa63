import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { MlflowValidationError } from "./errors";
import { startRun } from "./run";
import { realMlflowUri, realMlflowClient } from "../../../test/support/real-mlflow";

const trackingUri = realMlflowUri();
vi.setConfig({ testTimeout: 60_000 });

const client = realMlflowClient();

describe("startRun / ActiveRun on a real server", () => {
  it("buffers logging synchronously and delivers it on end()", async () => {
    const experiment = `run-test-${randomUUID()}`;
    const run = await startRun({ experiment, runName: "train", tags: { team: "vision" }, client });
    run.logParams({ lr: 0.01, optimizer: "adam" });
    run.logParam("epochs", 3);
    const started = Date.now();
    for (let step = 0; step < 3000; step++) run.logMetric("loss", 1 / (step + 1), step);
    run.logMetrics({ acc: 0.9, f1: 0.8 }, 3000);
    expect(Date.now() - started).toBeLessThan(2_000); // no round trip per call
    run.setTags({ phase: "done" });
    run.logInputs({
      dataset: { name: "iris", digest: "abc", sourceType: "local", source: "{}" },
      tags: { "mlflow.data.context": "training" },
    });
    const dir = mkdtempSync(join(tmpdir(), "kiln-run-"));
    writeFileSync(join(dir, "notes.txt"), "hello");
    await run.logArtifact(join(dir, "notes.txt"));
    await run.logArtifacts(dir, "copy");

    const child = await run.startChild("fold-1");
    child.logMetric("loss", 0.2, 1);
    await child.end("FAILED");
    await run.end();
    await run.end(); // idempotent

    const stored = await client.getRun(run.id);
    expect(stored.info.status).toBe("FINISHED");
    expect(stored.info.runName).toBe("train");
    expect(stored.data.params).toEqual({ lr: "0.01", optimizer: "adam", epochs: "3" });
    expect(stored.data.metrics).toMatchObject({ acc: 0.9, f1: 0.8 });
    expect(stored.data.tags).toMatchObject({ team: "vision", phase: "done" });
    expect(stored.inputs.datasetInputs[0]?.dataset.name).toBe("iris");
    expect(await client.getMetricHistory(run.id, "loss")).toHaveLength(3000);
    expect((await client.listArtifacts(run.id)).map((e) => e.path).sort()).toEqual([
      "copy",
      "notes.txt",
    ]);

    const storedChild = await client.getRun(child.id);
    expect(storedChild.info.status).toBe("FAILED");
    expect(storedChild.data.tags["mlflow.parentRunId"]).toBe(run.id);
    expect(storedChild.info.experimentId).toBe(run.experimentId);
  });

  it("throws at the call site for bad input and buffers nothing of that call", async () => {
    const run = await startRun({ experiment: `run-test-${randomUUID()}`, client });
    expect(() => run.logMetrics({ ok: 1, loss: NaN })).toThrow(MlflowValidationError);
    expect(() => run.logMetric("loss", 1, 0.5)).toThrow(/integer/);
    expect(() => run.logParams({ fine: 1, big: "x".repeat(6001) })).toThrow(MlflowValidationError);
    run.logParam("lr", 0.1);
    expect(() => run.logParam("lr", 0.2)).toThrow(/cannot change/);
    await run.end();
    const stored = await client.getRun(run.id);
    expect(stored.data.metrics).toEqual({});
    expect(stored.data.params).toEqual({ lr: "0.1" });
  });

  it("takes the tracking URI from MLFLOW_TRACKING_URI and explains when it is missing", async () => {
    const saved = process.env["MLFLOW_TRACKING_URI"];
    try {
      delete process.env["MLFLOW_TRACKING_URI"];
      await expect(startRun({ experiment: "x" })).rejects.toThrow(/MLFLOW_TRACKING_URI/);
      process.env["MLFLOW_TRACKING_URI"] = trackingUri;
      const run = await startRun({
        experiment: `run-test-${randomUUID()}`,
        clientOptions: { spoolDir: mkdtempSync(join(tmpdir(), "kiln-spool-")) },
      });
      run.logMetric("x", 1);
      await run.end();
      expect((await client.getRun(run.id)).data.metrics).toEqual({ x: 1 });
      await run.client.close();
    } finally {
      if (saved === undefined) delete process.env["MLFLOW_TRACKING_URI"];
      else process.env["MLFLOW_TRACKING_URI"] = saved;
    }
  });
});
