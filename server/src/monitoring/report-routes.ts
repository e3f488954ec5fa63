import { Hono } from "hono";
import { monitoring } from "@kiln/kernel-lib";
import { KilnHttpError } from "../api/http-errors";
import type { EndpointHealth } from "./endpoint-health";

/**
 * The endpoint's monitoring report, under `/api/endpoints` behind the admin key: the data as
 * JSON (what `kiln.report` renders in a notebook) and as a self-contained HTML page.
 *
 * @example
 * app.route("/api/endpoints", reportRoutes(health));
 * // GET /api/endpoints/quality/report      → text/html
 * // GET /api/endpoints/quality/report.json → MonitoringReportData
 */
export function reportRoutes(health: Pick<EndpointHealth, "reportData">): Hono {
  const routes = new Hono();
  const dataOf = async (name: string) => {
    const data = await health.reportData(name);
    if (!data) {
      throw new KilnHttpError(
        404,
        "ENDPOINT_NOT_FOUND",
        `No endpoint "${name}".`,
        "List endpoints with GET /api/endpoints; promote a model to create one.",
      );
    }
    return data;
  };
  routes.get("/:name/report.json", async (c) => c.json(await dataOf(c.req.param("name"))));
  routes.get("/:name/report", async (c) =>
    c.html(monitoring.renderReport(await dataOf(c.req.param("name")))),
  );
  return routes;
}
