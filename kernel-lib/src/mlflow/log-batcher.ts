/**
 * Buffers metrics, params and tags per run and sends them as `runs/log-batch` requests cut to
 * MLflow's limits, so a training loop pays for a push onto an array, not for a round trip.
 *
 * - Order is preserved per run: requests for one run are sent one after the other, and barrier
 *   operations (`log-inputs`, `update-run`) are sent after everything buffered before them.
 * - A run's buffer is flushed as soon as it holds one full request, and otherwise after
 *   `flushIntervalMs` by a timer that is `unref`'d so it never keeps Node alive. Anything still
 *   buffered when the event loop empties is flushed on `beforeExit`.
 * - Failures of background flushes are kept and thrown by the next `flush()`.
 */
import type { TrackingOperation } from "./operations";
import type { MetricRecord, ParamRecord, TagRecord } from "./types";
import { MLFLOW_LIMITS } from "./validation";

/** Per-request limits used to cut batches; defaults are MLflow's, with the body kept under 900 kB. */
export type BatchLimits = {
  metrics: number;
  params: number;
  tags: number;
  entities: number;
  /** Estimated JSON body size in bytes. */
  bytes: number;
};

/** Defaults for {@link BatchLimits}. */
export const DEFAULT_BATCH_LIMITS = {
  metrics: MLFLOW_LIMITS.batchMetrics,
  params: MLFLOW_LIMITS.batchParams,
  tags: MLFLOW_LIMITS.batchTags,
  entities: MLFLOW_LIMITS.batchEntities,
  // Well under MLflow's 1 MB so the server's own size estimate never disagrees with ours.
  bytes: 900_000,
} satisfies BatchLimits;

/** One buffered entry, in the order it was logged. */
export type BufferedEntry =
  | { kind: "metric"; record: MetricRecord }
  | { kind: "param"; record: ParamRecord }
  | { kind: "tag"; record: TagRecord }
  | { kind: "operation"; operation: TrackingOperation };

// The fixed part of a log-batch body: {"run_id":"<32 hex>","metrics":[],"params":[],"tags":[]}
const BODY_OVERHEAD_BYTES = 200;

/**
 * Cuts one run's buffered entries into operations that each respect `limits`, keeping order.
 * Within one request a repeated param (same value) is sent once and a repeated tag keeps its
 * last value, because MLflow rejects duplicate param keys in a batch.
 *
 * @example
 * ```ts
 * const ops = splitIntoOperations("run1", entries); // [{ op: "log-batch", ... }, ...]
 * ```
 */
export function splitIntoOperations(
  runId: string,
  entries: readonly BufferedEntry[],
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
): TrackingOperation[] {
  const operations: TrackingOperation[] = [];
  let metrics: MetricRecord[] = [];
  let params = new Map<string, ParamRecord>();
  let tags = new Map<string, TagRecord>();
  let bytes = BODY_OVERHEAD_BYTES;

  const close = () => {
    if (metrics.length + params.size + tags.size === 0) return;
    operations.push({
      op: "log-batch",
      runId,
      metrics,
      params: [...params.values()],
      tags: [...tags.values()],
    });
    metrics = [];
    params = new Map();
    tags = new Map();
    bytes = BODY_OVERHEAD_BYTES;
  };

  for (const entry of entries) {
    if (entry.kind === "operation") {
      close();
      operations.push(entry.operation);
      continue;
    }
    const size = Buffer.byteLength(JSON.stringify(entry.record)) + 1;
    if (entry.kind === "param") {
      const existing = params.get(entry.record.key);
      if (existing?.value === entry.record.value) continue;
      // A changed value goes to its own request so MLflow reports it without mixing it in.
      if (existing) close();
    }
    if (entry.kind === "tag" && tags.has(entry.record.key)) {
      // Last value wins within a request, exactly as sequential set-tag calls would.
      const previous = tags.get(entry.record.key);
      tags.delete(entry.record.key);
      bytes -= Buffer.byteLength(JSON.stringify(previous)) + 1;
    }
    const count = metrics.length + params.size + tags.size;
    const full =
      count + 1 > limits.entities ||
      bytes + size > limits.bytes ||
      (entry.kind === "metric" && metrics.length + 1 > limits.metrics) ||
      (entry.kind === "param" && params.size + 1 > limits.params) ||
      (entry.kind === "tag" && tags.size + 1 > limits.tags);
    if (full) close();
    bytes += size;
    if (entry.kind === "metric") metrics.push(entry.record);
    else if (entry.kind === "param") params.set(entry.record.key, entry.record);
    else tags.set(entry.record.key, entry.record);
  }
  close();
  return operations;
}

