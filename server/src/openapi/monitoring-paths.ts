import { json, jsonBody, obj, operation, ref } from "./openapi-operations";
import type { HeaderObject, OpenApiDocument, ParameterObject, SchemaObject } from "./openapi-types";

const schema = (name: keyof typeof monitoringSchemas): SchemaObject => ({
  $ref: `#/components/schemas/${name}`,
});
const kilnError = { $ref: "#/components/schemas/KilnError" };
const num = (description: string): SchemaObject => ({ type: ["number", "null"], description });
const int = (description?: string): SchemaObject => ({
  type: "integer",
  ...(description ? { description } : {}),
});
const query = (name: string, description: string, type: SchemaObject = { type: "string" }) =>
  ({ name, in: "query", required: false, description, schema: type }) satisfies ParameterObject;

/** The `X-Request-Id` answer header of the scoring routes. */
export const requestIdHeader: HeaderObject = {
  description:
    "The request's id: the client's `X-Request-Id` when safe, else a generated UUID. Labels name rows by it (`POST /endpoints/{name}/feedback`).",
  schema: { type: "string" },
};

const usageTotals = obj(
  {
    requests: int("Scoring requests answered, errors included."),
    rows: int("Rows scored by successful requests."),
    errors: obj({ "4xx": int(), "5xx": int() }, ["4xx", "5xx"]),
    errorRate: obj({ "4xx": num("Share of requests."), "5xx": num("Share of requests.") }, [
      "4xx",
      "5xx",
    ]),
    latencyMs: obj(
      { p50: num("Milliseconds."), p95: num("Milliseconds."), p99: num("Milliseconds.") },
      ["p50", "p95", "p99"],
      "Time to answer successful requests, percentiles (linear interpolation).",
    ),
    fallbackRate: num("Share of rows the fallback model answered."),
    versions: {
      type: "object",
      description: "By model version.",
      additionalProperties: obj(
        { requests: int(), rows: int(), errors4xx: int(), errors5xx: int() },
        ["requests", "rows", "errors4xx", "errors5xx"],
      ),
    },
  },
  ["requests", "rows", "errors", "errorRate", "latencyMs", "fallbackRate", "versions"],
);

const metrics: SchemaObject = {
  type: "object",
  description:
    "regression: `mae`, `rmse`; classification: `accuracy`, `f1`, `auc`; anomaly: `reconstruction_mse` (mean per-row MSE of inputs and outputs), `p50`, `p95`, `p99`, `above_baseline_p99` (share of rows above the baseline's 99th percentile). Null when a chunk lacks what a metric needs.",
  additionalProperties: { type: ["number", "null"] },
};

