// The Kiln server's promotion and serving API as the extension calls it (routes in
// server/src/api/endpoints-routes.ts, server/src/api/pipelines-routes.ts and
// server/src/serving/open-inference.ts).

import { fetchKiln, requestKiln } from "../request";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";

/** A model version a pipeline run registered (`GET /api/pipelines/runs/{runId}/models`). */
export type RunModel = {
  model: string;
  version: string;
  /** The step that logged it. */
  step: string | null;
  aliases: string[];
  /** Registration time, ms since the epoch. */
  createdAt: number;
};

/** The pipeline version that produced an endpoint's model: what retraining re-runs. */
export type PipelineBinding = { name: string; version: string; runId?: string };

/** Which model version an endpoint serves. */
export type ServedVersion = {
  model: string;
  version: string;
  promotedAt: string;
  pipeline?: PipelineBinding;
};

/** An endpoint's micro-batching limits. */
export type BatchingLimits = { maxBatchSize: number; maxWaitMs: number };

/** One input feature of a served model, with the range its bundle accepts. */
export type EndpointFeature = {
  name: string;
  datatype: "FP32" | "INT32" | "BOOL";
  required: boolean;
  min?: number;
  max?: number;
};

/** Rows an endpoint scored since the server started (`since`). */
export type EndpointUsage = { predictions: number; fallbackPredictions: number; since: string };

/** What a monitoring check measured of data drift (docs/monitoring.md). */
export type DriftSummary = {
  /** The share of the features that drifted, 0 to 1. */
  share: number;
  /** Whether that share reached the policy's threshold. */
  datasetDrift: boolean;
  /** The features that drifted. */
  drifted: string[];
};

/** An endpoint's monitoring at a glance: whether a policy watches it, and its last check. */
export type EndpointMonitoring = {
  policy: boolean;
  /** Null until a check ran. */
  lastCheck: {
    /** When, as an ISO date. */
    at: string;
    /** The served rows it looked at. */
    rows: number;
    /** Null when drift could not be measured (no traffic, no reference sample). */
    drift: DriftSummary | null;
    /** The summaries of the policy's conditions that held. */
    held: string[];
  } | null;
};

/** What `POST /api/endpoints/{name}/promote` and `…/rollback` answer. */
export type EndpointState = {
  name: string;
  current: ServedVersion;
  previous?: ServedVersion;
  pipeline?: PipelineBinding;
  batching?: BatchingLimits;
};

/** An endpoint as `GET /api/endpoints` lists it. */
export type ServedEndpoint = EndpointState & {
  /** False when its bundle failed to load when the server started. */
  serving: boolean;
  inputs: EndpointFeature[];
  fallback: { features: string[] } | null;
  /** Absent from servers older than the usage counts. */
  usage?: EndpointUsage;
  /** Absent from servers older than monitoring (which make no reports either). */
  monitoring?: EndpointMonitoring;
};

/** What to promote, and where to. */
export type PromoteRequest = {
  model: string;
  version: string;
  /** Absent: the endpoint keeps its limits (or the server's defaults). */
  batching?: BatchingLimits;
};

/** One tensor of the Open Inference Protocol v2 model metadata. */
export type V2TensorMetadata = { name: string; datatype: string; shape: number[] };

/** What `GET /v2/models/{name}` answers. */
export type V2ModelMetadata = {
  name: string;
  versions: string[];
  inputs: V2TensorMetadata[];
  outputs: V2TensorMetadata[];
};

const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json" },
  body: JSON.stringify(body),
});

const endpointPath = (endpoint: string) => `/api/endpoints/${encodeURIComponent(endpoint)}`;

/** The server reads the endpoint's prediction log to draw its report: give it time. */
const REPORT_TIMEOUT_MS = 30_000;

/**
 * The model versions a pipeline run's steps registered with `kiln.log.model`, newest first.
 *
 * @throws {KilnServerError} `RUN_NOT_FOUND`, `NO_MODEL_REGISTRY` (503), and as
 *   {@link requestKiln} does.
 * @example
 * ```ts
 * const models = await listRunModels(settings, run.runId);
 * ```
 */
export async function listRunModels(settings: KilnSettings, runId: string): Promise<RunModel[]> {
  const { models } = (await requestKiln(
    settings,
    `/api/pipelines/runs/${encodeURIComponent(runId)}/models`,
  )) as { models: RunModel[] };
  return models;
}

/**
 * Every endpoint with what it serves, its inputs, fallback and usage.
 *
 * @throws {KilnServerError} as {@link requestKiln} does (401/403 without the admin key).
 * @example
 * ```ts
 * for (const endpoint of await listEndpoints(settings)) show(endpoint.name, endpoint.current.version);
 * ```
 */
export async function listEndpoints(settings: KilnSettings): Promise<ServedEndpoint[]> {
  const { endpoints } = (await requestKiln(settings, "/api/endpoints")) as {
    endpoints: ServedEndpoint[];
  };
  return endpoints;
}

