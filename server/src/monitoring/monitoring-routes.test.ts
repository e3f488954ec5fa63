// The monitoring routes in the real app (keys, scoring routes, prediction log on a real LanceDB
// lake in a temporary directory) with a stand-in model: what a client sends and gets back.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeServedModel } from "../../../test/support/fake-served-model";
import { createKilnApp, type KilnAppDeps } from "../api/app";
import { loadApiKeys } from "../auth/api-keys";
import { KilnMetrics } from "../observability/kiln-metrics";
import { EndpointRegistry } from "../serving/endpoint-registry";
import { EndpointBatchers } from "../serving/micro-batcher";
import { FeedbackStore } from "./feedback-store";
import { PredictionLog } from "./prediction-log";
import { PredictionLake } from "./prediction-log-lake";
import { PredictionLogReader } from "./prediction-log-reader";
import { PredictionLogSettings } from "./prediction-log-settings";
import { PredictionLogTables } from "./prediction-log-table";

const keys = { admin: "monitoring-admin-key", predict: "monitoring-predict-key" };
let dir: string;
let log: PredictionLog;
let app: ReturnType<typeof createKilnApp>;
let metrics: KilnMetrics;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kiln-monitoring-routes-"));
  const lake = new PredictionLake(join(dir, "lake"));
  const settings = new PredictionLogSettings({ file: join(dir, "prediction-log.json"), env: {} });
  metrics = new KilnMetrics();
  // A long interval: the routes that read the log flush it themselves.
  log = new PredictionLog({
    sink: new PredictionLogTables(lake),
    sampleRate: (e) => settings.sampleRate(e),
    metrics,
    flushIntervalMs: 60_000,
  });
  const reader = new PredictionLogReader(lake);
  const registry = new EndpointRegistry();
  registry.swap("churn", fakeServedModel({ endpoint: "churn", version: "2" }));
  app = createKilnApp({
    keys: () =>
      loadApiKeys("/nonexistent/keys.json", {
        KILN_ADMIN_KEY: keys.admin,
        KILN_PREDICT_KEY: keys.predict,
      }),
    runs: {},
    serving: {
      registry,
      batchers: new EndpointBatchers(),
      endpoints: { list: () => [{ name: "churn" }] },
    },
    jobs: {},
    metrics,
    monitoring: {
      log,
      settings,
      reader,
      feedback: new FeedbackStore(lake, reader, log),
      lakeUri: lake.uri,
    },
  } as unknown as KilnAppDeps);
});

afterEach(async () => {
  await log.close();
  await rm(dir, { recursive: true, force: true });
});