/** The schemas of the monitoring routes' bodies and answers. */
export const monitoringSchemas = {
  FeedbackRequest: obj(
    {
      labels: {
        type: "array",
        minItems: 1,
        description: "At most 10,000 labels; each row at most once.",
        items: obj(
          {
            request_id: {
              type: "string",
              description: "The `X-Request-Id` of the scoring answer.",
            },
            row: int("The row's index within its request; default 0."),
            label: {
              type: ["number", "boolean"],
              description: "The true value (0/1 for a binary class; `true`/`false` count as 1/0).",
            },
          },
          ["request_id", "label"],
        ),
      },
    },
    ["labels"],
  ),
  FeedbackAccepted: obj(
    { endpoint: { type: "string" }, accepted: int(), table: { type: "string" } },
    ["endpoint", "accepted", "table"],
  ),
  UnknownPredictionsError: obj(
    {
      error: obj(
        {
          code: { const: "UNKNOWN_PREDICTIONS" },
          message: { type: "string" },
          fix: { type: "string" },
          unknown: {
            type: "array",
            items: obj(
              {
                request_id: { type: "string" },
                row: int(),
                reason: {
                  type: "string",
                  description:
                    "Sampled out, rows dropped, the request failed, no such row, or an unknown request id.",
                },
              },
              ["request_id", "row", "reason"],
            ),
          },
        },
        ["code", "message", "unknown"],
      ),
    },
    ["error"],
    "Labels naming rows the prediction log does not hold; nothing was stored.",
  ),
  PerformanceReport: obj(
    {
      endpoint: { type: "string" },
      task: { type: "string", enum: ["regression", "classification", "anomaly"] },
      taskSource: { type: "string", enum: ["query", "bundle", "default"] },
      window: obj(
        {
          duration: { type: "string" },
          from: { type: "string", format: "date-time" },
          to: { type: "string", format: "date-time" },
        },
        ["duration", "from", "to"],
      ),
      chunking: {
        oneOf: [obj({ period: { type: "string" } }, ["period"]), obj({ rows: int() }, ["rows"])],
      },
      rows: int("Labelled rows measured (anomaly: logged rows)."),
      skipped: {
        type: "object",
        additionalProperties: { type: "integer" },
        description:
          "Rows left out by reason: `noPrediction`, `labelNotZeroOrOne`, `fallback`, `missingValue`.",
      },
      metrics,
      reference: obj(
        {
          chunks: int("How many chunks the bands come from."),
          sigma: { type: "number" },
          bands: {
            type: "object",
            additionalProperties: obj(
              {
                mean: { type: "number" },
                std: { type: "number" },
                lower: { type: "number" },
                upper: { type: "number" },
              },
              ["mean", "std", "lower", "upper"],
            ),
          },
        },
        ["chunks", "sigma", "bands"],
      ),
      baseline: {
        type: "object",
        description: "Anomaly detection: reconstruction errors of the reference chunks' rows.",
      },
      chunks: {
        type: "array",
        items: obj(
          {
            start: { type: "string", format: "date-time" },
            end: { type: "string", format: "date-time" },
            rows: int(),
            reference: { type: "boolean" },
            metrics,
            alerts: { type: "array", items: { type: "string" } },
            alert: { type: "boolean", description: "A metric is outside its band." },
          },
          ["start", "end", "rows", "reference", "metrics", "alerts", "alert"],
        ),
      },
    },
    [
      "endpoint",
      "task",
      "taskSource",
      "window",
      "chunking",
      "rows",
      "skipped",
      "metrics",
      "reference",
      "chunks",
    ],
  ),
  UsageReport: obj(
    {
      endpoint: { type: "string" },
      days: int(),
      from: { type: "string", format: "date-time" },
      to: { type: "string", format: "date-time" },
      total: usageTotals,
      daily: {
        type: "array",
        description: "One entry per UTC day, oldest first, days without traffic included.",
        items: {
          allOf: [obj({ date: { type: "string", format: "date" } }, ["date"]), usageTotals],
        },
      },
    },
    ["endpoint", "days", "from", "to", "total", "daily"],
  ),
  PredictionLogState: obj(
    {
      endpoint: { type: "string" },
      sampleRate: { type: "number", minimum: 0, maximum: 1 },
      sampleRateSource: { type: "string", enum: ["endpoint", "server"] },
      lake: { type: "string", description: "The lake's URI." },
      tables: obj(
        {
          predictions: { type: "string" },
          requests: { type: "string" },
          feedback: { type: "string" },
        },
        ["predictions", "requests", "feedback"],
      ),
      queue: obj(
        {
          queuedRequests: int(),
          queuedRows: int(),
          writtenRequests: int(),
          writtenRows: int(),
          droppedRequests: int(),
          droppedRows: int(),
        },
        [
          "queuedRequests",
          "queuedRows",
          "writtenRequests",
          "writtenRows",
          "droppedRequests",
          "droppedRows",
        ],
        "The server's log queue, all endpoints, since the server started.",
      ),
    },
    ["endpoint", "sampleRate", "sampleRateSource", "lake", "tables", "queue"],
  ),
  SampleRateRequest: obj(
    {
      sampleRate: {
        type: ["number", "null"],
        minimum: 0,
        maximum: 1,
        description: "Share of requests whose rows are logged; null: the server-wide rate.",
      },
    },
    ["sampleRate"],
  ),
} satisfies Record<string, SchemaObject>;

