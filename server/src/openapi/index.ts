export { escapeHtml, operationsByTag, renderDocsPage } from "./docs-page";
export { kilnOpenApiDocument, type KilnOpenApiOptions } from "./kiln-openapi";
export { openApiRoutes } from "./openapi-routes";
export type * from "./openapi-types";
