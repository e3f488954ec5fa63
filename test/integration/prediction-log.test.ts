// The prediction log end to end, with real components: a regression model (with a fallback) and
// an autoencoder are trained here, logged with kiln.log.model into a real MLflow server, promoted
// onto a real Kiln server and served over the Open Inference Protocol v2 (row tensors and the
// matrix path) and MLflow invocations. The log's LanceDB tables are read back with the public
// kiln.data API; they survive a restart and keep growing; labels posted as feedback give
// performance; usage counts every request.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayersModel } from "@tensorflow/tfjs";
import { data } from "../../kernel-lib/src/data";
import { log } from "../../kernel-lib/src/pipeline/runtime/log";
import { loadTensorflow, type Tensorflow } from "../../kernel-lib/src/tf/backend";
import { createApiKey } from "../../server/src/auth/api-keys";
import { startKilnServer, type KilnServer } from "../../server/src/kiln-server";
import { realMlflowUri } from "../support/real-mlflow";

const modelName = `logged-drill-${Date.now()}`;
const autoencoderName = `${modelName}-ae`;
const adminKey = "kiln_session_admin_key_for_prediction_log_tests";
let predictKey: string;
let tf: Tensorflow;
let stateDir: string;
let server: KilnServer;
let main: LayersModel;
let autoencoder: LayersModel;

const features = ["vibration", "temperature", "spindle_load"];
const schema = {
  features: features.map((name) => ({ name, dtype: "float32" as const, min: 0, max: 10 })),
};

type Row = Record<string, unknown>;
const lake = () => join(stateDir, "lake");
const readRows = async (table: string) =>
  (await data.readRows(table, { lake: lake(), lineage: false })) as Row[];

async function train(units: number, inputs: number): Promise<LayersModel> {
  const model = tf.sequential({ layers: [tf.layers.dense({ units, inputShape: [inputs] })] });
  model.compile({ optimizer: tf.train.adam(0.1), loss: "meanSquaredError" });
  const rows = Array.from({ length: 64 }, (_, i) => [i % 10, (i * 7) % 10, (i * 3) % 10]);
  const x = tf.tensor2d(rows.map((r) => r.slice(0, inputs)));
  const y =
    units === inputs ? x : tf.tensor2d(rows.map(([v, t, s]) => [0.5 * v! + 0.3 * t! + 0.2 * s!]));
  await model.fit(x, y, { epochs: 20, verbose: 0 });
  return model;
}

const predict = (model: LayersModel, rows: number[][]) =>
  Array.from((model.predict(tf.tensor2d(rows)) as ReturnType<typeof tf.tensor2d>).dataSync());