const notFound = ref("responses", "NotFound");
const badRequest = ref("responses", "BadRequest");

/** The monitoring routes (monitoring-routes.ts) as OpenAPI paths. */
export function monitoringPaths(): OpenApiDocument["paths"] {
  const endpoint = ref("parameters", "endpointName");
  return {
    "/endpoints/{name}/feedback": {
      parameters: [endpoint],
      post: operation("predict", {
        operationId: "postFeedback",
        summary: "Store ground-truth labels of logged predictions (all or none)",
        description:
          "Labels may come days later. Each names a row by the `X-Request-Id` of its scoring answer and its index; a label sent again for a row replaces the earlier one.",
        tags: ["Monitoring"],
        requestBody: jsonBody(schema("FeedbackRequest")),
        responses: {
          "200": json(schema("FeedbackAccepted"), "The labels are stored."),
          "400": {
            description:
              "`INVALID_JSON`, `INVALID_FEEDBACK` (names each malformed label), or `UNKNOWN_PREDICTIONS` (rows the log does not hold, e.g. sampled out).",
            content: {
              "application/json": {
                schema: { oneOf: [kilnError, schema("UnknownPredictionsError")] },
              },
            },
          },
          "404": notFound,
          "413": json(kilnError, "`FEEDBACK_TOO_LARGE`: over 5 MB."),
        },
      }),
    },
    "/api/endpoints/{name}/performance": {
      parameters: [endpoint],
      get: operation("admin", {
        operationId: "endpointPerformance",
        summary: "Model performance over time, in chunks, with alerts against a reference band",
        tags: ["Monitoring"],
        parameters: [
          query(
            "task",
            "`regression`, `classification` (binary; the output is the probability of class 1) or `anomaly` (an autoencoder; no labels needed). Default: the bundle's declared task, else regression.",
            { type: "string", enum: ["regression", "classification", "anomaly"] },
          ),
          query("window", "Predictions of the last `30m`, `12h`, `7d`, `2w`…; default `30d`."),
          query("chunk", "Chunk period, aligned to UTC (`1d` = calendar days); default `1d`."),
          query("chunkRows", "Chunks of N rows instead of periods.", { type: "integer" }),
          query("referenceChunks", "The first N chunks are the reference; default 3.", {
            type: "integer",
          }),
          query("referenceEnd", "Instead: the chunks ending by this ISO time."),
          query("sigma", "Band width in standard deviations; default 3.", { type: "number" }),
          query("threshold", "Classification: class 1 at or above; default 0.5.", {
            type: "number",
          }),
          query("output", "Which output value is the prediction; default 0.", {
            type: "integer",
          }),
        ],
        responses: {
          "200": json(schema("PerformanceReport"), "The report."),
          "400": badRequest,
          "404": notFound,
        },
      }),
    },
    "/api/endpoints/{name}/usage": {
      parameters: [endpoint],
      get: operation("admin", {
        operationId: "endpointUsage",
        summary:
          "Requests, error rates, latency percentiles and fallback rate per UTC day and version",
        tags: ["Monitoring"],
        parameters: [query("days", "Days back, today included: 1–366, default 7.", int())],
        responses: {
          "200": json(schema("UsageReport"), "The report."),
          "400": badRequest,
          "404": notFound,
        },
      }),
    },
    "/api/endpoints/{name}/prediction-log": {
      parameters: [endpoint],
      get: operation("admin", {
        operationId: "getPredictionLog",
        summary: "The endpoint's sample rate, its lake tables, and the log's queue",
        tags: ["Monitoring"],
        responses: {
          "200": json(schema("PredictionLogState"), "The log's state."),
          "404": notFound,
        },
      }),
      put: operation("admin", {
        operationId: "setPredictionLogSampleRate",
        summary: "Set the share of the endpoint's requests whose rows are logged",
        tags: ["Monitoring"],
        requestBody: jsonBody(schema("SampleRateRequest")),
        responses: {
          "200": json(schema("PredictionLogState"), "The log's state after the change."),
          "400": badRequest,
          "404": notFound,
        },
      }),
    },
  };
}
