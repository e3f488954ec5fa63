/**
 * HTTP transport to an MLflow tracking server: one axios instance, MLflow's error bodies mapped to
 * typed errors, and bounded retries of transient failures.
 *
 * Retried: connection refused/reset/timed out, 5xx and 429 (honouring `Retry-After`). Never
 * retried: other 4xx, which will not change by asking again. Requests that are not idempotent
 * (e.g. `runs/create`) are only retried when the request provably never reached the server
 * (connection refused, DNS), so a lost response cannot create a second run.
 */
import axios from "axios";
import type { AxiosError, AxiosInstance, AxiosResponse } from "axios";
import type { Readable } from "node:stream";
import { MlflowApiError, MlflowUnavailableError } from "./errors";
import { DEFAULT_RETRY, backoffDelay, sleep } from "./retry";
import type { RetryOptions } from "./retry";

/** Options of {@link MlflowTransport}. */
export type TransportOptions = {
  /** e.g. `http://127.0.0.1:5000`; a path prefix (`http://host/mlflow`) is kept. */
  trackingUri: string;
  retry?: Partial<RetryOptions>;
  /** Per-request timeout; a timeout counts as a transient failure. */
  timeoutMs?: number;
};

/** A JSON request to the MLflow REST API. */
export type JsonRequest = {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Path under the tracking URI, e.g. `/api/2.0/mlflow/runs/get`. */
  path: string;
  params?: Record<string, unknown>;
  body?: unknown;
  /** Default true. False means "retry only if the request surely never arrived". */
  idempotent?: boolean;
};

// Failures where the request never reached the server: safe to retry even a create.
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH"]);

// A non-2xx response whose body was a stream (downloads); carries the read body for mapping.
class StatusFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, unknown>,
  ) {
    super(`HTTP ${status}`);
  }
}

type Classified =
  | { kind: "api"; error: MlflowApiError }
  | { kind: "transient"; reason: string; sent: boolean; retryAfterMs: number | undefined };

/**
 * Sends requests to MLflow with retries and typed errors.
 *
 * @example
 * ```ts
 * const http = new MlflowTransport({ trackingUri: "http://127.0.0.1:5000" });
 * const { run } = await http.json<{ run: WireRun }>({
 *   method: "GET", path: "/api/2.0/mlflow/runs/get", params: { run_id: id },
 * });
 * ```
 */
export class MlflowTransport {
  readonly trackingUri: string;
  #axios: AxiosInstance;
  #retry: RetryOptions;

  constructor(options: TransportOptions) {
    const opts = { timeoutMs: 30_000, ...options } satisfies TransportOptions;
    if (!/^https?:\/\//.test(opts.trackingUri)) {
      throw new TypeError(
        `MLflow tracking URI must start with http:// or https://, got "${opts.trackingUri}". ` +
          "Set it to the address of `mlflow server`, e.g. http://127.0.0.1:5000.",
      );
    }
    this.trackingUri = opts.trackingUri.replace(/\/+$/, "");
    this.#retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.#axios = axios.create({
      baseURL: this.trackingUri,
      timeout: opts.timeoutMs,
      // MLflow reads repeated query params as `order_by=a&order_by=b`, not `order_by[]=a`.
      paramsSerializer: { indexes: null },
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
    });
  }

  /** Sends a JSON request; resolves with the parsed body. Throws MlflowApiError / MlflowUnavailableError. */
  async json<T>(request: JsonRequest): Promise<T> {
    const endpoint = `${request.method} ${request.path}`;
    return this.#withRetry(endpoint, request.idempotent ?? true, async () => {
      const response = await this.#axios.request<T>({
        method: request.method,
        url: request.path,
        params: request.params,
        // MLflow requires a JSON content type on POST/PATCH/DELETE, and DELETE reads its body.
        data: request.method === "GET" ? undefined : (request.body ?? {}),
        headers: request.method === "GET" ? {} : { "Content-Type": "application/json" },
        responseType: "json",
      });
      return response.data;
    });
  }

  /**
   * Streams a body to `PUT path`. `openBody` is called once per attempt because a consumed stream
   * cannot be re-sent.
   */
  async putStream(path: string, openBody: () => Readable, size?: number): Promise<void> {
    await this.#withRetry(`PUT ${path}`, true, async () => {
      await this.#axios.put(path, openBody(), {
        headers: {
          "Content-Type": "application/octet-stream",
          ...(size !== undefined ? { "Content-Length": String(size) } : {}),
        },
      });
    });
  }

  /** Opens `GET path` as a stream (not buffered); the caller must consume it. */
  async getStream(path: string): Promise<Readable> {
    return this.#withRetry(`GET ${path}`, true, async () => {
      const response: AxiosResponse<Readable> = await this.#axios.get(path, {
        responseType: "stream",
        validateStatus: () => true,
      });
      if (response.status >= 200 && response.status < 300) return response.data;
      const body = await readAll(response.data);
      throw new StatusFailure(response.status, body, response.headers as Record<string, unknown>);
    });
  }

  async #withRetry<T>(
    endpoint: string,
    idempotent: boolean,
    attempt: () => Promise<T>,
  ): Promise<T> {
    const started = Date.now();
    for (let tryNumber = 1; ; tryNumber++) {
      try {
        return await attempt();
      } catch (err) {
        const failure = classify(err, endpoint);
        if (failure.kind === "api") throw failure.error;
        const elapsed = Date.now() - started;
        const delay = Math.min(
          failure.retryAfterMs ?? backoffDelay(tryNumber, this.#retry),
          this.#retry.maxDelayMs,
        );
        const mayRetry = idempotent || !failure.sent;
        if (
          !mayRetry ||
          tryNumber >= this.#retry.attempts ||
          elapsed + delay > this.#retry.maxElapsedMs
        ) {
          throw new MlflowUnavailableError({
            endpoint,
            attempts: tryNumber,
            elapsedMs: elapsed,
            reason: failure.reason,
            cause: err,
          });
        }
        await sleep(delay);
      }
    }
  }
}

