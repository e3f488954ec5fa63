import { Hono } from "hono";
import type { MonitoringStatus } from "../monitoring/endpoint-monitor";
import type { EndpointUsage } from "../observability/kiln-metrics";
import type { BatchingLimits, EndpointManager } from "../serving/endpoint-manager";
import { KilnHttpError } from "./http-errors";

type EndpointsRoutesOptions = {
  /** Rows each endpoint scored since the server started (the endpoint list shows them). */
  usage?: (endpoint: string) => EndpointUsage;
  /** Each endpoint's policy and last monitoring check (the list shows its drift). */
  monitoring?: (endpoint: string) => MonitoringStatus;
};

type PromoteBody = {
  model?: unknown;
  version?: unknown;
  alias?: unknown;
  set_alias?: unknown;
  batching?: unknown;
};

/**
 * Admin API for endpoints: list (with each one's inputs, fallback and usage), promote a
 * registered model version, roll back. Mounted behind the admin key.
 *
 * @example
 * app.route("/api/endpoints", endpointsRoutes(manager, { usage: (name) => metrics.usageOf(name) }));
 */
export function endpointsRoutes(
  endpoints: EndpointManager,
  options: EndpointsRoutesOptions = {},
): Hono {
  const routes = new Hono();

  routes.get("/", (c) =>
    c.json({
      endpoints: endpoints.listServed().map((endpoint) => ({
        ...endpoint,
        ...(options.usage ? { usage: options.usage(endpoint.name) } : {}),
        ...(options.monitoring ? { monitoring: options.monitoring(endpoint.name) } : {}),
      })),
    }),
  );

  routes.post("/:name/promote", async (c) => {
    let body: PromoteBody;
    try {
      body = (await c.req.json()) as PromoteBody;
    } catch {
      throw new KilnHttpError(
        400,
        "INVALID_JSON",
        "The request body must be a JSON object.",
        'Send {"model": "drill-anomaly", "version": "3"}.',
      );
    }
    const text = (value: unknown, field: string): string | undefined => {
      if (value === undefined) return undefined;
      if (typeof value === "string" && value.length > 0) return value;
      if (typeof value === "number" && field === "version") return String(value);
      throw new KilnHttpError(
        400,
        "INVALID_FIELD",
        `"${field}" must be a non-empty string.`,
        `Fix "${field}" in the body.`,
      );
    };
    const model = text(body.model, "model");
    if (!model)
      throw new KilnHttpError(
        400,
        "MISSING_FIELD",
        '"model" is required: the registered model to promote.',
        'Send {"model": "drill-anomaly"} (optionally "version" or "alias").',
      );
    const version = text(body.version, "version");
    const alias = text(body.alias, "alias");
    if (version && alias)
      throw new KilnHttpError(
        400,
        "AMBIGUOUS_VERSION",
        'Give "version" or "alias", not both.',
        "Drop one of them.",
      );
    const batching = batchingLimits(body.batching);
    const state = await endpoints.promote(
      c.req.param("name"),
      { model, ...(version ? { version } : {}), ...(alias ? { alias } : {}) },
      {
        setAlias: text(body.set_alias, "set_alias") ?? "champion",
        ...(batching ? { batching } : {}),
      },
    );
    return c.json(state);
  });

  routes.post("/:name/rollback", async (c) =>
    c.json(await endpoints.rollback(c.req.param("name"))),
  );

  return routes;
}

// Shape only; the manager checks the ranges.
function batchingLimits(value: unknown): BatchingLimits | undefined {
  if (value === undefined) return undefined;
  const limits = value as Partial<Record<keyof BatchingLimits, unknown>>;
  if (
    typeof value !== "object" ||
    value === null ||
    typeof limits.maxBatchSize !== "number" ||
    typeof limits.maxWaitMs !== "number"
  ) {
    throw new KilnHttpError(
      400,
      "INVALID_BATCHING",
      '"batching" must be an object with numbers "maxBatchSize" and "maxWaitMs".',
      'Send e.g. "batching": {"maxBatchSize": 256, "maxWaitMs": 2}, or leave it out for the defaults.',
    );
  }
  return { maxBatchSize: limits.maxBatchSize, maxWaitMs: limits.maxWaitMs };
}
