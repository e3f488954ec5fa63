import type { Context, MiddlewareHandler } from "hono";
import type { EndpointBatchers } from "./micro-batcher";
import type { EndpointRegistry } from "./endpoint-registry";
import type { MatrixRequestPrediction, RequestPrediction } from "./micro-batcher";
import type { FeatureMatrix, FeatureRow, ServedModel } from "./endpoint-model";
import { normalizeRows } from "./feature-rows";
import type { ServingMetrics } from "../observability/kiln-metrics";
import type { ScoredRows, ScoringProtocol, ScoringRecorder } from "../monitoring/prediction-log";
import { requestIdOf } from "../monitoring/request-ids";

/** What both scoring protocols need: the endpoints and their batchers. */
export type ServingDeps = {
  registry: EndpointRegistry;
  batchers: EndpointBatchers;
  /** Counts predictions and their latency per endpoint and version. */
  metrics?: ServingMetrics;
  /** Takes every answered request of a served endpoint (the prediction log). */
  predictionLog?: ScoringRecorder;
};

/** What a scoring handler tells `observeScoring`: the model it resolved, and what it scored. */
export type ScoringOutcome = { model: ServedModel; scored?: ScoredRows };

declare module "hono" {
  interface ContextVariableMap {
    /** Set by the scoring handlers for `observeScoring`. */
    scoring: ScoringOutcome;
  }
}

/**
 * A client's mistake at the serving boundary (unknown endpoint, malformed body, …); each protocol
 * renders it in its own error format. Row-level problems are `InputValidationError`s (400).
 *
 * @example
 * throw new ServingRequestError(404, `No serving endpoint "churn".`);
 */
export class ServingRequestError extends Error {
  override name = "ServingRequestError";

  constructor(
    readonly status: 400 | 404 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The model serving `name` (optionally only when it is `version`).
 * @throws ServingRequestError 404 naming the endpoints or the version that is served.
 */
export function resolveModel(deps: ServingDeps, name: string, version?: string): ServedModel {
  const model = deps.registry.get(name);
  if (!model) {
    const names = deps.registry.list().map((endpoint) => `"${endpoint.name}"`);
    throw new ServingRequestError(
      404,
      `No model "${name}" is served. ${names.length > 0 ? `Served models: ${names.join(", ")}.` : "No model is served yet."}`,
    );
  }
  if (version !== undefined && version !== model.version) {
    throw new ServingRequestError(
      404,
      `Model "${name}" has no version "${version}" being served; it serves version "${model.version}". Leave the version out to use the current one.`,
    );
  }
  return model;
}

/**
 * Validates client rows against the model and scores them through the endpoint's batcher.
 * @throws InputValidationError for a bad row (400).
 */
export async function scoreRows(
  deps: ServingDeps,
  model: ServedModel,
  rows: unknown[],
): Promise<RequestPrediction & { inputs: FeatureRow[] }> {
  const normalized = normalizeRows(model.inputs, rows);
  const started = performance.now();
  const prediction = await deps.batchers.for(model.endpoint).submit(model, normalized);
  deps.metrics?.observePrediction(prediction, (performance.now() - started) / 1000);
  return { ...prediction, inputs: normalized };
}

/**
 * Scores rows sent as one FP32 matrix in the order of `model.inputs` (see `FeatureMatrix`); the
 * caller checked the shape and that the values are finite or NaN (missing).
 */
export async function scoreMatrix(
  deps: ServingDeps,
  model: ServedModel,
  matrix: FeatureMatrix,
): Promise<MatrixRequestPrediction> {
  const started = performance.now();
  const prediction = await deps.batchers.for(model.endpoint).submitMatrix(model, matrix);
  deps.metrics?.observePrediction(prediction, (performance.now() - started) / 1000);
  return prediction;
}

/**
 * Tells the prediction log (and the per-endpoint error counter) about every answered request of a
 * served endpoint, after its answer is built: status, latency, the version, and the rows scored
 * (kept by reference; the log samples and queues them in O(1)). Requests for endpoints that are
 * not served are not logged, so a client cannot create tables by naming endpoints. Register it
 * before the body limit, so 413s count too; handlers say what they did with `c.set("scoring")`.
 *
 * @example
 * routes.post("/endpoints/:name/invocations", observeScoring(deps, "mlflow"), bodyLimit(...), handler);
 */
export const observeScoring = (deps: ServingDeps, protocol: ScoringProtocol): MiddlewareHandler =>
  async function observeScoring(c, next) {
    const time = Date.now();
    const started = performance.now();
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } finally {
      recordScoring(deps, c, { protocol, time, status, started });
    }
  };

function recordScoring(
  deps: ServingDeps,
  c: Context,
  request: { protocol: ScoringProtocol; time: number; status: number; started: number },
): void {
  const endpoint = c.req.param("name") ?? "";
  const outcome = c.get("scoring") as ScoringOutcome | undefined;
  const model = outcome?.model ?? deps.registry.get(endpoint);
  if (!model || model.endpoint !== endpoint) return;
  if (request.status >= 400)
    deps.metrics?.observeScoringError(endpoint, model.version, request.status);
  deps.predictionLog?.record({
    requestId: requestIdOf(c),
    endpoint,
    protocol: request.protocol,
    time: request.time,
    status: request.status,
    latencyMs: performance.now() - request.started,
    model,
    ...(outcome?.scored && request.status < 400 ? { scored: outcome.scored } : {}),
  });
}

/** The headers every scoring answer carries: which version served it and whether any row fell back. */
export function servingHeaders(
  prediction: Pick<RequestPrediction, "model" | "usedFallback">,
): Record<string, string> {
  return {
    "X-Kiln-Model-Version": prediction.model.version,
    "X-Kiln-Fallback": String(prediction.usedFallback.some(Boolean)),
  };
}
