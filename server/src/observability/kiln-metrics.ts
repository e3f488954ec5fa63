import type { PredictionLogMetrics, PredictionLogStats } from "../monitoring/prediction-log";
import type { RequestPrediction } from "../serving/micro-batcher";
import {
  DEFAULT_LATENCY_BUCKETS,
  MetricsRegistry,
  type Counter,
  type Gauge,
  type Histogram,
} from "./metrics-registry";

/** What serving code reports; an interface so serving depends on no registry. */
export interface ServingMetrics {
  /** One scoring request answered: counts its rows by fallback and observes its latency. */
  observePrediction(
    prediction: Pick<RequestPrediction, "model" | "usedFallback">,
    seconds: number,
  ): void;
  /** One `predict` call of the micro-batcher with `rows` rows. */
  observeBatch(endpoint: string, rows: number): void;
  /** A scoring request of a served endpoint answered with an error status (4xx or 5xx). */
  observeScoringError(endpoint: string, version: string, status: number): void;
}

/** Rows an endpoint scored since the server started, for the admin API's endpoint list. */
export interface EndpointUsage {
  /** Rows scored, by the model or its fallback. */
  predictions: number;
  /** Of those, rows the fallback model answered. */
  fallbackPredictions: number;
  /** When counting started (the server's start): counts restart from 0 with the server. */
  since: string;
}

/** Buckets of `kiln_batch_size`: powers of two up to past the default `maxBatchSize` (256). */
export const BATCH_SIZE_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/**
 * Kiln's metrics, declared once on a registry: HTTP traffic (recorded by `httpMetrics`), serving
 * (reported by the scoring code through `ServingMetrics`) and the prediction log
 * (`PredictionLogMetrics`). Successful requests per endpoint and version are
 * `kiln_prediction_latency_seconds_count`; failed ones `kiln_prediction_errors_total`.
 *
 * @example
 * const metrics = new KilnMetrics();
 * app.use("*", httpMetrics(metrics));
 * app.route("/", metricsRoutes(metrics.registry));
 * metrics.observePrediction(prediction, 0.004); // from the scoring code
 */
export class KilnMetrics implements ServingMetrics, PredictionLogMetrics {
  readonly registry: MetricsRegistry;
  readonly httpRequests: Counter<"method" | "route" | "status">;
  readonly httpRequestDuration: Histogram<"method" | "route">;
  readonly predictions: Counter<"endpoint" | "version" | "fallback">;
  readonly batchSize: Histogram<"endpoint">;
  readonly predictionLatency: Histogram<"endpoint" | "version">;
  readonly predictionErrors: Counter<"endpoint" | "version" | "status">;
  readonly predictionLogDroppedTotal: Counter<"endpoint" | "kind">;
  readonly predictionLogWrittenTotal: Counter<"endpoint" | "table">;
  readonly predictionLogWriteErrors: Counter<"endpoint">;
  readonly predictionLogQueued: Gauge<"kind">;
  #predictionLogStats: (() => PredictionLogStats) | undefined;
  readonly #since = new Date().toISOString();
  // Per endpoint, across versions: what the endpoint list shows without parsing series labels.
  readonly #usage = new Map<string, { predictions: number; fallbackPredictions: number }>();

