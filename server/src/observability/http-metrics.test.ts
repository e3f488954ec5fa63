import { createHash } from "node:crypto";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { fakeServedModel } from "../../../test/support/fake-served-model";
import { toErrorResponse } from "../api/error-responses";
import { requireScope } from "../api/require-scope";
import { EndpointRegistry } from "../serving/endpoint-registry";
import { EndpointBatchers } from "../serving/micro-batcher";
import { openInferenceRoutes } from "../serving/open-inference";
import { httpMetrics, UNMATCHED_ROUTE } from "./http-metrics";
import { KilnMetrics } from "./kiln-metrics";
import { metricsRoutes } from "./metrics-routes";

const adminKey = "test-admin-key";
const keys = () => ({
  keys: [{ scope: "admin" as const, sha256: createHash("sha256").update(adminKey).digest("hex") }],
});

/** Mounted the way app.ts should: metrics middleware first, then the routes. */
function instrumentedApp() {
  const metrics = new KilnMetrics();
  const registry = new EndpointRegistry();
  registry.swap("churn", fakeServedModel({ version: "1" }));
  const app = new Hono();
  app.use("*", httpMetrics(metrics));
  app.get("/health", (c) => c.json({ status: "ok" }));
  app.route("/", metricsRoutes(metrics.registry));
  const pipelines = new Hono();
  pipelines.get("/runs/:runId", (c) => c.json({ runId: c.req.param("runId") }));
  app.use("/api/pipelines/*", requireScope(keys, "admin"));
  app.route("/api/pipelines", pipelines);
  app.route("/", openInferenceRoutes({ registry, batchers: new EndpointBatchers() }));
  app.notFound((c) => c.json({ error: { code: "NOT_FOUND", message: "none" } }, 404));
  app.onError((error, c) => {
    const { status, body } = toErrorResponse(error);
    return c.json(body, status);
  });
  return { app, metrics };
}

describe("httpMetrics", () => {
  it("labels requests with the matched route pattern, not the raw path", async () => {
    const { app, metrics } = instrumentedApp();
    const admin = { headers: { authorization: `Bearer ${adminKey}` } };
    await app.request("/api/pipelines/runs/r-1", admin);
    await app.request("/api/pipelines/runs/r-2", admin);
    await app.request("/api/pipelines/runs/r-3"); // 401 from requireScope
    await app.request("/v2/models/churn");
    await app.request("/v2/models/nope"); // 404 from the route's own error handler
    await app.request("/no/such/path/123"); // no route at all
    await app.request("/health");

    const count = (method: string, route: string, status: number) =>
      metrics.httpRequests.get({ method, route, status });
    expect(count("GET", "/api/pipelines/runs/:runId", 200)).toBe(2);
    expect(count("GET", "/api/pipelines/runs/:runId", 401)).toBe(1);
    expect(count("GET", "/v2/models/:name", 200)).toBe(1);
    expect(count("GET", "/v2/models/:name", 404)).toBe(1);
    expect(count("GET", UNMATCHED_ROUTE, 404)).toBe(1);
    expect(count("GET", "/health", 200)).toBe(1);
    expect(
      metrics.httpRequestDuration.get({ method: "GET", route: "/api/pipelines/runs/:runId" }).count,
    ).toBe(3);
    expect(metrics.registry.render()).not.toContain("r-1");
  });

  it("serves GET /metrics as text/plain version 0.0.4 with the serving metrics", async () => {
    const { app, metrics } = instrumentedApp();
    const model = fakeServedModel({ version: "7" });
    metrics.observePrediction({ model, usedFallback: [false, true, false] }, 0.02);
    metrics.observeBatch("churn", 3);
    await app.request("/health");

    const response = await app.request("/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    for (const line of [
      'kiln_http_requests_total{method="GET",route="/health",status="200"} 1',
      'kiln_predictions_total{endpoint="churn",version="7",fallback="false"} 2',
      'kiln_predictions_total{endpoint="churn",version="7",fallback="true"} 1',
      'kiln_batch_size_bucket{endpoint="churn",le="2"} 0',
      'kiln_batch_size_bucket{endpoint="churn",le="4"} 1',
      'kiln_prediction_latency_seconds_count{endpoint="churn",version="7"} 1',
      "# TYPE kiln_http_request_duration_seconds histogram",
    ]) {
      expect(text.split("\n")).toContain(line);
    }
  });
});
