import {
  InputValidationError,
  outputSize,
  type BatchPrediction,
  type FeatureRow,
  type ServedModel,
} from "./endpoint-model";

/** Options of a `MicroBatcher`. */
export type MicroBatcherOptions = {
  /** Most rows one `predict` call gets; a request with more rows is split over several calls. */
  maxBatchSize?: number;
  /** Longest a queued request waits for company while the model is busy. */
  maxWaitMs?: number;
  /** Called with the row count of every `predict` call (metrics). */
  onBatch?: (rows: number) => void;
};

const defaultOptions = { maxBatchSize: 256, maxWaitMs: 2 } satisfies MicroBatcherOptions;

/** What one request gets back: its rows' predictions and the model version that made them. */
export type RequestPrediction = BatchPrediction & { model: ServedModel };

/** Counters of one batcher, for metrics and tests. */
export type MicroBatcherStats = {
  requests: number;
  rows: number;
  /** `predict` calls, including the per-request re-runs after a batch-level validation error. */
  predictCalls: number;
  /** Rows per batch → how many batches had that size. */
  batchSizes: Record<number, number>;
  /** Batches re-run request by request because `predict` rejected one of their rows. */
  splitBatches: number;
};

type PendingRequest = {
  model: ServedModel;
  outputs: number[][];
  usedFallback: boolean[];
  remainingRows: number;
  settled: boolean;
  resolve: (prediction: RequestPrediction) => void;
  reject: (error: unknown) => void;
};

/** A run of rows of one request (all of them, unless the request is larger than a batch). */
type QueuedChunk = {
  request: PendingRequest;
  rows: FeatureRow[];
  /** Index of `rows[0]` within the request. */
  offset: number;
  enqueuedAt: number;
};

/**
 * Adaptive micro-batching for one endpoint: rows of concurrent requests share one `predict` call.
 * When the model is idle a request is dispatched at once (after the current tick, so requests
 * arriving together still share a batch): low load adds no waiting. While a batch is running,
 * requests queue until `maxBatchSize` rows are waiting, the oldest has waited `maxWaitMs`, or the
 * model becomes idle. Each request runs on the model it was submitted with, so a swap never moves a
 * request to another version; a batch only holds requests of one model.
 *
 * @example
 * const batcher = new MicroBatcher({ maxBatchSize: 64, maxWaitMs: 2 });
 * const { outputs, usedFallback, model } = await batcher.submit(model, [{ tenure: 3 }]);
 */
