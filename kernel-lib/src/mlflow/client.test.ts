import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { MlflowClient } from "./client";
import { MlflowApiError, MlflowValidationError } from "./errors";
import { realMlflowUri, realMlflowClient } from "../../../test/support/real-mlflow";

const trackingUri = realMlflowUri();
vi.setConfig({ testTimeout: 60_000 });

const client = realMlflowClient();

async function newRun(name = "run") {
  const experiment = await client.getOrCreateExperiment(`client-test-${randomUUID()}`);
  return client.createRun({ experimentId: experiment.experimentId, runName: name });
}

describe("experiments", () => {
  it("getOrCreateExperiment is race-safe: concurrent callers get one experiment", async () => {
    const name = `race-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 5 }, () => client.getOrCreateExperiment(name)),
    );
    const ids = new Set(results.map((e) => e.experimentId));
    expect(ids.size).toBe(1);
    expect(results[0]?.artifactLocation).toMatch(/^mlflow-artifacts:\//);
  });
});

describe("runs and logging round trip", () => {
  it("stores params, metrics, tags and dataset inputs, normalised", async () => {
    const run = await newRun("round-trip");
    expect(run.data.params).toEqual({});
    await client.logParams(run.info.runId, { lr: 0.01, layers: 3, deep: true });
    await client.logMetric(run.info.runId, "loss", 0.5, { step: 1 });
    await client.logMetrics(run.info.runId, { loss: 0.25, acc: 0.9 }, { step: 2 });
    await client.setTags(run.info.runId, { team: "vision" });
    await client.logInputs(run.info.runId, [
      {
        dataset: {
          name: "iris",
          digest: "d41d8cd9",
          sourceType: "local",
          source: JSON.stringify({ uri: "/data/iris.csv" }),
          schema: JSON.stringify({ columns: ["a"] }),
          profile: JSON.stringify({ rows: 150 }),
        },
        tags: { "mlflow.data.context": "training" },
      },
    ]);

    const stored = await client.getRun(run.info.runId);
    expect(stored.data.params).toEqual({ lr: "0.01", layers: "3", deep: "true" });
    expect(stored.data.metrics).toEqual({ loss: 0.25, acc: 0.9 });
    expect(stored.data.tags["team"]).toBe("vision");
    expect(stored.data.tags["mlflow.runName"]).toBe("round-trip");
    expect(stored.inputs.datasetInputs).toEqual([
      {
        dataset: {
          name: "iris",
          digest: "d41d8cd9",
          sourceType: "local",
          source: '{"uri":"/data/iris.csv"}',
          schema: '{"columns":["a"]}',
          profile: '{"rows":150}',
        },
        tags: { "mlflow.data.context": "training" },
      },
    ]);
    const history = await client.getMetricHistory(run.info.runId, "loss");
    expect(history.map((m) => [m.step, m.value])).toEqual([
      [1, 0.5],
      [2, 0.25],
    ]);

    await client.endRun(run.info.runId, "FINISHED");
    const ended = await client.getRun(run.info.runId);
    expect(ended.info.status).toBe("FINISHED");
    expect(ended.info.endTime).toBeGreaterThan(0);
  });

  it("splits >1000 metrics and >100 params across log-batch requests", async () => {
    const run = await newRun("split");
    const params: Record<string, number> = {};
    for (let i = 0; i < 250; i++) params[`p${i}`] = i;
    client.enqueueParams(run.info.runId, params);
    for (let step = 0; step < 2500; step++) {
      client.enqueueMetrics(
        run.info.runId,
        { loss: 1 / (step + 1) },
        { step, timestamp: 1_000 + step },
      );
    }
    await client.flush(run.info.runId);
    const stored = await client.getRun(run.info.runId);
    expect(Object.keys(stored.data.params)).toHaveLength(250);
    expect(stored.data.params["p249"]).toBe("249");
    const history = await client.getMetricHistory(run.info.runId, "loss");
    expect(history).toHaveLength(2500);
    expect(new Set(history.map((m) => m.step)).size).toBe(2500);
  });

  it("creates nested runs with mlflow.parentRunId and finds them with searchRuns", async () => {
    const parent = await newRun("parent");
    const child = await client.createRun({
      experimentId: parent.info.experimentId,
      runName: "child",
      parentRunId: parent.info.runId,
    });
    await client.logParam(child.info.runId, "fold", 1);
    const page = await client.searchRuns({
      experimentIds: [parent.info.experimentId],
      filter: `tags.mlflow.parentRunId = '${parent.info.runId}'`,
      orderBy: ["attributes.start_time DESC"],
    });
    expect(page.items.map((r) => r.info.runId)).toEqual([child.info.runId]);

    const first = await client.searchRuns({
      experimentIds: [parent.info.experimentId],
      maxResults: 1,
    });
    expect(first.items).toHaveLength(1);
    expect(first.nextPageToken).toBeDefined();
    const second = await client.searchRuns({
      experimentIds: [parent.info.experimentId],
      maxResults: 1,
      pageToken: first.nextPageToken!,
    });
    expect(second.items[0]?.info.runId).not.toBe(first.items[0]?.info.runId);
  });
});

describe("typed errors, nothing half-written", () => {
  it("maps an unknown run id to MlflowApiError RESOURCE_DOES_NOT_EXIST", async () => {
    const error = await client.getRun("0".repeat(32)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowApiError);
    expect(error).toMatchObject({ errorCode: "RESOURCE_DOES_NOT_EXIST", status: 404 });
    expect((error as MlflowApiError).endpoint).toBe("GET /api/2.0/mlflow/runs/get");

    const logError = await client.logMetric("0".repeat(32), "x", 1).catch((e: unknown) => e);
    expect(logError).toMatchObject({ errorCode: "RESOURCE_DOES_NOT_EXIST" });
  });

  it("rejects invalid names, NaN/Infinity and oversized params before sending anything", async () => {
    const run = await newRun("invalid");
    const id = run.info.runId;
    await expect(client.logMetrics(id, { good: 1, bad: NaN })).rejects.toThrow(
      MlflowValidationError,
    );
    await expect(client.logMetrics(id, { good: 1, worse: Infinity })).rejects.toThrow(/finite/);
    await expect(client.logParams(id, { fine: 1, huge: "x".repeat(6001) })).rejects.toThrow(
      MlflowValidationError,
    );
    await expect(client.setTags(id, { ok: "1", "bad/../key": "x" })).rejects.toThrow(
      MlflowValidationError,
    );
    await expect(client.getOrCreateExperiment("")).rejects.toThrow(MlflowValidationError);
    await client.flush();

    const stored = await client.getRun(id);
    expect(stored.data.metrics).toEqual({});
    expect(stored.data.params).toEqual({});
    expect(Object.keys(stored.data.tags).sort()).toEqual(["mlflow.runName"]);
  });

  it("refuses to change a logged param client-side", async () => {
    const run = await newRun("param-change");
    await client.logParams(run.info.runId, { lr: 0.1 });
    await expect(client.logParams(run.info.runId, { lr: 0.2, other: 1 })).rejects.toThrow(
      /cannot change/,
    );
    expect((await client.getRun(run.info.runId)).data.params).toEqual({ lr: "0.1" });
  });

  it("maps the server's own refusal (param changed by another client) to MlflowApiError", async () => {
    const run = await newRun("param-conflict");
    const other = new MlflowClient({ trackingUri, spoolDir: client.spoolDir });
    await other.logParam(run.info.runId, "lr", "0.1");
    const error = await client.logParam(run.info.runId, "lr", "0.2").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowApiError);
    expect(error).toMatchObject({ errorCode: "INVALID_PARAMETER_VALUE", status: 400 });
    await other.close();
  });
});
