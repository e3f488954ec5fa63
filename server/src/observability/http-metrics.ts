import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { KilnMetrics } from "./kiln-metrics";

/** The `route` label of requests no route matched (404s), so scanners cannot grow the label set. */
export const UNMATCHED_ROUTE = "(unmatched)";

/**
 * Records `kiln_http_requests_total{method,route,status}` and
 * `kiln_http_request_duration_seconds{method,route}` for every request. `route` is the pattern
 * of the route that matched (`/api/pipelines/runs/:runId`), never the raw path, so the number of
 * series stays bounded. Register it first, so it also sees requests refused by other middleware.
 *
 * @example
 * app.use("*", httpMetrics(metrics));
 */
export const httpMetrics = (metrics: KilnMetrics): MiddlewareHandler =>
  async function httpMetrics(c, next) {
    const started = performance.now();
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } finally {
      metrics.observeRequest(
        c.req.method,
        matchedRoutePattern(c),
        status,
        (performance.now() - started) / 1000,
      );
    }
  };

/**
 * The pattern of the handler route that matched, skipping middleware (`app.use` registers
 * method "ALL"); a request refused by `requireScope` still counts under the route it asked for.
 */
function matchedRoutePattern(c: Context): string {
  const handlerRoute = matchedRoutes(c).findLast((route) => route.method !== "ALL");
  return handlerRoute?.path ?? UNMATCHED_ROUTE;
}