/** Options of {@link LogBatcher}. */
export type LogBatcherOptions = {
  /** Delivers one operation: resolves when it is acknowledged (or safely spooled). */
  deliver: (operation: TrackingOperation) => Promise<void>;
  /** How long an entry may wait in the buffer before a background flush. */
  flushIntervalMs?: number;
  limits?: Partial<BatchLimits>;
};

type RunBuffer = {
  entries: BufferedEntry[];
  counts: { metrics: number; params: number; tags: number };
  /** Tail of this run's send chain; sends for one run never overlap. */
  chain: Promise<void>;
  /** Failures of sends nobody awaited yet, thrown by the next flush. */
  errors: unknown[];
  /** Params accepted for this run, so a changed value is refused before it is buffered. */
  loggedParams: Map<string, string>;
};

const liveBatchers = new Set<LogBatcher>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // beforeExit fires when the loop is empty; the flush we start keeps the process alive until it is
  // delivered or spooled, and then beforeExit fires again with nothing left to do.
  process.on("beforeExit", () => {
    for (const batcher of liveBatchers) {
      if (batcher.bufferedCount > 0) batcher.flush().catch(() => undefined);
    }
  });
}

/**
 * Per-run buffer in front of `log-batch`.
 *
 * @example
 * ```ts
 * const batcher = new LogBatcher({ deliver: (op) => sendOperation(http, op) });
 * batcher.add(runId, [{ kind: "metric", record: { key: "loss", value: 0.3, step: 1, timestamp: Date.now() } }]);
 * await batcher.flush();
 * ```
 */
export class LogBatcher {
  #deliver: (operation: TrackingOperation) => Promise<void>;
  #intervalMs: number;
  #limits: BatchLimits;
  #runs = new Map<string, RunBuffer>();
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LogBatcherOptions) {
    const opts = { flushIntervalMs: 1_000, ...options } satisfies LogBatcherOptions;
    this.#deliver = opts.deliver;
    this.#intervalMs = opts.flushIntervalMs;
    this.#limits = { ...DEFAULT_BATCH_LIMITS, ...opts.limits };
    liveBatchers.add(this);
    installExitHook();
  }

  /** Number of entries buffered and not yet handed to `deliver`. */
  get bufferedCount(): number {
    let count = 0;
    for (const run of this.#runs.values()) count += run.entries.length;
    return count;
  }

  /** Params already accepted for a run (key → value); read-only view for validation. */
  loggedParams(runId: string): ReadonlyMap<string, string> {
    return this.#run(runId).loggedParams;
  }

  /**
   * Buffers already-validated entries for a run; never throws and never waits on the network.
   */
  add(runId: string, entries: readonly BufferedEntry[]): void {
    const run = this.#run(runId);
    for (const entry of entries) {
      run.entries.push(entry);
      if (entry.kind === "metric") run.counts.metrics++;
      else if (entry.kind === "param") {
        run.counts.params++;
        run.loggedParams.set(entry.record.key, entry.record.value);
      } else if (entry.kind === "tag") run.counts.tags++;
    }
    const { metrics, params, tags } = run.counts;
    const full =
      metrics >= this.#limits.metrics ||
      params >= this.#limits.params ||
      tags >= this.#limits.tags ||
      run.entries.length >= this.#limits.entities;
    if (full) this.#drain(runId, run);
    else this.#schedule();
  }

  /**
   * Sends everything buffered so far (for one run, or all runs) and resolves when all of it is
   * acknowledged or spooled. Rejects with the first error of any send since the last flush.
   */
  async flush(runId?: string): Promise<void> {
    const ids = runId === undefined ? [...this.#runs.keys()] : [runId];
    await Promise.all(
      ids.map(async (id) => {
        const run = this.#runs.get(id);
        if (!run) return;
        this.#drain(id, run);
        await run.chain;
        const [first] = run.errors.splice(0);
        if (first !== undefined) throw first;
      }),
    );
  }

  /** Flushes, stops the timer and forgets the runs. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#runs.clear();
      liveBatchers.delete(this);
    }
  }

  #run(runId: string): RunBuffer {
    let run = this.#runs.get(runId);
    if (!run) {
      run = {
        entries: [],
        counts: { metrics: 0, params: 0, tags: 0 },
        chain: Promise.resolve(),
        errors: [],
        loggedParams: new Map(),
      };
      this.#runs.set(runId, run);
    }
    return run;
  }

  #drain(runId: string, run: RunBuffer): void {
    if (run.entries.length === 0) return;
    const operations = splitIntoOperations(runId, run.entries, this.#limits);
    run.entries = [];
    run.counts = { metrics: 0, params: 0, tags: 0 };
    for (const operation of operations) {
      run.chain = run.chain.then(() =>
        this.#deliver(operation).catch((err: unknown) => {
          run.errors.push(err);
        }),
      );
    }
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      for (const [id, run] of this.#runs) this.#drain(id, run);
    }, this.#intervalMs);
    this.#timer.unref();
  }
}
