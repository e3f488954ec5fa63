import { parameters, responses, schemaRef, schemas, securitySchemes } from "./openapi-components";
import { monitoringPaths, monitoringSchemas, requestIdHeader } from "./monitoring-paths";
import { policyPaths } from "./policy-paths";
import { json, jsonBody, operation, ref } from "./openapi-operations";
import type {
  HeaderObject,
  MediaTypeObject,
  OpenApiDocument,
  ResponseObject,
} from "./openapi-types";

/** Options of `kilnOpenApiDocument`. */
export type KilnOpenApiOptions = {
  /** `info.version`. */
  version?: string;
  /** The server's base URL, e.g. `http://127.0.0.1:8700`; relative (`/`) by default. */
  serverUrl?: string;
};

const defaultOptions = { version: "0.1.0", serverUrl: "/" } satisfies Required<KilnOpenApiOptions>;

const servingHeaders = {
  "X-Request-Id": requestIdHeader,
  "X-Kiln-Model-Version": {
    description: "The model version that answered.",
    schema: { type: "string" },
  },
  "X-Kiln-Fallback": {
    description: "`true` when any row used the model's fallback.",
    schema: { type: "string", enum: ["true", "false"] },
  },
} satisfies ResponseObject["headers"];

/** The binary tensor extension's header: the byte length of the JSON at the start of the body. */
const inferenceHeaderLength = {
  description:
    "Binary tensor extension: bytes of JSON at the start of the body; the binary tensors' data follows, in the order of the tensors.",
  schema: { type: "integer" },
} satisfies HeaderObject;

/** A body in the binary tensor extension whose JSON part is the schema `schemaName`. */
const binaryTensorBody = (schemaName: string): MediaTypeObject => ({
  schema: {
    type: "string",
    contentMediaType: "application/octet-stream",
    description: `Binary tensor extension (with \`Inference-Header-Content-Length\`): the ${schemaName} JSON, then the raw little-endian data of each tensor with \`parameters.binary_data_size\`, in order.`,
  },
});

const v2Errors = {
  "400": ref("responses", "V2Error"),
  "404": ref("responses", "V2Error"),
};

/** The v2 model routes exist with and without `/versions/{version}`. */
function v2ModelPaths(base: string, withVersion: boolean): OpenApiDocument["paths"] {
  const params = [
    ref("parameters", "modelName"),
    ...(withVersion ? [ref("parameters", "modelVersion")] : []),
  ];
  const suffix = withVersion ? "Version" : "";
  return {
    [base]: {
      parameters: params,
      get: operation("predict", {
        operationId: `v2ModelMetadata${suffix}`,
        summary: "Model metadata: inputs, outputs and the version served",
        tags: ["Open Inference Protocol v2"],
        responses: {
          "200": json(schemaRef("V2ModelMetadata"), "The model's metadata."),
          ...v2Errors,
        },
      }),
    },
    [`${base}/ready`]: {
      parameters: params,
      get: operation("predict", {
        operationId: `v2ModelReady${suffix}`,
        summary: "Whether the model is ready",
        tags: ["Open Inference Protocol v2"],
        responses: { "200": json(schemaRef("V2ModelReady"), "The model is ready."), ...v2Errors },
      }),
    },
    [`${base}/infer`]: {
      parameters: params,
      post: operation("predict", {
        operationId: `v2Infer${suffix}`,
        parameters: [ref("parameters", "requestId")],
        summary: "Score rows given as `[batch]` tensors, one per feature",
        description:
          "Binary tensor extension: inputs may be sent as binary data, and outputs asked as binary (`binary_data_output`, or an output's `binary_data`) come back as `application/octet-stream`.",
        tags: ["Open Inference Protocol v2"],
        requestBody: {
          required: true,
          content: {
            "application/json": { schema: schemaRef("V2InferRequest") },
            "application/octet-stream": binaryTensorBody("V2InferRequest"),
          },
        },
        responses: {
          "200": {
            description: "Predictions; binary when any output was asked as binary.",
            content: {
              "application/json": { schema: schemaRef("V2InferResponse") },
              "application/octet-stream": binaryTensorBody("V2InferResponse"),
            },
            headers: {
              ...servingHeaders,
              "Inference-Header-Content-Length": inferenceHeaderLength,
            },
          },
          ...v2Errors,
          "413": ref("responses", "V2Error"),
        },
      }),
    },
  };
}

