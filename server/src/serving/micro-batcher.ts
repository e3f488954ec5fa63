import {
  InputValidationError,
  matrixToRows,
  rowWidth,
  type BatchPrediction,
  type FeatureMatrix,
  type FeatureRow,
  type MatrixPrediction,
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

/** What one request sent as a matrix gets back: its outputs row-major, and the model version. */
export type MatrixRequestPrediction = MatrixPrediction & { model: ServedModel };

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

/** A batch's answer, in the shape the model gave it. */
type BatchResult = { usedFallback: boolean[] } & (
  { rows: number[][] } | { matrix: Float32Array; width: number }
);

type PendingRequest = {
  model: ServedModel;
  remainingRows: number;
  settled: boolean;
  /** Copies `count` rows of `result`, from row `start`, into the answer at row `offset`. */
  receive: (offset: number, result: BatchResult, start: number, count: number) => void;
  /** Resolves the request with its collected answer. */
  complete: () => void;
  reject: (error: unknown) => void;
};

/** A run of rows of one request (all of them, unless the request is larger than a batch). */
type QueuedChunk = {
  request: PendingRequest;
  count: number;
  /** The rows, as the request sent them: row objects or a slice of its matrix. */
  rows?: FeatureRow[];
  matrix?: Float32Array;
  /** Index of the chunk's first row within the request. */
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
    return new Promise<RequestPrediction>((resolve, reject) => {
      const outputs = new Array<number[]>(rows.length);
      const usedFallback = new Array<boolean>(rows.length);
      const request = this.#pending(model, rows.length, reject, {
        receive(offset, result, start, count) {
          for (let i = 0; i < count; i += 1) {
            outputs[offset + i] =
              "rows" in result
                ? (result.rows[start + i] ?? [])
                : Array.from(
                    result.matrix.subarray(
                      (start + i) * result.width,
                      (start + i + 1) * result.width,
                    ),
                  );
            usedFallback[offset + i] = result.usedFallback[start + i] ?? false;
          }
        },
        complete: () => resolve({ model, outputs, usedFallback }),
      });
      this.#enqueue(request, rows.length, (from, to) => ({ rows: rows.slice(from, to) }));
    });
  }

  /**
   * Like `submit` for rows sent as one matrix (see `FeatureMatrix`): batched with other matrix
   * requests into one `predictMatrix` call, answered row-major without row objects on the way.
   */
  submitMatrix(model: ServedModel, matrix: FeatureMatrix): Promise<MatrixRequestPrediction> {
    const width = rowWidth(model);
    const columns = model.inputs.length;
    return new Promise<MatrixRequestPrediction>((resolve, reject) => {
      const outputs = new Float32Array(matrix.rows * width);
      const usedFallback = new Array<boolean>(matrix.rows);
      const request = this.#pending(model, matrix.rows, reject, {
        receive(offset, result, start, count) {
          if ("rows" in result) {
            for (let i = 0; i < count; i += 1) {
              outputs.set(result.rows[start + i] ?? [], (offset + i) * width);
            }
          } else {
            outputs.set(
              result.matrix.subarray(start * width, (start + count) * width),
              offset * width,
            );
          }
          for (let i = 0; i < count; i += 1) {
            usedFallback[offset + i] = result.usedFallback[start + i] ?? false;
          }
        },
        complete: () => resolve({ model, outputs, usedFallback }),
      });
      this.#enqueue(request, matrix.rows, (from, to) => ({
        matrix: matrix.values.subarray(from * columns, to * columns),
      }));
    });
  }

  #pending(
    model: ServedModel,
    rows: number,
    reject: (error: unknown) => void,
    answer: Pick<PendingRequest, "receive" | "complete">,
  ): PendingRequest {
    this.#stats.requests += 1;
    this.#stats.rows += rows;
    return { model, remainingRows: rows, settled: false, reject, ...answer };
  }

  /** Queues a request's rows in chunks of at most `maxBatchSize`; `slice` cuts one chunk. */
  #enqueue(
    request: PendingRequest,
    rows: number,
    slice: (from: number, to: number) => Pick<QueuedChunk, "rows" | "matrix">,
  ): void {
    if (rows === 0) {
      request.settled = true;
      request.complete();
      return;
    }
    const now = performance.now();
    for (let offset = 0; offset < rows; offset += this.#options.maxBatchSize) {
      const count = Math.min(this.#options.maxBatchSize, rows - offset);
      this.#queue.push({
        request,
        count,
        offset,
        enqueuedAt: now,
        ...slice(offset, offset + count),
      });
      this.#queuedRows += count;
    }
    this.#schedule();
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
      if (size + chunk.count > this.#options.maxBatchSize) break;
      batch.push(chunk);
      size += chunk.count;
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
    const size = batch.reduce((total, chunk) => total + chunk.count, 0);
    this.#stats.batchSizes[size] = (this.#stats.batchSizes[size] ?? 0) + 1;
    this.#onBatch?.(size);
    try {
      deliverAll(batch, await this.#predict(model, batch));
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
            deliverAll(chunks, await this.#predict(model, chunks));
          } catch (requestError) {
            fail(request, requestError);
          }
        }),
      );
    }
  }

  /** One model call for the chunks: `predictMatrix` when all came as matrices, else `predict`. */
  async #predict(model: ServedModel, chunks: QueuedChunk[]): Promise<BatchResult> {
    this.#stats.predictCalls += 1;
    const size = chunks.reduce((total, chunk) => total + chunk.count, 0);
    const width = rowWidth(model);
    const matrices = chunks.map((chunk) => chunk.matrix);
    if (model.predictMatrix && allDefined(matrices)) {
      const values = matrices.length === 1 ? matrices[0]! : concatenate(matrices);
      const prediction = await model.predictMatrix({ rows: size, values });
      if (prediction.outputs.length !== size * width || prediction.usedFallback.length !== size) {
        throw answerMismatch(model, prediction.outputs.length / width, size, width);
      }
      return { matrix: prediction.outputs, width, usedFallback: prediction.usedFallback };
    }
    const rows = chunks.flatMap(
      (chunk) =>
        chunk.rows ??
        matrixToRows(model.inputs, {
          rows: chunk.count,
          values: chunk.matrix ?? new Float32Array(),
        }),
    );
    const prediction = await model.predict(rows);
    if (
      prediction.outputs.length !== size ||
      prediction.usedFallback.length !== size ||
      prediction.outputs.some((values) => values.length !== width)
    ) {
      throw answerMismatch(model, prediction.outputs.length, size, width);
    }
    return { rows: prediction.outputs, usedFallback: prediction.usedFallback };
  }
}

function answerMismatch(model: ServedModel, answered: number, rows: number, width: number): Error {
  return new Error(
    `Model ${model.modelName} v${model.version} answered ${answered} rows for ${rows} rows of ${width} output values each.`,
  );
}

function allDefined<T>(values: (T | undefined)[]): values is T[] {
  return values.every((value) => value !== undefined);
}

function concatenate(parts: Float32Array[]): Float32Array {
  const joined = new Float32Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** Hands each chunk its share of a batch's answer, in batch order. */
function deliverAll(chunks: QueuedChunk[], result: BatchResult): void {
  let start = 0;
  for (const chunk of chunks) {
    deliver(chunk, result, start);
    start += chunk.count;
  }
}

/** Copies a chunk's share of a batch's answer into its request, resolving it when complete. */
function deliver(chunk: QueuedChunk, result: BatchResult, start: number): void {
  const { request } = chunk;
  if (request.settled) return;
  request.receive(chunk.offset, result, start, chunk.count);
  request.remainingRows -= chunk.count;
  if (request.remainingRows === 0) {
    request.settled = true;
    request.complete();
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