function classify(err: unknown, endpoint: string): Classified {
  let status: number;
  let body: unknown;
  let headers: Record<string, unknown>;
  if (err instanceof StatusFailure) {
    ({ status, body, headers } = err);
  } else if (axios.isAxiosError(err)) {
    const axiosError = err as AxiosError;
    if (!axiosError.response) {
      const code = axiosError.code ?? "ERR_NETWORK";
      return {
        kind: "transient",
        reason: code === "ECONNABORTED" ? "ETIMEDOUT (request timed out)" : code,
        sent: !NOT_SENT_CODES.has(code),
        retryAfterMs: undefined,
      };
    }
    status = axiosError.response.status;
    body = axiosError.response.data;
    headers = axiosError.response.headers as Record<string, unknown>;
  } else {
    throw err;
  }
  if (status === 429 || status >= 500) {
    return {
      kind: "transient",
      reason: `HTTP ${status}${bodyMessage(body) ? ` (${bodyMessage(body)})` : ""}`,
      sent: true,
      retryAfterMs: parseRetryAfter(headers["retry-after"]),
    };
  }
  return { kind: "api", error: toApiError(status, body, endpoint, err) };
}

function toApiError(
  status: number,
  body: unknown,
  endpoint: string,
  cause: unknown,
): MlflowApiError {
  const parsed = parseBody(body);
  if (parsed && typeof parsed === "object" && "error_code" in parsed) {
    const { error_code, message } = parsed as { error_code?: unknown; message?: unknown };
    return new MlflowApiError({
      errorCode: String(error_code),
      status,
      serverMessage: String(message ?? ""),
      endpoint,
      cause,
    });
  }
  // MLflow's security middleware and proxies answer in plain text.
  return new MlflowApiError({
    errorCode: `HTTP_${status}`,
    status,
    serverMessage: bodyMessage(body) || "(empty body)",
    endpoint,
    cause,
  });
}

function parseBody(body: unknown): unknown {
  const text = Buffer.isBuffer(body) ? body.toString("utf8") : body;
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function bodyMessage(body: unknown): string {
  const parsed = parseBody(body);
  if (typeof parsed === "string") return parsed.trim().slice(0, 500);
  if (parsed && typeof parsed === "object" && "message" in parsed) {
    return String((parsed as { message: unknown }).message).slice(0, 500);
  }
  return "";
}

function parseRetryAfter(value: unknown): number | undefined {
  const seconds = Number(value);
  return typeof value === "string" && Number.isFinite(seconds) && seconds >= 0
    ? seconds * 1000
    : undefined;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}
