import { compileErrors, validate } from "@readme/openapi-parser";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createKilnApp, type KilnAppDeps } from "../api/app";
import type { JobQueue } from "../jobs/job-queue";
import { EndpointRegistry } from "../serving/endpoint-registry";
import { EndpointBatchers } from "../serving/micro-batcher";
import { KilnMetrics } from "../observability/kiln-metrics";
import { kilnOpenApiDocument } from "./kiln-openapi";
import { openApiRoutes } from "./openapi-routes";
import type { HttpMethod, OpenApiDocument } from "./openapi-types";

const document = kilnOpenApiDocument();

/** Every (method, path) the document describes, as "GET /v2/models/{name}". */
function documentedOperations(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    (["get", "post", "put", "patch", "delete"] as HttpMethod[])
      .filter((method) => item[method])
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** The handler routes of a Hono app, in OpenAPI's path syntax (middleware is method ALL). */
function appOperations(app: Hono): string[] {
  return app.routes
    .filter((route) => route.method !== "ALL")
    .map((route) => `${route.method} ${route.path.replace(/:([A-Za-z0-9_]+)/g, "{$1}")}`);
}

describe("Kiln's OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document (@readme/openapi-parser)", async () => {
    const result = await validate(structuredClone(document) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(result.specification).toBe("OpenAPI");
    expect(result.warnings).toEqual([]);
  });

  it.each([
    "GET /health",
    "GET /metrics",
    "GET /openapi.json",
    "GET /docs",
    "GET /api/info",
    "GET /api/pipelines",
    "POST /api/pipelines/compile",
    "POST /api/pipelines/analyze",
    "GET /api/pipelines/runs",
    "POST /api/pipelines/runs",
    "GET /api/pipelines/runs/{runId}",
    "GET /api/pipelines/runs/{runId}/events",
    "GET /api/pipelines/runs/{runId}/steps/{step}/log",
    "GET /api/pipelines/runs/{runId}/models",
    "GET /v2",
    "GET /v2/health/live",
    "GET /v2/health/ready",
    "GET /v2/models/{name}",
    "GET /v2/models/{name}/ready",
    "POST /v2/models/{name}/infer",
    "GET /v2/models/{name}/versions/{version}",
    "GET /v2/models/{name}/versions/{version}/ready",
    "POST /v2/models/{name}/versions/{version}/infer",
    "POST /endpoints/{name}/invocations",
    "GET /api/endpoints",
    "POST /api/endpoints/{name}/promote",
    "POST /api/endpoints/{name}/rollback",
    "POST /endpoints/{name}/jobs",
    "GET /jobs/{id}",
    "DELETE /jobs/{id}",
    "POST /jobs/{id}/cancel",
    "POST /endpoints/{name}/feedback",
    "GET /api/endpoints/{name}/performance",
    "GET /api/endpoints/{name}/usage",
    "GET /api/endpoints/{name}/prediction-log",
    "PUT /api/endpoints/{name}/prediction-log",
  ])("documents %s", (operation) => {
    expect(documentedOperations(document)).toContain(operation);
  });

  it("documents every route the app and the serving, metrics and docs routes register", () => {
    const serving = { registry: new EndpointRegistry(), batchers: new EndpointBatchers() };
    // Building the app only registers routes (the serving, jobs, metrics and docs routes among
    // them); the stand-in services are never called.
    const app = createKilnApp({
      keys: () => ({ keys: [] }),
      runs: {},
      serving: { ...serving, endpoints: {} },
      jobs: {} as JobQueue,
      metrics: new KilnMetrics(),
      health: { monitor: {}, policies: {}, actions: {}, reportData: {} },
    } as unknown as KilnAppDeps);
    const mounted = [app];
    const documented = documentedOperations(document);
    const undocumented = mounted.flatMap(appOperations).filter((op) => !documented.includes(op));
    expect(undocumented).toEqual([]);
  });

  it("names a key scope for every operation, matching its security", () => {
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item)) {
        if (!("operationId" in operation)) continue;
        const scope = operation["x-kiln-scope"];
        const expected = scope === "none" ? [] : [{ bearerKey: [scope] }, { kilnKey: [scope] }];
        expect(operation.security, operation.operationId).toEqual(expected);
      }
    }
    const scopeOf = (path: string, method: HttpMethod) =>
      document.paths[path]?.[method]?.["x-kiln-scope"];
    expect(scopeOf("/api/pipelines/runs", "post")).toBe("admin");
    expect(scopeOf("/api/endpoints/{name}/promote", "post")).toBe("admin");
    expect(scopeOf("/v2/models/{name}/infer", "post")).toBe("predict");
    expect(scopeOf("/endpoints/{name}/invocations", "post")).toBe("predict");
    expect(scopeOf("/api/endpoints/{name}/rollback", "post")).toBe("admin");
    expect(scopeOf("/api/info", "get")).toBe("predict");
    expect(scopeOf("/health", "get")).toBe("none");
    expect(scopeOf("/v2", "get")).toBe("none");
    expect(scopeOf("/endpoints/{name}/feedback", "post")).toBe("predict");
    expect(scopeOf("/api/endpoints/{name}/performance", "get")).toBe("admin");
    expect(scopeOf("/api/endpoints/{name}/usage", "get")).toBe("admin");
  });

  it("serves /openapi.json and an offline /docs page listing every operation", async () => {
    const app = new Hono().route("/", openApiRoutes(document));
    const served = await app.request("/openapi.json");
    expect(served.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await served.json()).toEqual(JSON.parse(JSON.stringify(document)));

    const page = await app.request("/docs");
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    for (const [path, item] of Object.entries(document.paths)) {
      for (const operation of Object.values(item)) {
        if (!("operationId" in operation)) continue;
        expect(html).toContain(`id="${operation.operationId}"`);
        expect(html).toContain(`<code>${path}</code>`);
      }
    }
    // Nothing fetched from elsewhere: the machine may have no network.
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\//);
  });
});
