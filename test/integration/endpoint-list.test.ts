// What the admin API's endpoint list tells the JupyterLab extension's endpoints view: the served
// model's inputs and fallback, the rows it scored since the server started, and the pipeline
// version it is bound to, which follows the served version through a rollback. Real MLflow,
// real bundles, a real Kiln server over HTTP.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayersModel } from "@tensorflow/tfjs";
import { log } from "../../kernel-lib/src/pipeline/runtime/log";
import { loadTensorflow, type Tensorflow } from "../../kernel-lib/src/tf/backend";
import { createApiKey } from "../../server/src/auth/api-keys";
import { startKilnServer, type KilnServer } from "../../server/src/kiln-server";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";

const mlflow = realMlflowClient();
const modelName = `listed-${Date.now()}`;
const plainModelName = `${modelName}-plain`;
const adminKey = "kiln_session_admin_key_for_endpoint_list_tests";
let predictKey: string;
let tf: Tensorflow;
let stateDir: string;
let server: KilnServer;

type Listed = {
  name: string;
  current: { version: string; pipeline?: unknown };
  previous?: { version: string };
  pipeline?: { name: string; version: string };
  batching?: unknown;
  serving: boolean;
  inputs: { name: string; datatype: string; required: boolean; min?: number; max?: number }[];
  fallback: { features: string[] } | null;
  usage: { predictions: number; fallbackPredictions: number; since: string };
};

function linear(inputs: number): LayersModel {
  return tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [inputs] })] });
}

// A version as a pipeline run registers it: lineage tags name the pipeline version.
async function logVersion(
  pipelineVersion: string,
  { name = modelName, withFallback = true } = {},
): Promise<string> {
  const logged = await log.model(linear(2), {
    name,
    inputSchema: {
      features: [
        { name: "vibration", dtype: "float32", min: 0, max: 10 },
        { name: "temperature", dtype: "float32", min: -40, max: 120 },
      ],
    },
    ...(withFallback ? { fallback: { model: linear(1), features: ["vibration"] } } : {}),
  });
  const version = logged.version!;
  await mlflow.setModelVersionTag(name, version, "kiln.pipeline", "drill");
  await mlflow.setModelVersionTag(name, version, "kiln.pipeline.version", pipelineVersion);
  return version;
}

const call = (path: string, key: string, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const listed = async (name = "drill"): Promise<Listed | undefined> =>
  (
    (await (await call("/api/endpoints", adminKey)).json()) as { endpoints: Listed[] }
  ).endpoints.find((endpoint) => endpoint.name === name);

beforeAll(async () => {
  process.env["MLFLOW_TRACKING_URI"] = realMlflowUri();
  process.env["KILN_EXPERIMENT"] = "endpoint-list-test";
  ({ tf } = await loadTensorflow());
  stateDir = await mkdtemp(join(tmpdir(), "kiln-endpoint-list-"));
  predictKey = createApiKey(join(stateDir, "keys.json"), "predict").key;
  expect(await logVersion("v1")).toBe("1");
  server = await startKilnServer({
    stateDir,
    trackingUri: realMlflowUri(),
    sessionAdminKey: adminKey,
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await log.flush();
  await rm(stateDir, { recursive: true, force: true });
});

describe("GET /api/endpoints", () => {
  it("lists the served model's inputs with their ranges, and its fallback's features", async () => {
    const promoted = await call("/api/endpoints/drill/promote", adminKey, {
      model: modelName,
      version: "1",
    });
    expect(promoted.status).toBe(200);
    expect(await listed()).toMatchObject({
      name: "drill",
      current: { version: "1", pipeline: { name: "drill", version: "v1" } },
      pipeline: { name: "drill", version: "v1" },
      serving: true,
      inputs: [
        { name: "vibration", datatype: "FP32", min: 0, max: 10 },
        { name: "temperature", datatype: "FP32", min: -40, max: 120 },
      ],
      fallback: { features: ["vibration"] },
    });
  });

  it("counts the rows each endpoint scored, and those the fallback answered", async () => {
    const before = (await listed())!.usage;
    expect(before).toMatchObject({ predictions: 0, fallbackPredictions: 0 });
    const infer = await call("/v2/models/drill/infer", predictKey, {
      inputs: [
        { name: "vibration", shape: [3], datatype: "FP32", data: [1, 2, 3] },
        // A dead temperature sensor: the fallback answers that row from vibration alone.
        { name: "temperature", shape: [3], datatype: "FP32", data: [20, null, 22] },
      ],
    });
    expect(infer.status).toBe(200);
    const after = (await listed())!.usage;
    expect(after).toEqual({ predictions: 3, fallbackPredictions: 1, since: before.since });
    expect(Date.parse(after.since)).not.toBeNaN();
  });

  it("says a model without a fallback has none", async () => {
    expect(await logVersion("v1", { name: plainModelName, withFallback: false })).toBe("1");
    const promoted = await call("/api/endpoints/plain/promote", adminKey, {
      model: plainModelName,
    });
    expect(promoted.status).toBe(200);
    expect(await listed("plain")).toMatchObject({ serving: true, fallback: null });
  });
});

describe("POST /api/endpoints/{name}/rollback", () => {
  it("binds the endpoint back to the pipeline version of the version it serves again, keeping its batching", async () => {
    // Logged only now: a notebook's versions of one model share its run's artifact folder, so
    // version 1 must be downloaded (promoted) before version 2 replaces its files.
    expect(await logVersion("v2")).toBe("2");
    const promoted = await call("/api/endpoints/drill/promote", adminKey, {
      model: modelName,
      version: "2",
      batching: { maxBatchSize: 8, maxWaitMs: 1 },
    });
    expect(promoted.status).toBe(200);
    expect(await listed()).toMatchObject({
      current: { version: "2" },
      previous: { version: "1" },
      pipeline: { name: "drill", version: "v2" },
    });
    const rolledBack = await call("/api/endpoints/drill/rollback", adminKey, {});
    expect(rolledBack.status).toBe(200);
    expect(await rolledBack.json()).toMatchObject({
      current: { version: "1" },
      pipeline: { name: "drill", version: "v1" },
      batching: { maxBatchSize: 8, maxWaitMs: 1 },
    });
    expect(await listed()).toMatchObject({
      current: { version: "1" },
      previous: { version: "2" },
      pipeline: { name: "drill", version: "v1" },
      batching: { maxBatchSize: 8, maxWaitMs: 1 },
      fallback: { features: ["vibration"] },
    });
  });
});
