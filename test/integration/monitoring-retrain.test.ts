// The loop issue 8 closes, end to end on real components (MLflow, LanceDB, tfjs-node, a Kiln
// server running the notebook's pipeline): a served model sees reference-like traffic (no drift),
// then a recipe change shifts the inputs and the quality; the policy's check detects the drift,
// re-runs the pipeline on the new data and promotes the new model only because it beats the
// champion on the holdout set. A retraining that produces a worse model keeps the champion.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as kiln from "@kiln/kernel-lib";
import { createApiKey } from "../../server/src/auth/api-keys";
import { startKilnServer, type KilnServer } from "../../server/src/kiln-server";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";
import { tslabNotebook } from "../support/tslab-notebook";

const work = mkdtempSync(join(tmpdir(), "kiln-retrain-"));
const lake = join(work, "lake");
const notebooks = join(work, "notebooks");
const stateDir = join(work, "state");
const adminKey = "monitoring-retrain-admin-key";
const modelName = `quality-${Date.now()}`;
const mlflow = realMlflowClient();
let server: KilnServer;
let predictKey: string;

/** Seeded standard normals (mulberry32 + Box–Muller): the same data on every run. */
function normals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

type ProcessRow = { x1: number; x2: number; x3: number; quality: number };

/**
 * Process records. Recipe "A" is what the model is trained on; recipe "B" (the change) moves
 * x1 and x2 and adds 3 to the quality for the same inputs.
 */
function processRows(recipe: "A" | "B", count: number, seed: number): ProcessRow[] {
  const normal = normals(seed);
  return Array.from({ length: count }, () => {
    const x1 = normal() + (recipe === "B" ? 1.5 : 0);
    const x2 = normal() + (recipe === "B" ? -1.5 : 0);
    const x3 = normal();
    const quality = 2 * x1 - x2 + 0.5 * x3 + (recipe === "B" ? 3 : 0) + 0.05 * normal();
    return { x1, x2, x3, quality };
  });
}

writeFileSync(
  join((mkdirSync(notebooks, { recursive: true }), notebooks), "quality.ipynb"),
  tslabNotebook([
    'import * as tf from "@tensorflow/tfjs-node";\nimport * as kiln from "@kiln/kernel-lib";',
    "// @kiln params\nconst shuffleLabels = false;",
    [
      "// @kiln step=train",
      'const rows = await kiln.data.readRows("process");',
      "const inputs = rows.map((r) => [Number(r.x1), Number(r.x2), Number(r.x3)]);",
      "const labels = rows.map((r, i) => Number(rows[shuffleLabels ? (i * 7919) % rows.length : i]!.quality));",
      "const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [3] })] });",
      'model.compile({ optimizer: tf.train.adam(0.1), loss: "meanSquaredError" });',
      "await model.fit(tf.tensor2d(inputs), tf.tensor2d(labels, [labels.length, 1]), { epochs: 60, batchSize: 64, verbose: 0 });",
      "await kiln.log.model(model, {",
      `  name: ${JSON.stringify(modelName)},`,
      "  inputSchema: { features: [",
      '    { name: "x1", dtype: "float32", min: -10, max: 10 },',
      '    { name: "x2", dtype: "float32", min: -10, max: 10 },',
      '    { name: "x3", dtype: "float32", min: -10, max: 10 },',
      "  ] },",
      "  reference: rows.map((r) => ({ x1: Number(r.x1), x2: Number(r.x2), x3: Number(r.x3) })),",
      "});",
    ].join("\n"),
  ]),
);

// Answers are read loosely: their shapes are what the assertions below check.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const call = async (method: string, path: string, key: string, body?: unknown) => {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
};

/** Sends rows to the endpoint over the v2 protocol, 25 rows per request. */
async function sendTraffic(rows: ProcessRow[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 25) {
    const chunk = rows.slice(start, start + 25);
    const answer = await call("POST", "/v2/models/quality/infer", predictKey, {
      inputs: (["x1", "x2", "x3"] as const).map((name) => ({
        name,
        shape: [chunk.length],
        datatype: "FP32",
        data: chunk.map((row) => row[name]),
      })),
    });
    expect(answer.status).toBe(200);
  }
}

