import type { FeatureMatrix, FeatureRow, FeatureSpec, OutputSpec } from "../serving/endpoint-model";

/** The scoring protocols whose requests are logged (`job`: async jobs, the job id as request id). */
export type ScoringProtocol = "v2" | "mlflow" | "job";

/** The model version that answered, as much of it as the log keeps. */
export type LoggedModel = {
  modelName: string;
  version: string;
  inputs: readonly FeatureSpec[];
  outputs: readonly OutputSpec[];
};

/**
 * A request's rows and answers, as the scoring path has them (never copied): row objects or one
 * FP32 matrix in the order of `model.inputs` (NaN = missing); outputs per row, or row-major.
 */
export type ScoredRows = {
  inputs: readonly FeatureRow[] | FeatureMatrix;
  outputs: readonly (readonly number[])[] | Float32Array;
  usedFallback: readonly boolean[];
};

/** One answered scoring request of a served endpoint, as the serving routes report it. */
export type ScoringRecord = {
  requestId: string;
  endpoint: string;
  protocol: ScoringProtocol;
  /** When the request arrived, milliseconds since the epoch. */
  time: number;
  /** The HTTP status answered. */
  status: number;
  /** Time to answer, in milliseconds. */
  latencyMs: number;
  /** The version that answered (for an error: the version being served). */
  model: LoggedModel;
  /** Absent when the request failed. */
  scored?: ScoredRows;
};

/** What became of a request's rows: the `row_log` column of the requests table. */
export type RowLog = "logged" | "sampled-out" | "dropped" | "none";

/** A request waiting to be written, with what becomes of its rows. */
export type QueuedRequest = { record: ScoringRecord; rowLog: RowLog };

/** Where batches go: one call per endpoint and flush. See `PredictionLogTables`. */
export interface PredictionLogSink {
  /**
   * Writes one batch of an endpoint's requests: every request's summary, and the rows of those
   * whose `rowLog` is `"logged"`. When the rows cannot be written but the summaries can, it sets
   * those requests' `rowLog` to `"dropped"` and resolves; it rejects when the summaries could not
   * be written.
   */
  write(endpoint: string, requests: readonly QueuedRequest[]): Promise<void>;
  /** Releases the sink after the last write. */
  close?(): Promise<void>;
}

/** What the log reports to metrics (implemented by `KilnMetrics`). */
export interface PredictionLogMetrics {
  /** Requests or rows not logged because the queue was full or a write failed. */
  predictionLogDropped(endpoint: string, kind: "rows" | "requests", count: number): void;
  /** Rows written to an endpoint's `table` (`predictions` or `requests`). */
  predictionLogWritten(endpoint: string, table: "predictions" | "requests", count: number): void;
  /** A batch of the endpoint could not be written. */
  predictionLogWriteFailed(endpoint: string): void;
}

/** Anything that takes scoring records (the serving routes' view of the log). */
export interface ScoringRecorder {
  record(record: ScoringRecord): void;
}

/** Options of a `PredictionLog`. */
export type PredictionLogOptions = {
  sink: PredictionLogSink;
  /** The share of an endpoint's requests whose rows are logged, 0–1; default every request. */
  sampleRate?: (endpoint: string) => number;
  /** Longest a logged request waits in memory before it is written; default 1000 ms. */
  flushIntervalMs?: number;
  /** Queued rows that start a write before the interval is over; default 2000. */
  flushRows?: number;
  /** Most rows waiting in memory; the rows of a request beyond it are dropped. Default 100,000. */
  maxQueuedRows?: number;
  /** Most requests waiting in memory; requests beyond it are dropped whole. Default 100,000. */
  maxQueuedRequests?: number;
  metrics?: PredictionLogMetrics;
  /** Where write failures are told; default `console.error`. */
  onWriteError?: (endpoint: string, error: unknown) => void;
  /** Uniform in [0, 1); replaced in tests. */
  random?: () => number;
};

const defaults = {
  sampleRate: () => 1,
  flushIntervalMs: 1000,
  flushRows: 2000,
  maxQueuedRows: 100_000,
  maxQueuedRequests: 100_000,
  onWriteError: (endpoint: string, error: unknown) =>
    console.error(
      `kiln: prediction log of endpoint "${endpoint}": a batch could not be written (${(error as Error).message ?? error}); its entries are dropped and counted in kiln_prediction_log_dropped_total.`,
    ),
  random: Math.random,
} satisfies Omit<PredictionLogOptions, "sink" | "metrics">;

/** Queue and write counts, for the admin API and tests. */
export type PredictionLogStats = {
  queuedRequests: number;
  queuedRows: number;
  writtenRequests: number;
  writtenRows: number;
  droppedRequests: number;
  droppedRows: number;
};

/**
 * The prediction log's hot side: `record` takes an answered request in O(1) (a sampling draw and
 * a push; rows are kept by reference, never converted), and batches are written off the request
 * path every `flushIntervalMs` or once `flushRows` rows wait, whichever comes first, one write per
 * endpoint and table. Sampling is per request, so a request's rows are logged all or none. The
 * queue is bounded: what does not fit is dropped and counted, never waited for, so logging cannot
 * slow or fail a request. `close` writes what is queued (graceful shutdown).
 *
 * @example
 * const log = new PredictionLog({ sink: new PredictionLogTables(lake), sampleRate: () => 0.1 });
 * log.record({ requestId, endpoint: "drill", protocol: "v2", time: Date.now(), status: 200, latencyMs: 3, model, scored });
 * await log.close();
 */
