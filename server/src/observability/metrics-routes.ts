import { Hono } from "hono";
import { PROMETHEUS_CONTENT_TYPE } from "./exposition-format";
import type { MetricsRegistry } from "./metrics-registry";

/**
 * `GET /metrics`: every metric of `registry` in the Prometheus text format 0.0.4.
 *
 * @example
 * app.route("/", metricsRoutes(metrics.registry));
 * // curl http://127.0.0.1:8700/metrics
 */
export function metricsRoutes(registry: MetricsRegistry): Hono {
  const routes = new Hono();
  routes.get("/metrics", (c) =>
    c.body(registry.render(), 200, { "Content-Type": PROMETHEUS_CONTENT_TYPE }),
  );
  return routes;
}
