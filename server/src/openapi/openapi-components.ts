import { obj } from "./openapi-operations";
import type {
  OpenApiDocument,
  ParameterObject,
  ResponseObject,
  SchemaObject,
} from "./openapi-types";

/** `{ $ref }` to a schema of the document's components. */
export const schemaRef = (name: keyof typeof schemas): SchemaObject => ({
  $ref: `#/components/schemas/${name}`,
});

const str = (description?: string): SchemaObject => ({
  type: "string",
  ...(description ? { description } : {}),
});

const pipelineEventTime = { type: "number", description: "Unix time in milliseconds." } as const;
const stepStatus: SchemaObject = {
  type: "string",
  enum: ["pending", "running", "cached", "succeeded", "failed", "skipped"],
};
const tensor = (description: string): SchemaObject =>
  obj(
    {
      name: str(),
      shape: { type: "array", items: { type: "integer" } },
      datatype: str("A v2 datatype: BOOL, INT8…INT64, UINT8…UINT64, FP16, FP32, FP64, BYTES."),
      parameters: { type: "object" },
      data: { type: "array", description: "Row-major values, flat or nested by `shape`." },
    },
    ["name", "shape", "datatype", "data"],
    description,
  );

/** The schemas of Kiln's requests, answers and errors. */
export const schemas = {
  KilnError: obj(
    {
      error: obj(
        {
          code: str("Stable, machine-readable, e.g. `MISSING_FIELD`, `UNAUTHENTICATED`."),
          message: str("What happened and what was expected."),
          fix: str("What to do next."),
        },
        ["code", "message"],
      ),
    },
    ["error"],
    "Kiln's error body (`/health`, `/api/...`, `/jobs/...`): a 4xx for the client's mistake.",
  ),
  V2Error: obj(
    { error: str("What was wrong, naming the input and what was expected.") },
    ["error"],
    "Open Inference Protocol error body.",
  ),
  MlflowError: obj(
    {
      error_code: {
        type: "string",
        enum: ["BAD_REQUEST", "RESOURCE_DOES_NOT_EXIST", "INTERNAL_ERROR"],
      },
      message: str(),
    },
    ["error_code", "message"],
    "MLflow scoring server error body.",
  ),
  Health: obj({ status: { const: "ok" } }, ["status"]),
  ServerInfo: obj(
    {
      mlflowUrl: {
        type: ["string", "null"],
        description:
          "MLflow's web UI: a run's page is `<mlflowUrl>/#/experiments/<experimentId>/runs/<runId>`. Null when the server tracks nowhere, or in a store without a UI.",
      },
    },
    ["mlflowUrl"],
  ),

  PipelineList: obj(
    {
      pipelines: {
        type: "array",
        items: obj(
          {
            name: str(),
            versions: {
              type: "array",
              items: obj({ version: str(), hash: str(), createdAt: str(), notebookPath: str() }, [
                "version",
                "hash",
                "createdAt",
                "notebookPath",
              ]),
            },
          },
          ["name", "versions"],
        ),
      },
    },
    ["pipelines"],
  ),
  CompileRequest: obj(
    {
      notebook: {
        type: "string",
        minLength: 1,
        description: "Relative to the notebooks folder.",
        examples: ["diamond.ipynb"],
      },
    },
    ["notebook"],
  ),
  CompileResult: obj(
    {
      spec: {
        type: "object",
        description: "A `PipelineSpec` (kernel-lib/src/spec/pipeline-spec.ts).",
        additionalProperties: true,
      },
      version: str("The content-addressed version of the spec."),
    },
    ["spec", "version"],
  ),
  RunModelList: obj(
    {
      models: {
        type: "array",
        items: obj(
          {
            model: str("Registered model name."),
            version: str("Its version."),
            step: { type: ["string", "null"], description: "The step that logged it." },
            aliases: { type: "array", items: { type: "string" } },
            createdAt: { type: "integer", description: "Registration time, ms since the epoch." },
          },
          ["model", "version", "step", "aliases", "createdAt"],
        ),
      },
    },
    ["models"],
  ),
  AnalyzeRequest: obj(
    {
      notebook: {
        type: "object",
        description: "The notebook's JSON content (nbformat 4), as the editor holds it.",
        additionalProperties: true,
      },
      path: {
        type: "string",
        description:
          "Its path relative to the notebooks folder: names the pipeline and picks the lockfile.",
        examples: ["diamond.ipynb"],
      },
    },
    ["notebook"],
  ),
  AnalyzeResult: obj(
    {
      spec: {
        type: ["object", "null"],
        description:
          "The `PipelineSpec` the content compiles to (steps with inferred inputs and outputs, edges), or null when it has problems.",
        additionalProperties: true,
      },
      version: {
        type: ["string", "null"],
        description: "The registered version with the same spec hash, if the content has one.",
      },
      problems: {
        type: "array",
        description:
          "Every problem found, each with `code`, `cell` ({index, firstLine}), `message` and `fix`.",
        items: { type: "object", additionalProperties: true },
      },
    },
    ["spec", "version", "problems"],
  ),
  RunRequest: obj(
    {
      notebook: { type: "string", minLength: 1, examples: ["diamond.ipynb"] },
      params: {
        type: "object",
        additionalProperties: true,
        description: "Pipeline parameter values.",
      },
      force: { type: "boolean", description: "Re-run steps even when cached." },
    },
    ["notebook"],
  ),
  RunStarted: obj(
    {
      runId: str(),
      pipeline: str(),
      version: str(),
      events: str("Path of the run's event stream."),
    },
    ["runId", "pipeline", "version", "events"],
  ),
  PipelineRunRecord: obj(
    {
      runId: str(),
      pipeline: str(),
      version: str(),
      specHash: str(),
      status: { type: "string", enum: ["running", "succeeded", "failed"] },
      params: { type: "object", additionalProperties: true },
      startTime: pipelineEventTime,
      endTime: pipelineEventTime,
      mlflowRunId: str(),
      experimentId: str("MLflow experiment of the parent and step runs."),
      steps: {
        type: "object",
        additionalProperties: obj(
          {
            status: stepStatus,
            durationMs: { type: "number" },
            error: str(),
            mlflowRunId: str(),
          },
          ["status"],
        ),
      },
    },
    ["runId", "pipeline", "version", "specHash", "status", "params", "startTime", "steps"],
  ),
  RunList: obj(
    { runs: { type: "array", items: { $ref: "#/components/schemas/PipelineRunRecord" } } },
    ["runs"],
  ),
  PipelineEvent: {
    description:
      "One server-sent event's `data` (JSON); the SSE `event` field repeats `type`. Shapes in kernel-lib/src/spec/pipeline-events.ts.",
    oneOf: [
      obj(
        {
          type: { const: "run-started" },
          runId: str(),
          pipeline: str(),
          version: str(),
          steps: { type: "array", items: str() },
          mlflowRunId: str(),
          experimentId: str("MLflow experiment of the parent and step runs."),
          time: pipelineEventTime,
        },
        ["type", "runId", "pipeline", "version", "steps", "time"],
      ),
      obj(
        {
          type: { const: "step-status" },
          runId: str(),
          step: str(),
          status: stepStatus,
          durationMs: { type: "number" },
          error: str(),
          mlflowRunId: str(),
          time: pipelineEventTime,
        },
        ["type", "runId", "step", "status", "time"],
      ),
      obj(
        {
          type: { const: "step-log" },
          runId: str(),
          step: str(),
          stream: { type: "string", enum: ["stdout", "stderr"] },
          line: str(),
          time: pipelineEventTime,
        },
        ["type", "runId", "step", "stream", "line", "time"],
      ),
      obj(
        {
          type: { const: "run-finished" },
          runId: str(),
          status: { type: "string", enum: ["succeeded", "failed"] },
          durationMs: { type: "number" },
          time: pipelineEventTime,
        },
        ["type", "runId", "status", "durationMs", "time"],
      ),
    ],
  },

  V2ServerMetadata: obj(
    { name: str(), version: str(), extensions: { type: "array", items: str() } },
    ["name", "version", "extensions"],
  ),
  V2Live: obj({ live: { type: "boolean" } }, ["live"]),
  V2Ready: obj({ ready: { type: "boolean" } }, ["ready"]),
  V2ModelMetadata: obj(
    {
      name: str(),
      versions: { type: "array", items: str() },
      platform: { const: "kiln-tfjs" },
      inputs: {
        type: "array",
        items: obj(
          { name: str(), datatype: str(), shape: { type: "array", items: { type: "integer" } } },
          ["name", "datatype", "shape"],
        ),
      },
      outputs: {
        type: "array",
        items: obj(
          { name: str(), datatype: str(), shape: { type: "array", items: { type: "integer" } } },
          ["name", "datatype", "shape"],
        ),
      },
      parameters: obj({ kiln_model_name: str() }, ["kiln_model_name"]),
    },
    ["name", "versions", "platform", "inputs", "outputs"],
  ),
  V2ModelReady: obj({ name: str(), version: str(), ready: { type: "boolean" } }, [
    "name",
    "version",
    "ready",
  ]),
  V2InferRequest: obj(
    {
      id: str(),
      parameters: {
        type: "object",
        properties: {
          binary_data_output: {
            type: "boolean",
            description:
              "Binary tensor extension: send every output as binary unless its own `binary_data` says otherwise.",
          },
        },
      },
      inputs: { type: "array", items: tensor("One feature as a `[batch]` tensor.") },
      outputs: {
        type: "array",
        description: "The outputs to answer (all of them when absent), each once.",
        items: obj(
          {
            name: str(),
            parameters: {
              type: "object",
              properties: {
                binary_data: {
                  type: "boolean",
                  description:
                    "Binary tensor extension: send this output as binary (`true`) or JSON.",
                },
              },
            },
          },
          ["name"],
        ),
      },
    },
    ["inputs"],
  ),
  V2InferResponse: obj(
    {
      model_name: str(),
      model_version: str("The version that answered."),
      id: str(),
      outputs: {
        type: "array",
        items: obj(
          {
            name: str(),
            shape: { type: "array", items: { type: "integer" } },
            datatype: str("`FP32`."),
            parameters: {
              type: "object",
              properties: {
                binary_data_size: {
                  type: "integer",
                  description:
                    "Set on an output sent as binary (instead of `data`): its byte length in the data after the JSON header.",
                },
              },
            },
            data: { type: "array", description: "Row-major values, when sent as JSON." },
          },
          ["name", "shape", "datatype"],
          "One output as a `[batch, ...shape]` tensor: `data`, or `parameters.binary_data_size` when sent as binary.",
        ),
      },
      parameters: obj(
        {
          kiln_fallback: {
            type: "array",
            items: { type: "boolean" },
            description: "Per row: whether the model's fallback answered.",
          },
        },
        ["kiln_fallback"],
      ),
    },
    ["model_name", "model_version", "outputs", "parameters"],
  ),

  MlflowInvocationsRequest: {
    description: "One of MLflow's JSON input formats.",
    oneOf: [
      obj(
        {
          dataframe_split: obj(
            {
              columns: { type: "array", items: str() },
              data: { type: "array", items: { type: "array" } },
            },
            ["columns", "data"],
          ),
        },
        ["dataframe_split"],
      ),
      obj({ dataframe_records: { type: "array", items: { type: "object" } } }, [
        "dataframe_records",
      ]),
      obj({ instances: { type: "array" } }, ["instances"]),
      obj({ inputs: {} }, ["inputs"]),
    ],
  },
  MlflowInvocationsResponse: obj(
    {
      predictions: {
        type: "array",
        description: "One entry per row (MLflow clients read only this).",
      },
      kiln: obj({ model_version: str(), fallback: { type: "array", items: { type: "boolean" } } }, [
        "model_version",
        "fallback",
      ]),
    },
    ["predictions", "kiln"],
  ),

  PromoteRequest: obj(
    {
      model: str("Registered model name in MLflow."),
      version: str("Model version (a number is accepted too); default: the latest."),
      alias: str("MLflow alias to resolve, e.g. `champion`; give `version` or `alias`, not both."),
      set_alias: str("Alias to point at the promoted version; default `champion`."),
      batching: { $ref: "#/components/schemas/BatchingLimits" },
    },
    ["model"],
  ),
  BatchingLimits: obj(
    {
      maxBatchSize: {
        type: "integer",
        minimum: 1,
        maximum: 65536,
        description: "Rows per tensor call (default 256; 1 turns batching off).",
      },
      maxWaitMs: {
        type: "number",
        minimum: 0,
        maximum: 1000,
        description:
          "How long the oldest waiting request may wait for others to join its batch (default 2).",
      },
    },
    ["maxBatchSize", "maxWaitMs"],
    "An endpoint's micro-batching limits; kept across promotions and restarts until set again.",
  ),
  PipelineBinding: obj(
    {
      name: str("Pipeline name."),
      version: str("Pipeline version (`v3`) whose run logged the served model."),
      runId: str("The pipeline run that logged it."),
    },
    ["name", "version"],
    "What retraining re-runs: taken from the served version's lineage tags at promotion.",
  ),
  ServedVersion: obj(
    {
      model: str(),
      version: str(),
      promotedAt: { type: "string", format: "date-time" },
      pipeline: { $ref: "#/components/schemas/PipelineBinding" },
    },
    ["model", "version", "promotedAt"],
  ),
  EndpointState: obj(
    {
      name: str(),
      current: { $ref: "#/components/schemas/ServedVersion" },
      previous: { $ref: "#/components/schemas/ServedVersion" },
      pipeline: { $ref: "#/components/schemas/PipelineBinding" },
      batching: { $ref: "#/components/schemas/BatchingLimits" },
    },
    ["name", "current"],
    "An endpoint as the admin API lists it (`EndpointState` in server/src/serving/endpoint-manager.ts).",
  ),
  ServedEndpoint: {
    description:
      "An endpoint as `GET /api/endpoints` lists it: its state, what its loaded model takes, and its usage.",
    allOf: [
      { $ref: "#/components/schemas/EndpointState" },
      obj(
        {
          serving: {
            type: "boolean",
            description:
              "False when the endpoint's bundle failed to load at start (the server log says why).",
          },
          inputs: {
            type: "array",
            description: "The served model's input features (empty while not serving).",
            items: obj(
              {
                name: str(),
                datatype: { type: "string", enum: ["FP32", "INT32", "BOOL"] },
                required: {
                  type: "boolean",
                  description: "False for a feature the fallback model can do without.",
                },
                min: { type: "number" },
                max: { type: "number" },
              },
              ["name", "datatype", "required"],
            ),
          },
          fallback: {
            oneOf: [
              obj(
                { features: { type: "array", items: { type: "string" } } },
                ["features"],
                "The features the fallback model answers from.",
              ),
              { type: "null" },
            ],
            description: "The served model's fallback model; null when it has none.",
          },
          usage: obj(
            {
              predictions: { type: "integer", description: "Rows scored (model or fallback)." },
              fallbackPredictions: {
                type: "integer",
                description: "Of those, rows the fallback answered.",
              },
              since: {
                type: "string",
                format: "date-time",
                description: "When counting started: the server's start.",
              },
            },
            ["predictions", "fallbackPredictions", "since"],
            "Rows this endpoint scored since the server started; rates are differences between two lists.",
          ),
          monitoring: obj(
            {
              policy: { type: "boolean", description: "Whether the endpoint has a policy." },
              lastCheck: {
                oneOf: [
                  obj(
                    {
                      at: { type: "string", format: "date-time" },
                      rows: { type: "integer", description: "Rows of the window." },
                      drift: {
                        oneOf: [
                          obj(
                            {
                              share: { type: "number" },
                              datasetDrift: { type: "boolean" },
                              drifted: { type: "array", items: { type: "string" } },
                            },
                            ["share", "datasetDrift", "drifted"],
                          ),
                          { type: "null" },
                        ],
                        description: "Null when drift could not be measured.",
                      },
                      held: { type: "array", items: { type: "string" } },
                    },
                    ["at", "rows", "drift", "held"],
                  ),
                  { type: "null" },
                ],
              },
            },
            ["policy", "lastCheck"],
            "The endpoint's policy and its last monitoring check (docs/monitoring.md).",
          ),
        },
        ["serving", "inputs", "fallback", "usage"],
      ),
    ],
  },
  EndpointList: obj(
    { endpoints: { type: "array", items: { $ref: "#/components/schemas/ServedEndpoint" } } },
    ["endpoints"],
  ),
  JobRequest: {
    description:
      "An MLflow JSON scoring body (`dataframe_split`, `dataframe_records`, `instances` or `inputs`) plus an optional `callback_url` that receives the finished job (POST).",
    allOf: [
      { $ref: "#/components/schemas/MlflowInvocationsRequest" },
      { type: "object", properties: { callback_url: { type: "string", format: "uri" } } },
    ],
  },
  JobAccepted: obj(
    {
      job_id: str(),
      status: { const: "pending" },
      status_url: str("Poll this: `/jobs/{job_id}`."),
    },
    ["job_id", "status", "status_url"],
  ),
  Job: obj(
    {
      job_id: str(),
      endpoint: str(),
      status: { type: "string", enum: ["pending", "running", "succeeded", "failed", "canceled"] },
      created_at: { type: "string", format: "date-time" },
      started_at: { type: "string", format: "date-time" },
      finished_at: { type: "string", format: "date-time" },
      result: obj(
        {
          predictions: { type: "array", items: {} },
          model_version: str(),
          fallback: { type: "array", items: { type: "boolean" } },
        },
        ["predictions", "model_version", "fallback"],
        "Set once the job succeeded.",
      ),
      error: str("Set when the job failed."),
      callback: obj(
        {
          url: str(),
          attempts: { type: "integer" },
          delivered_at: { type: "string", format: "date-time" },
          last_error: str(),
        },
        ["url", "attempts"],
      ),
    },
    ["job_id", "endpoint", "status", "created_at"],
    "A job as `GET /jobs/{id}` answers it (`JobDocument` in server/src/jobs/job-store.ts).",
  ),
} satisfies Record<string, SchemaObject>;