export class MicroBatcher {
  readonly #options: Required<Omit<MicroBatcherOptions, "onBatch">>;
  readonly #onBatch: ((rows: number) => void) | undefined;
  #queue: QueuedChunk[] = [];
  #queuedRows = 0;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #idleFlushScheduled = false;
  #stats: MicroBatcherStats = {
    requests: 0,
    rows: 0,
    predictCalls: 0,
    batchSizes: {},
    splitBatches: 0,
  };

  constructor(options: MicroBatcherOptions = {}) {
    const { onBatch, ...limits } = options;
    this.#options = { ...defaultOptions, ...limits };
    this.#onBatch = onBatch;
    if (!Number.isInteger(this.#options.maxBatchSize) || this.#options.maxBatchSize < 1) {
      throw new TypeError(
        `MicroBatcher expects maxBatchSize to be a positive integer, got ${this.#options.maxBatchSize}.`,
      );
    }
    if (!(this.#options.maxWaitMs >= 0)) {
      throw new TypeError(`MicroBatcher expects maxWaitMs >= 0, got ${this.#options.maxWaitMs}.`);
    }
  }

  /**
   * Queues `rows` (already validated against `model.inputs`) and answers their predictions.
   * Rejects with `InputValidationError` when `predict` refuses one of these rows (other requests
   * of the batch still succeed), or with whatever else `predict` threw.
   */
  submit(model: ServedModel, rows: FeatureRow[]): Promise<RequestPrediction> {
    this.#stats.requests += 1;
    this.#stats.rows += rows.length;
    if (rows.length === 0) return Promise.resolve({ model, outputs: [], usedFallback: [] });
    return new Promise<RequestPrediction>((resolve, reject) => {
      const request: PendingRequest = {
        model,
        outputs: new Array<number[]>(rows.length),
        usedFallback: new Array<boolean>(rows.length),
        remainingRows: rows.length,
        settled: false,
        resolve,
        reject,
      };
      const now = performance.now();
      for (let offset = 0; offset < rows.length; offset += this.#options.maxBatchSize) {
        const chunk = rows.slice(offset, offset + this.#options.maxBatchSize);
        this.#queue.push({ request, rows: chunk, offset, enqueuedAt: now });
        this.#queuedRows += chunk.length;
      }
      this.#schedule();
    });
  }

  /** A copy of the counters. */
  stats(): MicroBatcherStats {
    return { ...this.#stats, batchSizes: { ...this.#stats.batchSizes } };
  }

  /** Dispatches what is due and arranges for the rest to be dispatched later. */
  #schedule(): void {
    while (this.#queuedRows >= this.#options.maxBatchSize) this.#dispatch(this.#takeBatch());
    const oldest = this.#queue[0];
    if (!oldest) {
      this.#clearTimer();
      return;
    }
    if (this.#inFlight === 0) {
      // Idle model: no reason to wait, but let requests of this same tick join the batch.
      if (!this.#idleFlushScheduled) {
        this.#idleFlushScheduled = true;
        setImmediate(() => {
          this.#idleFlushScheduled = false;
          if (this.#queue.length > 0 && this.#inFlight === 0) this.#dispatch(this.#takeBatch());
          this.#schedule();
        });
      }
      return;
    }
    if (this.#timer) return;
    const delay = Math.max(0, oldest.enqueuedAt + this.#options.maxWaitMs - performance.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const now = performance.now();
      // Dispatch every chunk that has waited long enough; the next timer covers the rest.
      while (this.#queue[0] && this.#queue[0].enqueuedAt + this.#options.maxWaitMs <= now) {
        this.#dispatch(this.#takeBatch());
      }
      this.#schedule();
    }, delay);
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Takes chunks from the head of the queue: one model, at most `maxBatchSize` rows. */
  #takeBatch(): QueuedChunk[] {
    const batch: QueuedChunk[] = [];
    let size = 0;
    for (const chunk of this.#queue) {
      if (batch.length > 0 && chunk.request.model !== batch[0]?.request.model) break;
      if (size + chunk.rows.length > this.#options.maxBatchSize) break;
      batch.push(chunk);
      size += chunk.rows.length;
    }
    this.#queue = this.#queue.slice(batch.length);
    this.#queuedRows -= size;
    return batch;
  }

  #dispatch(batch: QueuedChunk[]): void {
    const model = batch[0]?.request.model;
    if (!model) return;
    this.#inFlight += 1;
    void this.#run(model, batch).finally(() => {
      this.#inFlight -= 1;
      this.#schedule();
    });
  }

  async #run(model: ServedModel, batch: QueuedChunk[]): Promise<void> {
    const size = batch.reduce((total, chunk) => total + chunk.rows.length, 0);
    this.#stats.batchSizes[size] = (this.#stats.batchSizes[size] ?? 0) + 1;
    this.#onBatch?.(size);
    try {
      const prediction = await this.#predict(
        model,
        batch.flatMap((chunk) => chunk.rows),
      );
      let start = 0;
      for (const chunk of batch) {
        deliver(chunk, prediction, start);
        start += chunk.rows.length;
      }
    } catch (error) {
      const requests = new Set(batch.map((chunk) => chunk.request));
      if (!(error instanceof InputValidationError) || requests.size === 1) {
        for (const request of requests) fail(request, error);
        return;
      }
      // One request's rows spoil the batch: re-run request by request so only that one fails.
      this.#stats.splitBatches += 1;
      await Promise.all(
        [...requests].map(async (request) => {
          const chunks = batch.filter((chunk) => chunk.request === request);
          try {
            const prediction = await this.#predict(
              model,
              chunks.flatMap((chunk) => chunk.rows),
            );
            let start = 0;
            for (const chunk of chunks) {
              deliver(chunk, prediction, start);
              start += chunk.rows.length;
            }
          } catch (requestError) {
            fail(request, requestError);
          }
        }),
      );
    }
  }

  async #predict(model: ServedModel, rows: FeatureRow[]): Promise<BatchPrediction> {
    this.#stats.predictCalls += 1;
    const prediction = await model.predict(rows);
    const width = model.outputs.reduce((total, output) => total + outputSize(output), 0);
    if (
      prediction.outputs.length !== rows.length ||
      prediction.usedFallback.length !== rows.length ||
      prediction.outputs.some((values) => values.length !== width)
    ) {
      throw new Error(
        `Model ${model.modelName} v${model.version} answered ${prediction.outputs.length} rows ` +
          `(${prediction.usedFallback.length} fallback flags) for ${rows.length} rows of ${width} values each.`,
      );
    }
    return prediction;
  }
}

