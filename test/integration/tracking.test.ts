// What Kiln's tracking client writes is exactly what MLflow stores: read back through MLflow's
// REST API and through the Python `mlflow` client, as a real MLflow user would see it.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MlflowClient, startRun, type ActiveRun } from "@kiln/kernel-lib";
import { realMlflowUri } from "../support/real-mlflow";

const root = join(__dirname, "..", "..");
const mlflow = realMlflowUri();
const work = mkdtempSync(join(tmpdir(), "kiln-tracking-"));
const modelName = `drill-anomaly-${Date.now()}`;

const params = Object.fromEntries(
  Array.from({ length: 150 }, (_, i) => [`param_${i}`, `value ${i}`]),
);
const tags = { team: "fab-3", "data.version": "raw-2026-11-01" };
const steps = 5_000; // two keys: 10,000 metric points
const loss = (step: number) => 1 / (step + 1);
const accuracy = (step: number) => step / steps;
const artifactFiles: Record<string, Buffer> = {
  "model/model.json": Buffer.from(JSON.stringify({ format: "layers-model" })),
  "model/weights.bin": Buffer.from(Float32Array.from({ length: 4096 }, (_, i) => i / 7).buffer),
  "model/schema/input.json": Buffer.from('{"features":["t1","p1"]}'),
};
const dataset = {
  name: "drill-sensors",
  digest: "3f2a9c1d",
  sourceType: "lancedb",
  source: "file:///data/lake/drill_sensors?version=7",
};

async function api<T>(path: string): Promise<T> {
  const response = await fetch(`${mlflow}/api/2.0/mlflow/${path}`);
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

let client: MlflowClient;
let run: ActiveRun;
let child: ActiveRun;
let registeredVersion: string;

beforeAll(async () => {
  client = new MlflowClient({ trackingUri: mlflow, spoolDir: join(work, "spool") });
  run = await startRun({ experiment: "kiln-tracking-integration", client, tags, runName: "train" });
  run.logParams(params);
  for (let step = 0; step < steps; step++) {
    run.logMetrics({ loss: loss(step), accuracy: accuracy(step) }, step);
  }
  run.logInputs({ dataset, tags: { "mlflow.data.context": "training" } });
  child = await run.startChild("prepare");
  child.logMetric("rows", 12_345);
  await child.end();

  const modelDir = join(work, "model-out");
  for (const [path, content] of Object.entries(artifactFiles)) {
    mkdirSync(join(modelDir, path, ".."), { recursive: true });
    writeFileSync(join(modelDir, path), content);
  }
  await run.logArtifacts(join(modelDir, "model"), "model");
  await run.end();

  await client.createRegisteredModel({ name: modelName });
  const version = await client.createModelVersion({
    name: modelName,
    source: `${run.info.artifactUri}/model`,
    runId: run.id,
  });
  registeredVersion = version.version;
  await client.setAlias(modelName, "champion", version.version);
}, 180_000);

afterAll(async () => {
  await client.close();
  rmSync(work, { recursive: true, force: true });
});

describe("a run written by Kiln, read through MLflow's REST API", () => {
  it("has every param, tag and the finished status", async () => {
    const { run: stored } = await api<{
      run: {
        info: { status: string; end_time?: number };
        data: {
          params?: { key: string; value: string }[];
          tags?: { key: string; value: string }[];
        };
      };
    }>(`runs/get?run_id=${run.id}`);
    expect(stored.info.status).toBe("FINISHED");
    expect(stored.info.end_time).toBeGreaterThan(0);
    expect(Object.fromEntries(stored.data.params!.map((p) => [p.key, p.value]))).toEqual(params);
    expect(Object.fromEntries(stored.data.tags!.map((t) => [t.key, t.value]))).toMatchObject(tags);
  });

  it("has all 10,000 metric points, each once, with their exact values", async () => {
    for (const [key, expected] of [
      ["loss", loss],
      ["accuracy", accuracy],
    ] as const) {
      const { metrics } = await api<{ metrics: { step: number; value: number }[] }>(
        `metrics/get-history?run_id=${run.id}&metric_key=${key}&max_results=25000`,
      );
      expect(metrics).toHaveLength(steps);
      const byStep = [...metrics].sort((a, b) => a.step - b.step);
      expect(byStep.map((m) => m.step)).toEqual([...Array(steps).keys()]);
      expect(byStep.every((m) => m.value === expected(m.step))).toBe(true);
    }
  });

  it("nests the child run under its parent", async () => {
    const { run: stored } = await api<{
      run: { data: { tags: { key: string; value: string }[] } };
    }>(`runs/get?run_id=${child.id}`);
    expect(stored.data.tags).toContainEqual({ key: "mlflow.parentRunId", value: run.id });
  });

  it("records the dataset input", async () => {
    const { run: stored } = await api<{
      run: { inputs: { dataset_inputs: { dataset: Record<string, string> }[] } };
    }>(`runs/get?run_id=${run.id}`);
    expect(stored.inputs.dataset_inputs[0]!.dataset).toMatchObject({
      name: dataset.name,
      digest: dataset.digest,
      source_type: dataset.sourceType,
      source: dataset.source,
    });
  });

  it("serves the directory artifact byte for byte through the artifact proxy", async () => {
    const [, experimentAndRun] = /^mlflow-artifacts:\/(.*)$/.exec(run.info.artifactUri)!;
    for (const [path, content] of Object.entries(artifactFiles)) {
      const response = await fetch(
        `${mlflow}/api/2.0/mlflow-artifacts/artifacts/${experimentAndRun}/${path}`,
      );
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(content)).toBe(true);
    }
  });

  it("registers a model version from the run with alias champion", async () => {
    const { model_version } = await api<{
      model_version: { run_id: string; source: string; status: string; aliases?: string[] };
    }>(`registered-models/alias?name=${modelName}&alias=champion`);
    expect(model_version).toMatchObject({
      run_id: run.id,
      source: `${run.info.artifactUri}/model`,
      status: "READY",
      aliases: ["champion"],
    });
  });

  it("reads back the artifacts and the model through Kiln's own client too", async () => {
    const out = join(work, "download");
    await client.downloadArtifacts(run.id, "model", out);
    const listing = await client.listArtifacts(run.id, "model");
    expect(listing.map((e) => e.path).sort()).toEqual([
      "model/model.json",
      "model/schema",
      "model/weights.bin",
    ]);
    const version = await client.getModelVersionByAlias(modelName, "champion");
    expect(version.runId).toBe(run.id);
  });
});