export class PredictionLog implements ScoringRecorder {
  readonly #opts: Required<Omit<PredictionLogOptions, "metrics">>;
  readonly #metrics: PredictionLogMetrics | undefined;
  #queue: QueuedRequest[] = [];
  #queuedRows = 0;
  #tail: Promise<void> = Promise.resolve();
  #writing = false;
  #flushScheduled = false;
  #closed = false;
  readonly #timer: NodeJS.Timeout;
  readonly #stats = { writtenRequests: 0, writtenRows: 0, droppedRequests: 0, droppedRows: 0 };

  constructor(options: PredictionLogOptions) {
    const { metrics, ...rest } = options;
    this.#opts = { ...defaults, ...rest };
    this.#metrics = metrics;
    for (const name of ["flushIntervalMs", "flushRows", "maxQueuedRows", "maxQueuedRequests"]) {
      const value = this.#opts[name as keyof typeof defaults] as number;
      if (!Number.isFinite(value) || value <= 0) {
        throw new TypeError(`PredictionLog expects ${name} to be a positive number, got ${value}.`);
      }
    }
    this.#timer = setInterval(() => {
      if (this.#queue.length > 0 && !this.#writing) void this.flush();
    }, this.#opts.flushIntervalMs);
    // The log must not keep a process alive that has nothing else to do.
    this.#timer.unref();
  }

  /** Queues one answered request; never throws, never waits. */
  record(record: ScoringRecord): void {
    const endpoint = record.endpoint;
    const rows = record.scored?.usedFallback.length ?? 0;
    if (this.#closed || this.#queue.length >= this.#opts.maxQueuedRequests) {
      this.#dropped(endpoint, "requests", 1);
      if (rows > 0) this.#dropped(endpoint, "rows", rows);
      return;
    }
    let rowLog: RowLog = "none";
    if (rows > 0) {
      rowLog = this.#sampled(endpoint) ? "logged" : "sampled-out";
      if (rowLog === "logged" && this.#queuedRows + rows > this.#opts.maxQueuedRows) {
        rowLog = "dropped";
        this.#dropped(endpoint, "rows", rows);
      }
    }
    this.#queue.push({ record, rowLog });
    if (rowLog === "logged") this.#queuedRows += rows;
    if (this.#queuedRows >= this.#opts.flushRows) this.#scheduleFlush();
  }

  /** Resolves once everything queued before the call is written (or dropped after a failure). */
  flush(): Promise<void> {
    const run = this.#tail.then(() => this.#writeQueued());
    this.#tail = run;
    return run;
  }

  /** Stops the timer, writes what is queued and closes the sink; later records are dropped. */
  async close(): Promise<void> {
    if (this.#closed) return this.#tail;
    this.#closed = true;
    clearInterval(this.#timer);
    await this.flush();
    await this.#opts.sink.close?.();
  }

  /** The share of `endpoint`'s requests whose rows are logged. */
  sampleRateOf(endpoint: string): number {
    return this.#opts.sampleRate(endpoint);
  }

  stats(): PredictionLogStats {
    return { queuedRequests: this.#queue.length, queuedRows: this.#queuedRows, ...this.#stats };
  }

  #sampled(endpoint: string): boolean {
    const rate = this.#opts.sampleRate(endpoint);
    return rate >= 1 || (rate > 0 && this.#opts.random() < rate);
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#writing) return;
    this.#flushScheduled = true;
    // After the current request's answer: the write never runs inside a request.
    setImmediate(() => {
      this.#flushScheduled = false;
      void this.flush();
    });
  }

  async #writeQueued(): Promise<void> {
    if (this.#queue.length === 0) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#queuedRows = 0;
    this.#writing = true;
    try {
      const byEndpoint = new Map<string, QueuedRequest[]>();
      for (const queued of batch) {
        const list = byEndpoint.get(queued.record.endpoint);
        if (list) list.push(queued);
        else byEndpoint.set(queued.record.endpoint, [queued]);
      }
      for (const [endpoint, requests] of byEndpoint) await this.#write(endpoint, requests);
    } finally {
      this.#writing = false;
    }
    // What arrived while writing may already be a full batch.
    if (this.#queuedRows >= this.#opts.flushRows) this.#scheduleFlush();
  }

  async #write(endpoint: string, requests: QueuedRequest[]): Promise<void> {
    const rowsOf = (list: QueuedRequest[]) =>
      list
        .filter((q) => q.rowLog === "logged")
        .reduce((n, q) => n + (q.record.scored?.usedFallback.length ?? 0), 0);
    const loggedRows = rowsOf(requests);
    try {
      await this.#opts.sink.write(endpoint, requests);
    } catch (error) {
      this.#metrics?.predictionLogWriteFailed(endpoint);
      this.#dropped(endpoint, "requests", requests.length);
      this.#dropped(endpoint, "rows", loggedRows);
      this.#opts.onWriteError(endpoint, error);
      return;
    }
    // The sink marks requests whose rows it could not write as dropped.
    const writtenRows = rowsOf(requests);
    if (writtenRows < loggedRows) {
      this.#dropped(endpoint, "rows", loggedRows - writtenRows);
      this.#metrics?.predictionLogWriteFailed(endpoint);
    }
    this.#stats.writtenRequests += requests.length;
    this.#stats.writtenRows += writtenRows;
    this.#metrics?.predictionLogWritten(endpoint, "requests", requests.length);
    if (writtenRows > 0) this.#metrics?.predictionLogWritten(endpoint, "predictions", writtenRows);
  }

  #dropped(endpoint: string, kind: "rows" | "requests", count: number): void {
    if (kind === "rows") this.#stats.droppedRows += count;
    else this.#stats.droppedRequests += count;
    this.#metrics?.predictionLogDropped(endpoint, kind, count);
  }
}