const kilnError = (description: string): ResponseObject => ({
  description,
  content: { "application/json": { schema: schemaRef("KilnError") } },
});

/** Shared error answers. */
export const responses = {
  BadRequest: kilnError("The request is malformed; `error.fix` says what to send."),
  Unauthenticated: kilnError("No key, or an unknown key (`UNAUTHENTICATED`)."),
  Forbidden: kilnError("A predict key on an admin endpoint (`FORBIDDEN`)."),
  NotFound: kilnError("No such resource."),
  V2Error: {
    description: "Open Inference Protocol error.",
    content: { "application/json": { schema: schemaRef("V2Error") } },
  },
  MlflowError: {
    description: "MLflow scoring error.",
    content: { "application/json": { schema: schemaRef("MlflowError") } },
  },
} satisfies Record<string, ResponseObject>;

const pathParam = (name: string, description: string): ParameterObject => ({
  name,
  in: "path",
  required: true,
  description,
  schema: { type: "string" },
});

/** Shared path parameters. */
export const parameters = {
  runId: pathParam("runId", "A pipeline run id."),
  modelName: pathParam("name", "The serving endpoint (v2 calls it the model name)."),
  modelVersion: pathParam("version", "Must be the version being served."),
  endpointName: pathParam("name", "The serving endpoint."),
  jobId: pathParam("id", "An async job id."),
  requestId: {
    name: "X-Request-Id",
    in: "header",
    required: false,
    description:
      "Your id for this request (1–128 of `A-Z a-z 0-9 . _ : -`), kept as the prediction log's `request_id`; any other value is replaced by a generated UUID. The answer's `X-Request-Id` says which id was used.",
    schema: { type: "string" },
  },
} satisfies Record<string, ParameterObject>;

/** The key schemes: one key, two ways to send it; the role (scope) is the key's scope. */
export const securitySchemes = {
  bearerKey: {
    type: "http",
    scheme: "bearer",
    description:
      "`Authorization: Bearer <key>`. Keys have the scope `admin` or `predict` (`kiln keys create --scope ...`); an admin key also passes predict routes.",
  },
  kilnKey: {
    type: "apiKey",
    name: "X-Kiln-Key",
    in: "header",
    description: "The same key in the `X-Kiln-Key` header.",
  },
} satisfies OpenApiDocument["components"]["securitySchemes"];