const call = (
  path: string,
  {
    body,
    key = keys.predict,
    headers = {},
    method,
  }: { body?: unknown; key?: string; headers?: Record<string, string>; method?: string } = {},
) =>
  app.request(path, {
    method: method ?? (body === undefined ? "GET" : "POST"),
    headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const score = (records: Record<string, unknown>[], requestId?: string) =>
  call("/endpoints/churn/invocations", {
    body: { dataframe_records: records },
    ...(requestId ? { headers: { "x-request-id": requestId } } : {}),
  });

const errorOf = async (response: Response) =>
  ((await response.json()) as { error: { code: string; message: string; unknown?: unknown } })
    .error;

describe("request ids", () => {
  it("honours a safe X-Request-Id and replaces an unsafe one", async () => {
    const kept = await score([{ tenure: 1, visits: 2 }], "order-42:a.b_c");
    expect(kept.headers.get("x-request-id")).toBe("order-42:a.b_c");
    const replaced = await score([{ tenure: 1, visits: 2 }], "no spaces; please");
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const failed = await score([{ tenure: "x" }], "bad-one");
    expect(failed.status).toBe(400);
    expect(failed.headers.get("x-request-id")).toBe("bad-one");
  });
});

describe("feedback", () => {
  it("stores labels of logged rows, and reports performance on them", async () => {
    // 0.5·tenure + 2·visits + bias 2: predictions 4.5 and 7.
    expect(
      (
        await score(
          [
            { tenure: 1, visits: 1 },
            { tenure: 2, visits: 2 },
          ],
          "req-1",
        )
      ).status,
    ).toBe(200);
    const stored = await call("/endpoints/churn/feedback", {
      body: {
        labels: [
          { request_id: "req-1", row: 0, label: 5 },
          { request_id: "req-1", row: 1, label: 6 },
        ],
      },
    });
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({
      endpoint: "churn",
      accepted: 2,
      table: "feedback__churn",
    });

    const report = await call("/api/endpoints/churn/performance?task=regression", {
      key: keys.admin,
    });
    expect(report.status).toBe(200);
    const body = (await report.json()) as {
      rows: number;
      metrics: { mae: number; rmse: number };
      taskSource: string;
    };
    expect(body).toMatchObject({ rows: 2, taskSource: "query" });
    expect(body.metrics.mae).toBeCloseTo(0.75, 6); // |4.5 - 5|, |7 - 6|
    expect(body.metrics.rmse).toBeCloseTo(Math.sqrt((0.25 + 1) / 2), 6);

    // A label sent again replaces the first one.
    await call("/endpoints/churn/feedback", {
      body: { labels: [{ request_id: "req-1", row: 1, label: 7 }] },
    });
    const again = (await (
      await call("/api/endpoints/churn/performance", { key: keys.admin })
    ).json()) as { metrics: { mae: number } };
    expect(again.metrics.mae).toBeCloseTo(0.25, 6);
  });

  it("refuses labels of unknown or sampled-out predictions, naming each, and stores none", async () => {
    await score([{ tenure: 1, visits: 1 }], "logged-1");
    await call("/api/endpoints/churn/prediction-log", {
      key: keys.admin,
      method: "PUT",
      body: { sampleRate: 0 },
    });
    await score([{ tenure: 1, visits: 1 }], "sampled-1");
    const refused = await call("/endpoints/churn/feedback", {
      body: {
        labels: [
          { request_id: "logged-1", row: 0, label: 1 },
          { request_id: "logged-1", row: 3, label: 1 },
          { request_id: "sampled-1", label: 1 },
          { request_id: "never-seen", row: 0, label: 1 },
        ],
      },
    });
    expect(refused.status).toBe(400);
    const error = await errorOf(refused);
    expect(error.code).toBe("UNKNOWN_PREDICTIONS");
    expect(error.message).toMatch(/3 of 4 labels/);
    expect(error.unknown).toEqual([
      {
        request_id: "logged-1",
        row: 3,
        reason: expect.stringMatching(/has rows 0 logged, not row 3/),
      },
      {
        request_id: "sampled-1",
        row: 0,
        reason: expect.stringMatching(/sampled out.*0% of requests/),
      },
      { request_id: "never-seen", row: 0, reason: expect.stringMatching(/unknown request id/) },
    ]);
    const report = (await (
      await call("/api/endpoints/churn/performance", { key: keys.admin })
    ).json()) as { rows: number };
    expect(report.rows).toBe(0);
  });

  it.each([
    ["not JSON", "{", "INVALID_JSON"],
    ["no labels list", { label: 1 }, "INVALID_FEEDBACK"],
    ["an empty list", { labels: [] }, "INVALID_FEEDBACK"],
    [
      "a label that is no number",
      { labels: [{ request_id: "a", label: "yes" }] },
      "INVALID_FEEDBACK",
    ],
    ["a negative row", { labels: [{ request_id: "a", row: -1, label: 1 }] }, "INVALID_FEEDBACK"],
    [
      "a row labelled twice",
      {
        labels: [
          { request_id: "a", label: 1 },
          { request_id: "a", row: 0, label: 2 },
        ],
      },
      "INVALID_FEEDBACK",
    ],
  ])("answers %s with 400 %s", async (_, body, code) => {
    const response = await app.request("/endpoints/churn/feedback", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${keys.predict}` },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe(code);
  });

  it("needs the predict key, and an endpoint that exists", async () => {
    const body = { labels: [{ request_id: "a", label: 1 }] };
    expect((await call("/endpoints/churn/feedback", { body, key: "" })).status).toBe(401);
    const unknown = await call("/endpoints/nope/feedback", { body });
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toMatchObject({
      code: "ENDPOINT_NOT_FOUND",
      message: expect.stringContaining('"churn"'),
    });
  });
});

describe("usage", () => {
  it("counts requests, errors, rows and fallbacks per day and version, never sampled", async () => {
    await call("/api/endpoints/churn/prediction-log", {
      key: keys.admin,
      method: "PUT",
      body: { sampleRate: 0 },
    });
    await score([
      { tenure: 1, visits: 1 },
      { tenure: null, visits: 1 },
    ]);
    await score([{ tenure: 1, visits: 1 }]);
    await score([{ tenure: "x" }]);
    const response = await call("/api/endpoints/churn/usage?days=3", { key: keys.admin });
    expect(response.status).toBe(200);
    const usage = (await response.json()) as {
      daily: { date: string; requests: number }[];
      total: Record<string, unknown>;
    };
    expect(usage.daily.map((d) => d.date)).toEqual(
      [2, 1, 0].map((ago) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10)),
    );
    expect(usage.daily.map((d) => d.requests)).toEqual([0, 0, 3]);
    expect(usage.total).toMatchObject({
      requests: 3,
      rows: 3,
      errors: { "4xx": 1, "5xx": 0 },
      errorRate: { "4xx": 1 / 3, "5xx": 0 },
      fallbackRate: 1 / 3,
      versions: { "2": { requests: 3, rows: 3, errors4xx: 1, errors5xx: 0 } },
      latencyMs: { p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number) },
    });
    const exposition = metrics.registry.render();
    expect(exposition).toContain(
      'kiln_prediction_errors_total{endpoint="churn",version="2",status="400"} 1',
    );
    expect(exposition).toContain(
      'kiln_prediction_log_written_total{endpoint="churn",table="requests"} 3',
    );
  });

  it("answers a bad days with 400, and needs the admin key", async () => {
    expect((await call("/api/endpoints/churn/usage?days=0", { key: keys.admin })).status).toBe(400);
    expect((await call("/api/endpoints/churn/usage?weeks=1", { key: keys.admin })).status).toBe(
      400,
    );
    expect((await call("/api/endpoints/churn/usage")).status).toBe(403);
  });
});

describe("the prediction log's settings", () => {
  it("shows and sets an endpoint's sample rate", async () => {
    const shown = (await (
      await call("/api/endpoints/churn/prediction-log", { key: keys.admin })
    ).json()) as Record<string, unknown>;
    expect(shown).toMatchObject({
      endpoint: "churn",
      sampleRate: 1,
      sampleRateSource: "server",
      tables: {
        predictions: "predictions__churn",
        requests: "requests__churn",
        feedback: "feedback__churn",
      },
    });
    const set = await call("/api/endpoints/churn/prediction-log", {
      key: keys.admin,
      method: "PUT",
      body: { sampleRate: 0.25 },
    });
    expect(await set.json()).toMatchObject({ sampleRate: 0.25, sampleRateSource: "endpoint" });
    const bad = await call("/api/endpoints/churn/prediction-log", {
      key: keys.admin,
      method: "PUT",
      body: { sampleRate: 2 },
    });
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).code).toBe("INVALID_SAMPLE_RATE");
  });
});

describe("performance", () => {
  it("answers a bad query with 400 naming the parameter", async () => {
    const bad = await call("/api/endpoints/churn/performance?window=soon", { key: keys.admin });
    expect(bad.status).toBe(400);
    expect(await errorOf(bad)).toMatchObject({
      code: "INVALID_QUERY",
      message: expect.stringContaining("window"),
    });
    const output = await score([{ tenure: 1, visits: 1 }], "o-1");
    expect(output.status).toBe(200);
    const unknownOutput = await call("/api/endpoints/churn/performance?output=3", {
      key: keys.admin,
    });
    expect((await errorOf(unknownOutput)).code).toBe("UNKNOWN_OUTPUT");
    const notAutoencoder = await call("/api/endpoints/churn/performance?task=anomaly", {
      key: keys.admin,
    });
    expect((await errorOf(notAutoencoder)).code).toBe("NOT_AN_AUTOENCODER");
  });
});