describe("the same run read by the Python mlflow client", () => {
  it("sees exactly what Kiln wrote", async () => {
    const { stdout } = await promisify(execFile)(
      join(root, ".venv", "bin", "python"),
      [join(__dirname, "read_run.py"), mlflow, run.id, modelName, "champion"],
      { maxBuffer: 64 << 20 },
    );
    const seen = JSON.parse(stdout) as {
      status: string;
      params: Record<string, string>;
      tags: Record<string, string>;
      metrics: Record<string, [number, number][]>;
      datasets: { name: string; digest: string; source: string }[];
      artifacts: { path: string; size: number }[];
      model_version: { run_id: string; source: string; aliases: string[] };
    };
    expect(seen.status).toBe("FINISHED");
    expect(seen.params).toEqual(params);
    expect(seen.tags).toEqual(tags);
    expect(seen.metrics.loss).toEqual([...Array(steps).keys()].map((s) => [s, loss(s)]));
    expect(seen.metrics.accuracy).toEqual([...Array(steps).keys()].map((s) => [s, accuracy(s)]));
    expect(seen.datasets).toEqual([
      { name: dataset.name, digest: dataset.digest, source: dataset.source },
    ]);
    expect(seen.artifacts.sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      Object.entries(artifactFiles)
        .map(([path, content]) => ({ path, size: content.length }))
        .sort((a, b) => a.path.localeCompare(b.path)),
    );
    expect(seen.model_version).toEqual({
      version: registeredVersion,
      run_id: run.id,
      source: `${run.info.artifactUri}/model`,
      aliases: ["champion"],
    });
  });
});