/**
 * Serves a registered model version on `endpoint` (creating it); the server points the MLflow
 * alias `champion` at it and binds the endpoint to the pipeline version that produced it.
 * Promotion downloads, verifies and warms up the model: give it a `signal` that waits long enough.
 *
 * @throws {KilnServerError} `MODEL_VERSION_NOT_FOUND` (404), `INVALID_ENDPOINT_NAME` and
 *   `INVALID_BATCHING` (400), `NO_MODEL_REGISTRY` (503), and as {@link requestKiln} does.
 * @example
 * ```ts
 * await promoteModel(settings, "drill", { model: "drill-anomaly", version: "3" }, AbortSignal.timeout(120_000));
 * ```
 */
export async function promoteModel(
  settings: KilnSettings,
  endpoint: string,
  request: PromoteRequest,
  signal: AbortSignal,
): Promise<EndpointState> {
  return (await requestKiln(settings, `${endpointPath(endpoint)}/promote`, {
    ...json(request),
    signal,
  })) as EndpointState;
}

/**
 * Serves the endpoint's previous version again.
 *
 * @throws {KilnServerError} `ENDPOINT_NOT_FOUND` (404), `NOTHING_TO_ROLL_BACK` (409), and as
 *   {@link requestKiln} does.
 * @example
 * ```ts
 * const { current } = await rollbackEndpoint(settings, "drill");
 * ```
 */
export async function rollbackEndpoint(
  settings: KilnSettings,
  endpoint: string,
): Promise<EndpointState> {
  // Loading the previous bundle can take a moment on a busy server.
  return (await requestKiln(settings, `${endpointPath(endpoint)}/rollback`, {
    method: "POST",
    signal: AbortSignal.timeout(60_000),
  })) as EndpointState;
}

/**
 * The endpoint's monitoring report (`GET /api/endpoints/{name}/report`): a self-contained HTML
 * page, inline CSS and SVG without scripts, to show in a sandboxed frame.
 *
 * @throws {KilnServerError} `ENDPOINT_NOT_FOUND` (404), `bad-response` when the answer is not
 *   HTML, `unreachable` when the connection breaks while reading it, and as {@link requestKiln}
 *   does.
 * @example
 * ```ts
 * frame.srcdoc = await getEndpointReport(settings, "drill");
 * ```
 */
export async function getEndpointReport(settings: KilnSettings, endpoint: string): Promise<string> {
  const path = `${endpointPath(endpoint)}/report`;
  const response = await fetchKiln(settings, path, {
    headers: { Accept: "text/html" },
    signal: AbortSignal.timeout(REPORT_TIMEOUT_MS),
  });
  if (!/\btext\/html\b/.test(response.headers.get("content-type") ?? "")) {
    throw new KilnServerError(
      "bad-response",
      `The server at ${settings.serverUrl} answered ${path} with something other than an HTML page`,
      "Check that the server URL in Settings → Kiln points at a Kiln server that makes monitoring reports.",
      { serverUrl: settings.serverUrl, response },
    );
  }
  try {
    return await response.text();
  } catch (error) {
    throw new KilnServerError(
      "unreachable",
      `The connection to the Kiln server at ${settings.serverUrl} broke while reading endpoint "${endpoint}"'s report`,
      "Refresh the report to try again.",
      { serverUrl: settings.serverUrl, response, cause: error },
    );
  }
}

/**
 * The served model's Open Inference Protocol v2 metadata: its inputs and outputs.
 *
 * @throws {KilnServerError} with the server's own message when no model is served there, and as
 *   {@link requestKiln} does.
 * @example
 * ```ts
 * const { inputs } = await getModelMetadata(settings, "drill");
 * ```
 */
export async function getModelMetadata(
  settings: KilnSettings,
  endpoint: string,
): Promise<V2ModelMetadata> {
  return (await requestV2(
    settings,
    `/v2/models/${encodeURIComponent(endpoint)}`,
  )) as V2ModelMetadata;
}

/**
 * Whether the endpoint answers predictions (`GET /v2/models/{name}/ready`), and with which version.
 *
 * @throws {KilnServerError} with the server's own message when no model is served there, and as
 *   {@link requestKiln} does.
 * @example
 * ```ts
 * const { ready, version } = await getModelReadiness(settings, "drill");
 * ```
 */
export async function getModelReadiness(
  settings: KilnSettings,
  endpoint: string,
): Promise<{ ready: boolean; version: string }> {
  return (await requestV2(settings, `/v2/models/${encodeURIComponent(endpoint)}/ready`)) as {
    ready: boolean;
    version: string;
  };
}

// The v2 routes answer errors as `{"error": "message"}`, not as Kiln's `{error: {message, fix}}`:
// their message is still the best explanation there is.
async function requestV2(settings: KilnSettings, path: string): Promise<unknown> {
  try {
    return await requestKiln(settings, path);
  } catch (error) {
    if (!(error instanceof KilnServerError) || !error.response) throw error;
    const body = (await error.response.json().catch(() => undefined)) as
      { error?: unknown } | undefined;
    if (typeof body?.error !== "string") throw error;
    const fix =
      error.response.status === 404
        ? "Promote a model to this endpoint from the Models section of the Kiln panel."
        : error.fix;
    throw new KilnServerError("bad-response", body.error, fix, {
      serverUrl: error.serverUrl,
      response: error.response,
      cause: error,
    });
  }
}
