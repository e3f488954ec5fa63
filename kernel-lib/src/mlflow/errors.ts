/**
 * Typed errors for the MLflow client: one class per way a call can fail, all sharing the base
 * `MlflowError` so callers can catch "anything from tracking" in one clause.
 *
 * @example
 * ```ts
 * try {
 *   await client.getRun("nope");
 * } catch (err) {
 *   if (err instanceof MlflowApiError && err.errorCode === "RESOURCE_DOES_NOT_EXIST") {
 *     // handle a missing run
 *   }
 * }
 * ```
 */
export class MlflowError extends Error {
  override name = "MlflowError";
}

type MlflowApiErrorInit = {
  /** MLflow's `error_code`, e.g. `RESOURCE_DOES_NOT_EXIST`; `HTTP_<status>` for plain-text bodies. */
  errorCode: string;
  /** HTTP status of the response. */
  status: number;
  /** MLflow's own message (or the plain-text body from its security middleware). */
  serverMessage: string;
  /** `METHOD /path` that failed, e.g. `POST /api/2.0/mlflow/runs/log-batch`. */
  endpoint: string;
  cause?: unknown;
};

/**
 * The MLflow server answered, and refused the request (any non-2xx that retries did not fix).
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof MlflowApiError && err.errorCode === "RESOURCE_ALREADY_EXISTS") { ... }
 * }
 * ```
 */
export class MlflowApiError extends MlflowError {
  override name = "MlflowApiError";
  readonly errorCode: string;
  readonly status: number;
  readonly serverMessage: string;
  readonly endpoint: string;

  constructor(init: MlflowApiErrorInit) {
    super(
      `MLflow rejected ${init.endpoint} with ${init.status} ${init.errorCode}: ${init.serverMessage.replace(/\.\s*$/, "")}. ` +
        hintFor(init.errorCode, init.status),
      { cause: init.cause },
    );
    this.errorCode = init.errorCode;
    this.status = init.status;
    this.serverMessage = init.serverMessage;
    this.endpoint = init.endpoint;
  }
}

// What to do next depends mostly on the error code; keep the advice short and concrete.
function hintFor(errorCode: string, status: number): string {
  if (errorCode === "RESOURCE_DOES_NOT_EXIST") {
    return "Check the id or name (ids are strings such as run ids from createRun/startRun).";
  }
  if (errorCode === "RESOURCE_ALREADY_EXISTS") {
    return "Use the existing resource, or pick another name.";
  }
  if (errorCode === "INVALID_PARAMETER_VALUE") {
    return "Fix the value named in the message and retry.";
  }
  if (status === 403) {
    return "The server's security middleware refused the request: connect via localhost/127.0.0.1 or start the server with --allowed-hosts.";
  }
  return "See the MLflow server log for details.";
}

type MlflowUnavailableErrorInit = {
  endpoint: string;
  attempts: number;
  elapsedMs: number;
  /** Last low-level failure, e.g. `ECONNREFUSED` or `HTTP 503`. */
  reason: string;
  cause?: unknown;
};

/**
 * The MLflow server could not be reached (connection refused, reset, timed out, or kept answering
 * 5xx/429) even after the configured retries.
 *
 * @example
 * ```ts
 * catch (err) {
 *   if (err instanceof MlflowUnavailableError) console.warn(`tracking down: ${err.reason}`);
 * }
 * ```
 */
export class MlflowUnavailableError extends MlflowError {
  override name = "MlflowUnavailableError";
  readonly endpoint: string;
  readonly attempts: number;
  readonly elapsedMs: number;
  readonly reason: string;

  constructor(init: MlflowUnavailableErrorInit) {
    super(
      `MLflow is unavailable: ${init.endpoint} failed with ${init.reason} after ${init.attempts} attempt(s) in ${init.elapsedMs} ms. ` +
        "Expected a running tracking server at the tracking URI: start it (mlflow server ...) or check MLFLOW_TRACKING_URI. " +
        "Logged metrics/params/tags are spooled to disk and sent when the server is back.",
      { cause: init.cause },
    );
    this.endpoint = init.endpoint;
    this.attempts = init.attempts;
    this.elapsedMs = init.elapsedMs;
    this.reason = init.reason;
  }
}

type MlflowValidationErrorInit = {
  /** What was checked, e.g. `metric key` or `param "lr" value`. */
  field: string;
  /** What was wrong with it. */
  problem: string;
  /** What is allowed. */
  allowed: string;
  /** How to fix it. */
  fix: string;
};

/**
 * Input rejected on the client before anything was sent or buffered.
 *
 * @example
 * ```ts
 * expect(() => run.logMetric("loss", NaN)).toThrow(MlflowValidationError);
 * ```
 */
export class MlflowValidationError extends MlflowError {
  override name = "MlflowValidationError";
  readonly field: string;
  readonly problem: string;
  readonly allowed: string;
  readonly fix: string;

  constructor(init: MlflowValidationErrorInit) {
    super(`Invalid ${init.field}: ${init.problem}. Allowed: ${init.allowed}. Fix: ${init.fix}`);
    this.field = init.field;
    this.problem = init.problem;
    this.allowed = init.allowed;
    this.fix = init.fix;
  }
}