/** Copies a chunk's share of a batch prediction into its request, resolving it when complete. */
function deliver(chunk: QueuedChunk, prediction: BatchPrediction, start: number): void {
  const { request } = chunk;
  if (request.settled) return;
  for (let i = 0; i < chunk.rows.length; i += 1) {
    request.outputs[chunk.offset + i] = prediction.outputs[start + i] ?? [];
    request.usedFallback[chunk.offset + i] = prediction.usedFallback[start + i] ?? false;
  }
  request.remainingRows -= chunk.rows.length;
  if (request.remainingRows === 0) {
    request.settled = true;
    request.resolve({
      model: request.model,
      outputs: request.outputs,
      usedFallback: request.usedFallback,
    });
  }
}

function fail(request: PendingRequest, error: unknown): void {
  if (request.settled) return;
  request.settled = true;
  request.reject(error);
}

/**
 * One `MicroBatcher` per endpoint, created on first use with shared options.
 *
 * @example
 * const batchers = new EndpointBatchers({ maxBatchSize: 32 });
 * await batchers.for("churn").submit(model, rows);
 */
export class EndpointBatchers {
  readonly #options: Omit<MicroBatcherOptions, "onBatch">;
  readonly #onBatch: ((endpoint: string, rows: number) => void) | undefined;
  readonly #batchers = new Map<string, MicroBatcher>();
  readonly #limits = new Map<string, Omit<MicroBatcherOptions, "onBatch">>();

  constructor(
    options: Omit<MicroBatcherOptions, "onBatch"> & {
      onBatch?: (endpoint: string, rows: number) => void;
    } = {},
  ) {
    const { onBatch, ...rest } = options;
    this.#options = rest;
    this.#onBatch = onBatch;
  }

  for(endpoint: string): MicroBatcher {
    return this.#batchers.get(endpoint) ?? this.#create(endpoint, {});
  }

  /**
   * Gives `endpoint` its own limits. Requests already queued finish in the batcher they joined;
   * new requests use the new limits.
   */
  configure(endpoint: string, limits: Omit<MicroBatcherOptions, "onBatch">): void {
    this.#limits.set(endpoint, limits);
    this.#create(endpoint, limits);
  }

  #create(endpoint: string, limits: Omit<MicroBatcherOptions, "onBatch">): MicroBatcher {
    const onBatch = this.#onBatch;
    const batcher = new MicroBatcher({
      ...this.#options,
      ...(this.#limits.get(endpoint) ?? limits),
      ...(onBatch ? { onBatch: (rows: number) => onBatch(endpoint, rows) } : {}),
    });
    this.#batchers.set(endpoint, batcher);
    return batcher;
  }

  /** Counters per endpoint. */
  stats(): Record<string, MicroBatcherStats> {
    return Object.fromEntries(
      [...this.#batchers].map(([endpoint, batcher]) => [endpoint, batcher.stats()]),
    );
  }
}