async function servedVersion(): Promise<string> {
  const { body } = await call("GET", "/api/endpoints", adminKey);
  return (body.endpoints as { name: string; current: { version: string } }[]).find(
    (e) => e.name === "quality",
  )!.current.version;
}

beforeAll(async () => {
  process.env["KILN_LAKE_URI"] = lake; // the server and the pipeline's steps share this lake
  await kiln.data.ingest(processRows("A", 1000, 1), { table: "process", lake });
  predictKey = createApiKey(join(stateDir, "keys.json"), "predict").key;
  server = await startKilnServer({
    stateDir,
    notebooksRoot: notebooks,
    trackingUri: realMlflowUri(),
    sessionAdminKey: adminKey,
  });
  const started = await call("POST", "/api/pipelines/runs", adminKey, {
    notebook: "quality.ipynb",
  });
  expect(started.status).toBe(202);
  const runId = started.body.runId as string;
  for (let i = 0; i < 240; i += 1) {
    const run = await call("GET", `/api/pipelines/runs/${runId}`, adminKey);
    if (run.status === 200 && run.body.status !== "running") {
      expect(run.body).toMatchObject({ status: "succeeded" });
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const promoted = await call("POST", "/api/endpoints/quality/promote", adminKey, {
    model: modelName,
    version: "1",
  });
  expect(promoted.status).toBe(200);
}, 300_000);

afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("a drift policy that retrains", () => {
  it("refuses a malformed policy and answers a check without traffic with nothing to act on", async () => {
    const bad = await call("PUT", "/api/endpoints/quality/policy", adminKey, {
      conditions: [{ metric: "dataset_drift" }],
      actions: [{ type: "retrain" }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_POLICY");
    expect(bad.body.error.message).toMatch(/retrain: a retrain action or retrainSchedule needs/);

    const set = await call("PUT", "/api/endpoints/quality/policy", adminKey, {
      window: 300,
      conditions: [{ metric: "dataset_drift" }],
      actions: [{ type: "alert" }, { type: "retrain" }],
      retrain: { holdout: { table: "process_holdout", label: "quality" }, metric: "mae" },
    });
    expect(set.status).toBe(200);

    const empty = await call("POST", "/api/endpoints/quality/check?wait=true", adminKey);
    expect(empty.status).toBe(200);
    expect(empty.body.conditions).toEqual([
      expect.objectContaining({
        holds: false,
        summary: expect.stringMatching(/not evaluated \(no predictions/),
      }),
    ]);
  });

  it("sees no drift in reference-like traffic and takes no action", async () => {
    await sendTraffic(processRows("A", 300, 2));
    const check = await call("POST", "/api/endpoints/quality/check?wait=true", adminKey);
    expect(check.status).toBe(200);
    expect(check.body.snapshot.rows).toBe(300);
    expect(check.body.conditions[0].holds).toBe(false);
    expect(check.body.actions.map((a: { kind: string }) => a.kind)).toEqual(["check"]);
    expect(await servedVersion()).toBe("1");
  });

  it("detects the recipe change, retrains on the new data and promotes the better model", async () => {
    await kiln.data.ingest(processRows("B", 1000, 3), {
      table: "process",
      lake,
      mode: "overwrite",
    });
    await kiln.data.ingest(processRows("B", 300, 4), {
      table: "process_holdout",
      lake,
    });
    await sendTraffic(processRows("B", 300, 5));
    const check = await call("POST", "/api/endpoints/quality/check?wait=true", adminKey);
    expect(check.status).toBe(200);
    expect(check.body.snapshot.drift.value).toMatchObject({
      datasetDrift: true,
      drifted: expect.arrayContaining(["x1", "x2"]),
    });
    expect(check.body.actions.map((a: { kind: string }) => a.kind)).toEqual([
      "check",
      "alert",
      "retrain",
    ]);
    const outcome = check.body.actions[2].details;
    expect(outcome).toMatchObject({
      decision: "promoted",
      metric: "mae",
      champion: { version: "1" },
      candidate: { version: "2" },
      alias: "champion",
    });
    // The champion learnt recipe A: about 3 off on recipe B; the new model fits it.
    expect(outcome.champion.score).toBeGreaterThan(1.5);
    expect(outcome.candidate.score).toBeLessThan(0.5);
    expect(await servedVersion()).toBe("2");
    expect((await mlflow.getModelVersionByAlias(modelName, "champion")).version).toBe("2");
  });

  it("keeps the champion when the retrained model is worse, and marks the new one challenger", async () => {
    const set = await call("PUT", "/api/endpoints/quality/policy", adminKey, {
      window: 300,
      conditions: [{ metric: "dataset_drift" }],
      actions: [{ type: "alert" }, { type: "retrain" }],
      retrain: {
        holdout: { table: "process_holdout", label: "quality" },
        metric: "mae",
        params: { shuffleLabels: true },
      },
    });
    expect(set.status).toBe(200);
    const retrain = await call("POST", "/api/endpoints/quality/retrain?wait=true", adminKey);
    expect(retrain.status).toBe(200);
    expect(retrain.body.details).toMatchObject({
      decision: "kept-champion",
      champion: { version: "2" },
      candidate: { version: "3" },
      alias: "challenger",
    });
    expect(retrain.body.details.candidate.score).toBeGreaterThan(
      retrain.body.details.champion.score,
    );
    expect(await servedVersion()).toBe("2");
    expect((await mlflow.getModelVersionByAlias(modelName, "challenger")).version).toBe("3");

    const { body } = await call("GET", "/api/endpoints/quality/actions", adminKey);
    expect(body.actions.map((a: { kind: string }) => a.kind)).toEqual([
      "alert", // the new model did not beat the champion
      "retrain",
      "retrain",
      "alert",
      "check",
      "check",
      "check",
    ]);
  });

  it("shows the last check in the endpoint list and renders the report, in HTML and in a notebook", async () => {
    const listed = await call("GET", "/api/endpoints", adminKey);
    const endpoint = (listed.body.endpoints as Json[]).find((e) => e.name === "quality")!;
    expect(endpoint.monitoring).toMatchObject({
      policy: true,
      lastCheck: { rows: 300, drift: { datasetDrift: true }, held: [expect.any(String)] },
    });

    const data = await call("GET", "/api/endpoints/quality/report.json", adminKey);
    expect(data.status).toBe(200);
    expect(data.body).toMatchObject({
      endpoint: "quality",
      model: { name: modelName, version: "2" },
      window: { rows: 300 },
      // Against version 2, trained on the new recipe, the same traffic no longer drifts.
      drift: { datasetDrift: false },
      dq: { unavailable: expect.stringMatching(/no data-quality suite/) },
      usage: { days: expect.any(Array) },
    });
    expect(Object.keys(data.body.drift.distributions).sort()).toEqual(["x1", "x2", "x3"]);
    expect(data.body.actions[0]).toMatchObject({ kind: "alert" });

    const page = await fetch(`${server.url}/api/endpoints/quality/report`, {
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toMatch(/<svg/);
    expect(html).toContain("kept-champion");

    const inline = await kiln.report(
      { endpoint: "quality", serverUrl: server.url, key: adminKey },
      { display: false },
    );
    expect(inline).toContain("x1");
    expect((await call("GET", "/api/endpoints/nowhere/report.json", adminKey)).status).toBe(404);
  });

  it("measures a time window with a chosen drift method (PSI on demand)", async () => {
    const set = await call("PUT", "/api/endpoints/quality/policy", adminKey, {
      window: "1h",
      conditions: [{ metric: "drift_share", above: 0.9 }],
      actions: [{ type: "alert" }],
      drift: { method: "psi", threshold: 0.2 },
    });
    expect(set.status).toBe(200);
    const check = await call("POST", "/api/endpoints/quality/check?wait=true", adminKey);
    // Every row of the last hour: the reference-like traffic and the recipe change's.
    expect(check.body.snapshot.rows).toBe(600);
    expect(check.body.snapshot.drift.value.share).toBeGreaterThan(0);
  });
});