  constructor(registry: MetricsRegistry = new MetricsRegistry()) {
    this.registry = registry;
    this.httpRequests = registry.counter({
      name: "kiln_http_requests_total",
      help: "HTTP requests answered, by method, matched route pattern and status.",
      labelNames: ["method", "route", "status"],
    });
    this.httpRequestDuration = registry.histogram({
      name: "kiln_http_request_duration_seconds",
      help: "Time to answer an HTTP request (until the response starts; streams run longer).",
      labelNames: ["method", "route"],
      buckets: DEFAULT_LATENCY_BUCKETS,
    });
    this.predictions = registry.counter({
      name: "kiln_predictions_total",
      help: "Rows scored, by endpoint, model version and whether the model's fallback answered.",
      labelNames: ["endpoint", "version", "fallback"],
    });
    this.batchSize = registry.histogram({
      name: "kiln_batch_size",
      help: "Rows per model predict call made by the micro-batcher.",
      labelNames: ["endpoint"],
      buckets: BATCH_SIZE_BUCKETS,
    });
    this.predictionLatency = registry.histogram({
      name: "kiln_prediction_latency_seconds",
      help: "Time to score one request (queueing in the micro-batcher included).",
      labelNames: ["endpoint", "version"],
      buckets: DEFAULT_LATENCY_BUCKETS,
    });
    this.predictionErrors = registry.counter({
      name: "kiln_prediction_errors_total",
      help: "Scoring requests of served endpoints answered with an error, by endpoint, version and HTTP status.",
      labelNames: ["endpoint", "version", "status"],
    });
    this.predictionLogDroppedTotal = registry.counter({
      name: "kiln_prediction_log_dropped_total",
      help: "Prediction log entries dropped (queue full or write failed), by endpoint and kind: rows (predictions) or requests (request summaries).",
      labelNames: ["endpoint", "kind"],
    });
    this.predictionLogWrittenTotal = registry.counter({
      name: "kiln_prediction_log_written_total",
      help: "Rows written to the prediction log's lake tables, by endpoint and table (predictions or requests).",
      labelNames: ["endpoint", "table"],
    });
    this.predictionLogWriteErrors = registry.counter({
      name: "kiln_prediction_log_write_errors_total",
      help: "Prediction log batches that could not be written, by endpoint.",
      labelNames: ["endpoint"],
    });
    this.predictionLogQueued = registry.gauge({
      name: "kiln_prediction_log_queued",
      help: "Prediction log entries waiting in memory to be written, by kind: rows or requests.",
      labelNames: ["kind"],
      collect: (gauge) => {
        const stats = this.#predictionLogStats?.();
        gauge.set({ kind: "rows" }, stats?.queuedRows ?? 0);
        gauge.set({ kind: "requests" }, stats?.queuedRequests ?? 0);
      },
    });
  }

  /** Where `kiln_prediction_log_queued` reads the queue's depth from. */
  watchPredictionLog(stats: () => PredictionLogStats): void {
    this.#predictionLogStats = stats;
  }

  /** One HTTP request answered; `route` is the matched pattern (e.g. `/v2/models/:name/infer`). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status });
    this.httpRequestDuration.observe({ method, route }, seconds);
  }

  observePrediction(
    prediction: Pick<RequestPrediction, "model" | "usedFallback">,
    seconds: number,
  ): void {
    const { endpoint, version } = prediction.model;
    const fallbackRows = prediction.usedFallback.filter(Boolean).length;
    const modelRows = prediction.usedFallback.length - fallbackRows;
    if (modelRows > 0) this.predictions.inc({ endpoint, version, fallback: false }, modelRows);
    if (fallbackRows > 0) this.predictions.inc({ endpoint, version, fallback: true }, fallbackRows);
    this.predictionLatency.observe({ endpoint, version }, seconds);
    const usage = this.#usage.get(endpoint) ?? { predictions: 0, fallbackPredictions: 0 };
    usage.predictions += modelRows + fallbackRows;
    usage.fallbackPredictions += fallbackRows;
    this.#usage.set(endpoint, usage);
  }

  /**
   * Rows `endpoint` scored since the server started (zeros before its first prediction).
   *
   * @example
   * metrics.usageOf("drill"); // { predictions: 120, fallbackPredictions: 3, since: "2025-…" }
   */
  usageOf(endpoint: string): EndpointUsage {
    const usage = this.#usage.get(endpoint) ?? { predictions: 0, fallbackPredictions: 0 };
    return { ...usage, since: this.#since };
  }

  observeBatch(endpoint: string, rows: number): void {
    this.batchSize.observe({ endpoint }, rows);
  }

  observeScoringError(endpoint: string, version: string, status: number): void {
    this.predictionErrors.inc({ endpoint, version, status });
  }

  predictionLogDropped(endpoint: string, kind: "rows" | "requests", count: number): void {
    this.predictionLogDroppedTotal.inc({ endpoint, kind }, count);
  }

  predictionLogWritten(endpoint: string, table: "predictions" | "requests", count: number): void {
    this.predictionLogWrittenTotal.inc({ endpoint, table }, count);
  }

  predictionLogWriteFailed(endpoint: string): void {
    this.predictionLogWriteErrors.inc({ endpoint });
  }
}
