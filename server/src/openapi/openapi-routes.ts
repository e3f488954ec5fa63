import { Hono } from "hono";
import { renderDocsPage } from "./docs-page";
import type { OpenApiDocument } from "./openapi-types";

/**
 * `GET /openapi.json` (the document) and `GET /docs` (an HTML page listing its operations,
 * rendered once, here: the page needs no script and no network).
 *
 * @example
 * app.route("/", openApiRoutes(kilnOpenApiDocument()));
 */
export function openApiRoutes(document: OpenApiDocument): Hono {
  const routes = new Hono();
  const page = renderDocsPage(document);
  routes.get("/openapi.json", (c) => c.json(document));
  routes.get("/docs", (c) => c.html(page));
  return routes;
}