const call = (
  path: string,
  {
    body,
    key = predictKey,
    method,
    headers = {},
  }: { body?: unknown; key?: string; method?: string; headers?: Record<string, string> } = {},
) =>
  fetch(`${server.url}${path}`, {
    method: method ?? (body === undefined ? "GET" : "POST"),
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const start = () =>
  startKilnServer({
    stateDir,
    trackingUri: realMlflowUri(),
    sessionAdminKey: adminKey,
    predictionLog: { flushIntervalMs: 100 },
  });

/** Waits until `table` holds `rows` rows (the log writes every 100 ms here). */
async function rowsOf(table: string, rows: number): Promise<Row[]> {
  let found: Row[] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    found = await readRows(table).catch(() => []);
    if (found.length >= rows) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return found;
}

// The autoencoder's training reference: its reconstruction errors are the live errors' baseline.
const trainingRows = Array.from({ length: 40 }, (_, i) => [i % 10, (i * 3) % 10, (i * 7) % 10]);

const sent: { requestId: string; rows: number[][]; fallback: boolean[]; protocol: string }[] = [];

beforeAll(async () => {
  process.env["MLFLOW_TRACKING_URI"] = realMlflowUri();
  process.env["KILN_EXPERIMENT"] = "prediction-log-test";
  ({ tf } = await loadTensorflow());
  stateDir = await mkdtemp(join(tmpdir(), "kiln-prediction-log-"));
  predictKey = createApiKey(join(stateDir, "keys.json"), "predict").key;
  main = await train(1, 3);
  const logged = await log.model(main, {
    name: modelName,
    inputSchema: schema,
    fallback: { model: await train(1, 2), features: ["vibration", "temperature"] },
  });
  expect(logged.version).toBe("1");
  autoencoder = await train(3, 3);
  await log.model(autoencoder, {
    name: autoencoderName,
    inputSchema: schema,
    task: "anomaly",
    reference: trainingRows.map((row) => Object.fromEntries(features.map((f, j) => [f, row[j]!]))),
  });
  server = await start();
  for (const [endpoint, model] of [
    ["drill", modelName],
    ["ae", autoencoderName],
  ]) {
    const promoted = await call(`/api/endpoints/${endpoint}/promote`, {
      key: adminKey,
      body: { model, version: "1" },
    });
    expect(promoted.status).toBe(200);
  }
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await log.flush();
  await rm(stateDir, { recursive: true, force: true });
});

describe("logging served predictions", () => {
  it("logs every row of both protocols with inputs, outputs, version, fallback and request id", async () => {
    // OIP v2, one tensor per feature (row objects).
    const v2Rows = [
      [1, 2, 3],
      [9, 0, 4],
    ];
    const v2 = await call("/v2/models/drill/infer", {
      body: {
        inputs: features.map((name, j) => ({
          name,
          shape: [2],
          datatype: "FP32",
          data: v2Rows.map((r) => r[j]),
        })),
      },
    });
    expect(v2.status).toBe(200);
    const v2Id = v2.headers.get("x-request-id")!;
    expect(v2Id).toMatch(/^[0-9a-f-]{36}$/);
    sent.push({ requestId: v2Id, rows: v2Rows, fallback: [false, false], protocol: "v2" });

    // OIP v2, one [batch, features] tensor: the matrix path, with the client's request id.
    const matrixRows = [
      [2, 2, 2],
      [5, 1, 7],
      [3, 8, 1],
    ];
    const matrix = await call("/v2/models/drill/infer", {
      headers: { "x-request-id": "matrix-req-1" },
      body: {
        inputs: [{ name: "input", shape: [3, 3], datatype: "FP32", data: matrixRows.flat() }],
      },
    });
    expect(matrix.status).toBe(200);
    expect(matrix.headers.get("x-request-id")).toBe("matrix-req-1");
    sent.push({
      requestId: "matrix-req-1",
      rows: matrixRows,
      fallback: [false, false, false],
      protocol: "v2",
    });

    // MLflow invocations: the second row's spindle_load sensor is dead, so the fallback answers.
    const mlflow = await call("/endpoints/drill/invocations", {
      headers: { "x-request-id": "mlflow-req-1" },
      body: {
        dataframe_records: [
          { vibration: 4, temperature: 4, spindle_load: 4 },
          { vibration: 6, temperature: 3 },
        ],
      },
    });
    expect(mlflow.status).toBe(200);
    expect(mlflow.headers.get("x-request-id")).toBe("mlflow-req-1");
    const answer = (await mlflow.json()) as {
      predictions: number[];
      kiln: { fallback: boolean[] };
    };
    expect(answer.kiln.fallback).toEqual([false, true]);
    sent.push({
      requestId: "mlflow-req-1",
      rows: [
        [4, 4, 4],
        [6, 3, NaN],
      ],
      fallback: [false, true],
      protocol: "mlflow",
    });

    // A bad request: counted in usage and errors, no rows.
    const bad = await call("/endpoints/drill/invocations", {
      body: { dataframe_records: [{ vibration: "x" }] },
    });
    expect(bad.status).toBe(400);

    const logged = await rowsOf("predictions__drill", 7);
    expect(logged).toHaveLength(7);
    for (const request of sent) {
      const rows = logged.filter((r) => r["request_id"] === request.requestId);
      expect(rows.map((r) => r["row"])).toEqual(request.rows.map((_, i) => i));
      const modelRows = request.rows.filter((_, i) => !request.fallback[i]);
      const expected = predict(main, modelRows);
      rows.forEach((row, i) => {
        expect(row).toMatchObject({
          endpoint: "drill",
          model_name: modelName,
          model_version: "1",
          protocol: request.protocol,
          fallback: request.fallback[i],
        });
        expect(row["latency_ms"]).toBeGreaterThan(0);
        expect(Math.abs(Date.now() - (row["ts"] as number))).toBeLessThan(60_000);
        features.forEach((feature, j) => {
          const value = request.rows[i]![j]!;
          expect(row[`input_${feature}`]).toBe(Number.isNaN(value) ? null : value);
        });
        if (!request.fallback[i]) expect(row["output_0"] as number).toBeCloseTo(expected[i]!, 4);
      });
    }
    // The fallback row's answer is logged as it was served.
    const fallbackRow = logged.find((r) => r["request_id"] === "mlflow-req-1" && r["row"] === 1)!;
    expect(fallbackRow["output_0"] as number).toBeCloseTo(answer.predictions[1]!, 4);

    const requests = await rowsOf("requests__drill", 4);
    expect(requests.map((r) => [r["status"], r["rows"], r["fallback_rows"], r["row_log"]])).toEqual(
      [
        [200, 2, 0, "logged"],
        [200, 3, 0, "logged"],
        [200, 2, 1, "logged"],
        [400, 0, 0, "none"],
      ],
    );
  });

  it("keeps the log across a restart (queued rows written on stop), and appends to it", async () => {
    const before = (await readRows("predictions__drill")).length;
    const response = await call("/endpoints/drill/invocations", {
      headers: { "x-request-id": "just-before-stop" },
      body: { dataframe_records: [{ vibration: 1, temperature: 1, spindle_load: 1 }] },
    });
    expect(response.status).toBe(200);
    // Stopped at once: the row is still queued, and stop writes it.
    await server.stop();
    const afterStop = await readRows("predictions__drill");
    expect(afterStop.map((r) => r["request_id"])).toContain("just-before-stop");
    expect(afterStop).toHaveLength(before + 1);

    server = await start();
    const again = await call("/endpoints/drill/invocations", {
      headers: { "x-request-id": "after-restart" },
      body: { dataframe_records: [{ vibration: 2, temperature: 2, spindle_load: 2 }] },
    });
    expect(again.status).toBe(200);
    const rows = await rowsOf("predictions__drill", before + 2);
    expect(rows.slice(0, before + 1)).toEqual(afterStop);
    expect(rows.at(-1)).toMatchObject({ request_id: "after-restart", model_version: "1" });
  });

  it("logs only sampled requests after the sample rate is lowered, and still counts them all", async () => {
    const set = await call("/api/endpoints/drill/prediction-log", {
      key: adminKey,
      method: "PUT",
      body: { sampleRate: 0 },
    });
    expect(await set.json()).toMatchObject({ sampleRate: 0, sampleRateSource: "endpoint" });
    const before = (await readRows("predictions__drill")).length;
    await call("/endpoints/drill/invocations", {
      headers: { "x-request-id": "sampled-out-1" },
      body: { dataframe_records: [{ vibration: 3, temperature: 3, spindle_load: 3 }] },
    });
    const requests = await rowsOf("requests__drill", 7);
    expect(requests.at(-1)).toMatchObject({ request_id: "sampled-out-1", row_log: "sampled-out" });
    expect(await readRows("predictions__drill")).toHaveLength(before);
    await call("/api/endpoints/drill/prediction-log", {
      key: adminKey,
      method: "PUT",
      body: { sampleRate: null },
    });
  });
});

describe("feedback and performance", () => {
  const labelsOf = () =>
    sent.flatMap((request) =>
      request.rows.map((row, i) => ({
        request_id: request.requestId,
        row: i,
        // The true value of the relation the model learned, plus 0.5.
        label: 0.5 * row[0]! + 0.3 * row[1]! + 0.2 * (Number.isNaN(row[2]!) ? 0 : row[2]!) + 0.5,
      })),
    );

  it("refuses unknown and sampled-out ids, naming them, and stores nothing", async () => {
    const refused = await call("/endpoints/drill/feedback", {
      body: {
        labels: [
          ...labelsOf(),
          { request_id: "sampled-out-1", row: 0, label: 1 },
          { request_id: "no-such-request", row: 0, label: 1 },
        ],
      },
    });
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as {
      error: { code: string; unknown: { request_id: string; reason: string }[] };
    };
    expect(error.code).toBe("UNKNOWN_PREDICTIONS");
    expect(error.unknown.map((u) => u.request_id)).toEqual(["sampled-out-1", "no-such-request"]);
    expect(error.unknown[0]!.reason).toMatch(/sampled out/);
    const report = (await (
      await call("/api/endpoints/drill/performance", { key: adminKey })
    ).json()) as { rows: number };
    expect(report.rows).toBe(0);
  });

  it("stores good labels, and computes MAE and RMSE against the logged predictions", async () => {
    const labels = labelsOf();
    const stored = await call("/endpoints/drill/feedback", { body: { labels } });
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({
      endpoint: "drill",
      accepted: 7,
      table: "feedback__drill",
    });

    const logged = await readRows("predictions__drill");
    const errors = labels.map((l) => {
      const row = logged.find((r) => r["request_id"] === l.request_id && r["row"] === l.row)!;
      return (row["output_0"] as number) - l.label;
    });
    const response = await call("/api/endpoints/drill/performance?task=regression&window=1d", {
      key: adminKey,
    });
    expect(response.status).toBe(200);
    const report = (await response.json()) as {
      rows: number;
      metrics: { mae: number; rmse: number };
      chunks: { rows: number; alert: boolean }[];
    };
    expect(report.rows).toBe(7);
    expect(report.metrics.mae).toBeCloseTo(errors.reduce((s, e) => s + Math.abs(e), 0) / 7, 6);
    expect(report.metrics.rmse).toBeCloseTo(
      Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / 7),
      6,
    );
    expect(report.chunks.reduce((n, c) => n + c.rows, 0)).toBe(7);
    expect((await call("/api/endpoints/drill/performance")).status).toBe(403);
  });

  it("measures the autoencoder's reconstruction errors without labels", async () => {
    const rows = [
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ];
    const response = await call("/v2/models/ae/infer", {
      body: { inputs: [{ name: "input", shape: [3, 3], datatype: "FP32", data: rows.flat() }] },
    });
    expect(response.status).toBe(200);
    const outputs = predict(autoencoder, rows);
    const errors = rows.map(
      (row, i) => row.reduce((s, v, j) => s + (v - outputs[i * 3 + j]!) ** 2, 0) / 3,
    );
    const report = (await (
      await call("/api/endpoints/ae/performance", { key: adminKey })
    ).json()) as {
      task: string;
      rows: number;
      metrics: { reconstruction_mse: number; p50: number };
      baseline: { source: string; rows: number; reconstruction_mse: number };
    };
    expect(report.task).toBe("anomaly"); // declared by the bundle
    expect(report.rows).toBe(3);
    const trainingOutputs = predict(autoencoder, trainingRows);
    const trainingErrors = trainingRows.map(
      (row, i) => row.reduce((s, v, j) => s + (v - trainingOutputs[i * 3 + j]!) ** 2, 0) / 3,
    );
    expect(report.baseline).toMatchObject({ source: "training", rows: 40 });
    expect(report.baseline.reconstruction_mse).toBeCloseTo(
      trainingErrors.reduce((a, b) => a + b, 0) / 40,
      3,
    );
    expect(report.metrics.reconstruction_mse).toBeCloseTo(errors.reduce((a, b) => a + b, 0) / 3, 3);
    expect(report.metrics.p50).toBeCloseTo([...errors].sort((a, b) => a - b)[1]!, 3);
  });
});

describe("usage", () => {
  it("counts requests, errors, latency and fallbacks per day and version, and exposes counters in /metrics", async () => {
    const response = await call("/api/endpoints/drill/usage?days=2", { key: adminKey });
    expect(response.status).toBe(200);
    const usage = (await response.json()) as {
      daily: { requests: number }[];
      total: {
        requests: number;
        rows: number;
        errors: Record<string, number>;
        latencyMs: { p50: number; p99: number };
        fallbackRate: number;
        versions: Record<string, { requests: number }>;
      };
    };
    // 3 logged requests, 1 bad one, 2 around the restart, 1 sampled out.
    expect(usage.total).toMatchObject({ requests: 7, rows: 10, errors: { "4xx": 1, "5xx": 0 } });
    expect(usage.total.fallbackRate).toBeCloseTo(1 / 10, 12);
    expect(usage.total.versions["1"]!.requests).toBe(7);
    expect(usage.total.latencyMs.p50).toBeGreaterThan(0);
    expect(usage.total.latencyMs.p99).toBeGreaterThanOrEqual(usage.total.latencyMs.p50);
    expect(usage.daily).toHaveLength(2);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      /kiln_prediction_log_written_total\{endpoint="drill",table="predictions"\} \d+/,
    );
    expect(metrics).toContain("# TYPE kiln_prediction_log_dropped_total counter");
    expect(metrics).toMatch(/kiln_prediction_log_queued\{kind="rows"\} \d+/);
  });
});
