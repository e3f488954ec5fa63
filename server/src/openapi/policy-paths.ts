import { json, jsonBody, operation, ref } from "./openapi-operations";
import type { OpenApiDocument, ParameterObject, SchemaObject } from "./openapi-types";

const kilnError: SchemaObject = { $ref: "#/components/schemas/KilnError" };
const notFound = ref("responses", "NotFound");
const anyObject = (description: string): SchemaObject => ({
  type: "object",
  additionalProperties: true,
  description,
});
const wait: ParameterObject = {
  name: "wait",
  in: "query",
  required: false,
  description:
    "`true`: answer when done (a retraining runs a pipeline: minutes); else 202 at once.",
  schema: { type: "string", enum: ["true", "false"] },
};
const policy = anyObject(
  "A monitoring policy: window, schedule, conditions, actions, retrain, retrainSchedule, drift, dq (docs/monitoring.md).",
);
const action: SchemaObject = {
  type: "object",
  properties: {
    at: { type: "string", format: "date-time" },
    endpoint: { type: "string" },
    kind: { type: "string", enum: ["check", "alert", "webhook", "retrain"] },
    reason: { type: "string" },
    details: anyObject(
      "check: rows and conditions; alert: conditions; webhook: delivered; retrain: decision (promoted, kept-champion, failed, skipped), scores, versions, run id.",
    ),
  },
  required: ["at", "endpoint", "kind", "reason", "details"],
};
const started = json(
  {
    type: "object",
    properties: { status: { const: "started" }, actions: { type: "string" } },
    required: ["status", "actions"],
  },
  "Started; its outcome goes to the action log.",
);

/** The monitoring-policy routes under `/api/endpoints/{name}` (policy-routes.ts). */
export function policyPaths(): OpenApiDocument["paths"] {
  const endpoint = ref("parameters", "endpointName");
  const noPolicy = json(
    kilnError,
    "`ENDPOINT_NOT_FOUND`, or `NO_POLICY`: the endpoint has no policy.",
  );
  return {
    "/api/endpoints/{name}/policy": {
      parameters: [endpoint],
      put: operation("admin", {
        operationId: "setEndpointPolicy",
        summary: "Set or replace the endpoint's monitoring policy; its schedules start at once",
        tags: ["Monitoring"],
        requestBody: jsonBody(policy),
        responses: {
          "200": json(
            { type: "object", properties: { endpoint: { type: "string" }, policy } },
            "The policy as stored, defaults filled in.",
          ),
          "400": json(kilnError, "`INVALID_JSON`, or `INVALID_POLICY` naming every problem."),
          "404": notFound,
        },
      }),
      get: operation("admin", {
        operationId: "getEndpointPolicy",
        summary: "The endpoint's monitoring policy",
        tags: ["Monitoring"],
        responses: {
          "200": json(
            { type: "object", properties: { endpoint: { type: "string" }, policy } },
            "The policy.",
          ),
          "404": noPolicy,
        },
      }),
      delete: operation("admin", {
        operationId: "deleteEndpointPolicy",
        summary: "Remove the endpoint's policy and its schedules",
        tags: ["Monitoring"],
        responses: { "204": { description: "Removed." }, "404": noPolicy },
      }),
    },
    "/api/endpoints/{name}/check": {
      parameters: [endpoint],
      post: operation("admin", {
        operationId: "checkEndpoint",
        summary: "Measure the recent traffic now and act on the policy's conditions",
        tags: ["Monitoring"],
        parameters: [wait],
        responses: {
          "200": json(
            anyObject(
              "snapshot (rows, drift, fallbackRate, dq, performance), conditions, actions.",
            ),
            "With `wait=true`: what was measured and done.",
          ),
          "202": started,
          "404": noPolicy,
        },
      }),
    },
    "/api/endpoints/{name}/retrain": {
      parameters: [endpoint],
      post: operation("admin", {
        operationId: "retrainEndpoint",
        summary:
          "Re-run the endpoint's pipeline; promote the new model only if it beats the champion",
        tags: ["Monitoring"],
        parameters: [wait],
        responses: {
          "200": json(action, "With `wait=true`: the retrain action with its outcome."),
          "202": started,
          "404": noPolicy,
        },
      }),
    },
    "/api/endpoints/{name}/report": {
      parameters: [endpoint],
      get: operation("admin", {
        operationId: "endpointReport",
        summary: "The endpoint's monitoring report as a self-contained HTML page",
        description:
          "Drift per feature with both distributions, data quality on the recent window, performance and usage over time, and the action log (docs/monitoring.md).",
        tags: ["Monitoring"],
        responses: {
          "200": {
            description: "The report.",
            content: { "text/html": { schema: { type: "string" } } },
          },
          "404": notFound,
        },
      }),
    },
    "/api/endpoints/{name}/report.json": {
      parameters: [endpoint],
      get: operation("admin", {
        operationId: "endpointReportData",
        summary: "What the report shows, as JSON (what kiln.report renders in a notebook)",
        tags: ["Monitoring"],
        responses: {
          "200": json(
            anyObject("MonitoringReportData (kernel-lib/src/monitoring/report/report-data.ts)."),
            "The report's data.",
          ),
          "404": notFound,
        },
      }),
    },
    "/api/endpoints/{name}/actions": {
      parameters: [endpoint],
      get: operation("admin", {
        operationId: "endpointActions",
        summary: "Checks, alerts, webhook deliveries and retrainings, newest first",
        tags: ["Monitoring"],
        parameters: [
          {
            name: "limit",
            in: "query",
            required: false,
            description: "At most this many (1–10000); default 100.",
            schema: { type: "integer" },
          },
        ],
        responses: {
          "200": json(
            {
              type: "object",
              properties: {
                endpoint: { type: "string" },
                actions: { type: "array", items: action },
              },
            },
            "The actions.",
          ),
          "400": json(kilnError, "`INVALID_LIMIT`."),
          "404": notFound,
        },
      }),
    },
  };
}