/**
 * Kiln's HTTP API as an OpenAPI 3.1 document: pipelines, the Open Inference Protocol v2 and MLflow
 * scoring routes, endpoint admin, async jobs, metrics and docs. Each operation's `x-kiln-scope` and `security` name the key scope.
 *
 * @example
 * const document = kilnOpenApiDocument({ serverUrl: "http://127.0.0.1:8700" });
 * app.route("/", openApiRoutes(document));
 */
export function kilnOpenApiDocument(options: KilnOpenApiOptions = {}): OpenApiDocument {
  const opts = { ...defaultOptions, ...options } satisfies Required<KilnOpenApiOptions>;
  return {
    openapi: "3.1.0",
    info: {
      title: "Kiln",
      version: opts.version,
      description:
        "Notebook-first experiment tracking, pipelines and serving. Errors are `{error: {code, message, fix}}` on Kiln routes, `{error}` on v2 routes and `{error_code, message}` on MLflow routes; a client's mistake answers 4xx, never 5xx.",
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    servers: [{ url: opts.serverUrl }],
    tags: [
      { name: "Platform", description: "Health, metrics and this document." },
      { name: "Pipelines", description: "Compile and run notebooks (admin key)." },
      { name: "Open Inference Protocol v2", description: "KServe v2 REST scoring (predict key)." },
      {
        name: "MLflow scoring",
        description: "`mlflow models serve` compatible scoring (predict key).",
      },
      { name: "Endpoints", description: "Promote and roll back served models (admin key)." },
      { name: "Jobs", description: "Asynchronous scoring (predict key)." },
      {
        name: "Monitoring",
        description:
          "The prediction log: feedback labels (predict key); performance, usage and the log's sample rate (admin key).",
      },
    ],
    paths: {
      "/health": {
        get: operation("none", {
          operationId: "health",
          summary: "Liveness of the Kiln server",
          tags: ["Platform"],
          responses: { "200": json(schemaRef("Health"), "The server is up.") },
        }),
      },
      "/metrics": {
        get: operation("none", {
          operationId: "metrics",
          summary: "Prometheus metrics (text format 0.0.4)",
          tags: ["Platform"],
          responses: {
            "200": {
              description: "HTTP and serving metrics.",
              content: { "text/plain; version=0.0.4": { schema: { type: "string" } } },
            },
          },
        }),
      },
      "/openapi.json": {
        get: operation("none", {
          operationId: "openApiDocument",
          summary: "This OpenAPI document",
          tags: ["Platform"],
          responses: { "200": json({ type: "object" }, "The OpenAPI 3.1 document.") },
        }),
      },
      "/docs": {
        get: operation("none", {
          operationId: "apiDocs",
          summary: "This document as an HTML page",
          tags: ["Platform"],
          responses: {
            "200": {
              description: "HTML.",
              content: { "text/html": { schema: { type: "string" } } },
            },
          },
        }),
      },

      "/api/info": {
        get: operation("predict", {
          operationId: "serverInfo",
          summary: "What a client needs beyond the API: where MLflow's UI is, to link runs",
          tags: ["Platform"],
          responses: { "200": json(schemaRef("ServerInfo"), "The server's information.") },
        }),
      },

      "/api/pipelines": {
        get: operation("admin", {
          operationId: "listPipelines",
          summary: "Compiled pipelines and their versions",
          tags: ["Pipelines"],
          responses: { "200": json(schemaRef("PipelineList"), "Every pipeline.") },
        }),
      },
      "/api/pipelines/compile": {
        post: operation("admin", {
          operationId: "compilePipeline",
          summary: "Compile a notebook into a versioned pipeline spec",
          tags: ["Pipelines"],
          requestBody: jsonBody(schemaRef("CompileRequest")),
          responses: {
            "200": json(schemaRef("CompileResult"), "The spec and its version."),
            "400": ref("responses", "BadRequest"),
          },
        }),
      },
      "/api/pipelines/analyze": {
        post: operation("admin", {
          operationId: "analyzePipeline",
          summary:
            "Compile a notebook's content without registering a version: steps, data passed, problems per cell",
          tags: ["Pipelines"],
          requestBody: jsonBody(schemaRef("AnalyzeRequest")),
          responses: {
            "200": json(schemaRef("AnalyzeResult"), "The spec, or the problems found."),
            "400": ref("responses", "BadRequest"),
          },
        }),
      },
      "/api/pipelines/runs": {
        get: operation("admin", {
          operationId: "listPipelineRuns",
          summary: "Pipeline runs, optionally of one pipeline",
          tags: ["Pipelines"],
          parameters: [
            { name: "pipeline", in: "query", required: false, schema: { type: "string" } },
          ],
          responses: { "200": json(schemaRef("RunList"), "The runs.") },
        }),
        post: operation("admin", {
          operationId: "startPipelineRun",
          summary: "Compile and run a notebook (runs its code)",
          tags: ["Pipelines"],
          requestBody: jsonBody(schemaRef("RunRequest")),
          responses: {
            "202": json(schemaRef("RunStarted"), "The run has started."),
            "400": ref("responses", "BadRequest"),
          },
        }),
      },
      "/api/pipelines/runs/{runId}": {
        parameters: [ref("parameters", "runId")],
        get: operation("admin", {
          operationId: "getPipelineRun",
          summary: "A run's status and every step's",
          tags: ["Pipelines"],
          responses: {
            "200": json(schemaRef("PipelineRunRecord"), "The run record."),
            "404": ref("responses", "NotFound"),
          },
        }),
      },
      "/api/pipelines/runs/{runId}/models": {
        parameters: [ref("parameters", "runId")],
        get: operation("admin", {
          operationId: "listPipelineRunModels",
          summary: "Model versions the run's steps registered (what can be promoted), newest first",
          tags: ["Pipelines"],
          responses: {
            "200": json(schemaRef("RunModelList"), "The model versions."),
            "404": ref("responses", "NotFound"),
          },
        }),
      },
      "/api/pipelines/runs/{runId}/steps/{step}/log": {
        parameters: [
          ref("parameters", "runId"),
          { name: "step", in: "path", required: true, schema: { type: "string" } },
        ],
        get: operation("admin", {
          operationId: "getPipelineStepLog",
          summary: "A step's output so far (stdout and stderr lines, as they came)",
          tags: ["Pipelines"],
          responses: {
            "200": {
              description: "Plain text; empty for a cached step or one that printed nothing.",
              content: { "text/plain": { schema: { type: "string" } } },
            },
            "404": ref("responses", "NotFound"),
          },
        }),
      },
      "/api/pipelines/runs/{runId}/events": {
        parameters: [ref("parameters", "runId")],
        get: operation("admin", {
          operationId: "followPipelineRun",
          summary: "Server-sent events of a run, from its start until `run-finished`",
          tags: ["Pipelines"],
          responses: {
            "200": {
              description:
                "`text/event-stream`: each event's `event` is the type, `data` a JSON `PipelineEvent`.",
              content: {
                "text/event-stream": {
                  schema: {
                    type: "string",
                    description: "SSE frames; each `data` line is a JSON PipelineEvent.",
                  },
                },
              },
            },
            "404": ref("responses", "NotFound"),
            "409": json(
              schemaRef("KilnError"),
              "`RUN_NOT_LIVE`: not started by this server process.",
            ),
          },
        }),
      },

      "/v2": {
        get: operation("none", {
          operationId: "v2ServerMetadata",
          summary: "Server metadata",
          tags: ["Open Inference Protocol v2"],
          responses: { "200": json(schemaRef("V2ServerMetadata"), "Server name and version.") },
        }),
      },
      "/v2/health/live": {
        get: operation("none", {
          operationId: "v2Live",
          summary: "Liveness probe",
          tags: ["Open Inference Protocol v2"],
          responses: { "200": json(schemaRef("V2Live"), "The server is live.") },
        }),
      },
      "/v2/health/ready": {
        get: operation("none", {
          operationId: "v2Ready",
          summary: "Readiness probe: ready once a model is served",
          tags: ["Open Inference Protocol v2"],
          responses: {
            "200": json(schemaRef("V2Ready"), "A model is served."),
            "503": json(schemaRef("V2Ready"), "No model is served yet."),
          },
        }),
      },
      ...v2ModelPaths("/v2/models/{name}", false),
      ...v2ModelPaths("/v2/models/{name}/versions/{version}", true),

      "/endpoints/{name}/invocations": {
        parameters: [ref("parameters", "endpointName")],
        post: operation("predict", {
          operationId: "mlflowInvocations",
          parameters: [ref("parameters", "requestId")],
          summary: "Score rows with MLflow's scoring protocol (JSON or CSV)",
          tags: ["MLflow scoring"],
          requestBody: {
            required: true,
            content: {
              "application/json": { schema: schemaRef("MlflowInvocationsRequest") },
              "text/csv": {
                schema: { type: "string", description: "A header row, then one row per line." },
              },
            },
          },
          responses: {
            "200": {
              ...json(schemaRef("MlflowInvocationsResponse"), "Predictions."),
              headers: servingHeaders,
            },
            "400": ref("responses", "MlflowError"),
            "404": ref("responses", "MlflowError"),
            "413": ref("responses", "MlflowError"),
            "415": ref("responses", "MlflowError"),
          },
        }),
      },

      "/api/endpoints": {
        get: operation("admin", {
          operationId: "listEndpoints",
          summary:
            "Serving endpoints: the model each serves, its inputs and fallback, rows scored since the server started",
          tags: ["Endpoints"],
          responses: { "200": json(schemaRef("EndpointList"), "Every endpoint.") },
        }),
      },
      "/api/endpoints/{name}/promote": {
        parameters: [ref("parameters", "endpointName")],
        post: operation("admin", {
          operationId: "promoteModel",
          summary: "Serve a registered model version on the endpoint (creating it)",
          tags: ["Endpoints"],
          requestBody: jsonBody(schemaRef("PromoteRequest")),
          responses: {
            "200": json(schemaRef("EndpointState"), "The endpoint after the swap."),
            "400": ref("responses", "BadRequest"),
            "404": ref("responses", "NotFound"),
            "503": json(
              schemaRef("KilnError"),
              "`NO_MODEL_REGISTRY`: the server has no MLflow tracking server to promote from.",
            ),
          },
        }),
      },
      "/api/endpoints/{name}/rollback": {
        parameters: [ref("parameters", "endpointName")],
        post: operation("admin", {
          operationId: "rollbackEndpoint",
          summary: "Serve the previous model again (a second rollback rolls forward)",
          tags: ["Endpoints"],
          responses: {
            "200": json(schemaRef("EndpointState"), "The endpoint after the rollback."),
            "404": ref("responses", "NotFound"),
            "409": json(
              schemaRef("KilnError"),
              "`NOTHING_TO_ROLL_BACK`: the endpoint has no previous model.",
            ),
          },
        }),
      },
      "/endpoints/{name}/jobs": {
        parameters: [ref("parameters", "endpointName")],
        post: operation("predict", {
          operationId: "createScoringJob",
          summary: "Score rows asynchronously; optionally POST the finished job to `callback_url`",
          tags: ["Jobs"],
          requestBody: jsonBody(schemaRef("JobRequest")),
          responses: {
            "202": {
              ...json(schemaRef("JobAccepted"), "The job is queued; poll `status_url`."),
              headers: {
                Location: { description: "`/jobs/{job_id}`.", schema: { type: "string" } },
              },
            },
            "400": ref("responses", "BadRequest"),
            "404": ref("responses", "NotFound"),
            "413": json(
              schemaRef("KilnError"),
              "`JOB_TOO_LARGE`: split the rows over several jobs.",
            ),
            "503": json(schemaRef("KilnError"), "`JOBS_UNAVAILABLE`: the job queue is stopping."),
          },
        }),
      },
      "/jobs/{id}": {
        parameters: [ref("parameters", "jobId")],
        get: operation("predict", {
          operationId: "getScoringJob",
          summary: "A job's status and, once it succeeded, its result",
          tags: ["Jobs"],
          responses: {
            "200": json(schemaRef("Job"), "The job."),
            "404": ref("responses", "NotFound"),
          },
        }),
        delete: operation("predict", {
          operationId: "cancelScoringJob",
          summary: "Cancel a pending or running job",
          tags: ["Jobs"],
          responses: {
            "200": json(schemaRef("Job"), "The job, canceled."),
            "404": ref("responses", "NotFound"),
            "409": json(schemaRef("KilnError"), "The job has already ended."),
          },
        }),
      },
      "/jobs/{id}/cancel": {
        parameters: [ref("parameters", "jobId")],
        post: operation("predict", {
          operationId: "cancelScoringJobByPost",
          summary: "Cancel a job (for clients that cannot send DELETE)",
          tags: ["Jobs"],
          responses: {
            "200": json(schemaRef("Job"), "The job, canceled."),
            "404": ref("responses", "NotFound"),
            "409": json(schemaRef("KilnError"), "The job has already ended."),
          },
        }),
      },
      ...monitoringPaths(),
      ...policyPaths(),
    },
    components: {
      schemas: { ...schemas, ...monitoringSchemas },
      responses,
      parameters,
      securitySchemes,
    },
  };
}
