import type { ScoringRecorder } from "../monitoring/prediction-log";
import type { ServedModel } from "../serving/endpoint-model";
import { CallbackDelivery, waitAtMost } from "./callback-delivery";
import {
  JobStore,
  type ClaimedJob,
  type JobDocument,
  type JobOutcome,
  type JobStatus,
} from "./job-store";
import { scoreJobs } from "./batch-scoring";
import { BullmqJobQueue } from "./bullmq-backend";
import {
  JobQueueStoppedError,
  type CancelOutcome,
  type CommonJobQueueOptions,
  type JobBackend,
  type JobRequest,
} from "./job-backend";
import { validatedJobRows } from "./job-request";

export { JobQueueStoppedError };
export type { CancelOutcome, JobBackend, JobRequest };

/** Options of `JobQueue.open`. */
export type JobQueueOptions = CommonJobQueueOptions & {
  /** The SQLite file holding the queue (created with its folder). */
  file?: string;
  /**
   * A Redis server (`KILN_JOBS_REDIS_URL`, e.g. `redis://127.0.0.1:6379`): jobs are kept there
   * with BullMQ and shared by every replica; `file`, `concurrency` and `sweepIntervalMs` are then
   * unused. Unset or empty: the SQLite file. Only `JobQueue.openBackend` reads it.
   */
  redisUrl?: string | undefined;
  /** Batches of one endpoint running at once (predict is CPU bound: keep it near the core count). */
  concurrency?: number;
  /** How often the retention sweep runs. */
  sweepIntervalMs?: number;
};

const defaultOptions = {
  file: ".kiln/jobs.sqlite",
  maxBatchRows: 1_024,
  concurrency: 1,
  pollIntervalMs: 1_000,
  retentionMs: 24 * 60 * 60 * 1_000,
  sweepIntervalMs: 10 * 60 * 1_000,
  stopTimeoutMs: 30_000,
  callbacks: {},
  now: Date.now,
} satisfies Omit<Required<JobQueueOptions>, "models" | "redisUrl" | "recorder">;

/** Counters of one queue, for metrics and tests. */
export type JobQueueStats = { batches: number; predictCalls: number; rows: number };

/**
 * Batch-scoring jobs in a durable SQLite queue (the embedded backend). Workers claim as many
 * pending jobs of an endpoint as fit in `maxBatchRows` and score them in one `predict` call; each
 * job's result and its status change are one guarded write, so a crash re-runs lost batches but
 * stores every result once. Callbacks are POSTed after a job ends, retried with backoff.
 *
 * @example
 * const queue = JobQueue.open({ file: ".kiln/jobs.sqlite", models: (name) => registry.get(name) });
 * queue.start();
 * const job = queue.submit("churn", { rows: [{ tenure: 3, visits: 2 }] });
 * queue.get(job.job_id)?.status; // "pending", later "succeeded"
 * await queue.stop();
 */
export class JobQueue implements JobBackend {
  readonly #store: JobStore;
  readonly #options: Omit<Required<JobQueueOptions>, "models" | "redisUrl" | "recorder">;
  readonly #models: (endpoint: string) => ServedModel | undefined;
  readonly #recorder: ScoringRecorder | undefined;
  readonly #callbacks: CallbackDelivery;
  readonly #busy = new Map<string, number>();
  readonly #batches = new Set<Promise<void>>();
  readonly #stats: JobQueueStats = { batches: 0, predictCalls: 0, rows: 0 };
  #started = false;
  #stopping = false;
  #closed = false;
  #pumpScheduled = false;
  #pollTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;

  private constructor(store: JobStore, options: JobQueueOptions) {
    this.#store = store;
    const { models, recorder, ...rest } = options;
    delete rest.redisUrl;
    this.#models = models;
    this.#recorder = recorder;
    this.#options = { ...defaultOptions, ...rest };
    for (const name of ["maxBatchRows", "concurrency"] as const) {
      const value = this.#options[name];
      if (!Number.isInteger(value) || value < 1) {
        throw new TypeError(`JobQueue expects ${name} to be a positive integer, got ${value}.`);
      }
    }
    this.#callbacks = new CallbackDelivery(store, this.#options.callbacks, this.#options.now);
  }

  /**
   * Opens the queue at `options.file`. Jobs a dead process left `running` go back to `pending`;
   * nothing runs until `start()`.
   */
  static open(options: JobQueueOptions): JobQueue {
    const store = JobStore.open(options.file ?? defaultOptions.file);
    try {
      return new JobQueue(store, options);
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /**
   * Opens the queue the options select: BullMQ on Redis when `redisUrl` is set (several replicas
   * share it), otherwise the SQLite file (one process).
   *
   * @example
   * const jobs = JobQueue.openBackend({ file, redisUrl: process.env.KILN_JOBS_REDIS_URL, models });
   */
  static openBackend(options: JobQueueOptions): JobBackend {
    const { redisUrl, models, maxBatchRows, pollIntervalMs, retentionMs, stopTimeoutMs } = options;
    if (!redisUrl) return JobQueue.open(options);
    const { callbacks, now, recorder } = options;
    // The SQLite-only options (file, concurrency, the sweep) do not apply: BullMQ removes old jobs.
    return new BullmqJobQueue({
      redisUrl,
      models,
      ...(maxBatchRows === undefined ? {} : { maxBatchRows }),
      ...(pollIntervalMs === undefined ? {} : { pollIntervalMs }),
      ...(retentionMs === undefined ? {} : { retentionMs }),
      ...(stopTimeoutMs === undefined ? {} : { stopTimeoutMs }),
      ...(callbacks === undefined ? {} : { callbacks }),
      ...(now === undefined ? {} : { now }),
      ...(recorder === undefined ? {} : { recorder }),
    });
  }

  /**
   * Validates the rows against the endpoint's model and queues them as one job.
   * @throws ServingRequestError 404 for an unknown endpoint, 400 for no rows or a bad callback URL.
   * @throws InputValidationError for a bad row (400).
   * @throws JobQueueStoppedError after `stop()`.
   */
  submit(endpoint: string, request: JobRequest): JobDocument {
    if (this.#stopping) throw new JobQueueStoppedError();
    const rows = validatedJobRows(this.#models(endpoint), endpoint, request);
    const id = this.#store.insert(endpoint, rows, request.callbackUrl, this.#options.now());
    this.#schedulePump();
    return this.#store.get(id) as JobDocument;
  }

  /** The model that would score a job of `endpoint` now (to read a body in its feature order). */
  model(endpoint: string): ServedModel | undefined {
    return this.#models(endpoint);
  }

  /** The job, or `undefined` when there is none (never submitted, or swept after retention). */
  get(id: string): JobDocument | undefined {
    return this.#store.get(id);
  }

  /**
   * Cancels a pending or running job (a running batch's result for it is then discarded).
   * Answers `undefined` for an unknown job, `canceled: false` when it had already ended.
   */
  cancel(id: string): CancelOutcome | undefined {
    const canceled = this.#store.cancel(id, this.#options.now());
    const job = this.#store.get(id);
    if (!job) return undefined;
    if (canceled && job.callback) this.#callbacks.wake();
    return { canceled, job };
  }

  /** Starts the workers, the retention sweep and callback delivery (resuming any that were due). */
  start(): void {
    if (this.#started || this.#stopping) return;
    this.#started = true;
    this.#pollTimer = setInterval(() => this.#pump(), this.#options.pollIntervalMs);
    this.#pollTimer.unref();
    this.#sweepTimer = setInterval(() => this.sweep(), this.#options.sweepIntervalMs);
    this.#sweepTimer.unref();
    this.sweep();
    this.#callbacks.wake();
    this.#pump();
  }

  /**
   * Takes no new jobs, waits up to `timeoutMs` for running batches and callbacks, then closes the
   * database. A batch still running then is dropped; its jobs stay `running` and run again at
   * the next `open`.
   */
  async stop(timeoutMs = this.#options.stopTimeoutMs): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    clearInterval(this.#pollTimer);
    clearInterval(this.#sweepTimer);
    const deadline = performance.now() + timeoutMs;
    await waitAtMost([...this.#batches], timeoutMs);
    await this.#callbacks.stop(Math.max(0, deadline - performance.now()));
    this.#closed = true;
    this.#store.close();
  }

  /** Deletes finished jobs older than the retention; answers how many. */
  sweep(): number {
    if (this.#closed) return 0;
    return this.#store.sweep(this.#options.now() - this.#options.retentionMs);
  }

  /** Jobs per status. */
  counts(): Partial<Record<JobStatus, number>> {
    return this.#store.counts();
  }

  /** How many times each job's result was written (1 for every succeeded job). */
  resultWrites(): Map<string, number> {
    return this.#store.resultWrites();
  }

  /** A copy of the counters. */
  stats(): JobQueueStats {
    return { ...this.#stats };
  }

  #schedulePump(): void {
    if (!this.#started || this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    // Jobs submitted in the same tick join one batch.
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump();
    });
  }

  /** Starts a batch for every endpoint with pending jobs and a free worker. */
  #pump(): void {
    if (!this.#started || this.#stopping) return;
    for (const endpoint of this.#store.pendingEndpoints()) {
      const model = this.#models(endpoint);
      // No model (yet): the jobs wait; the poll tries again.
      if (!model) continue;
      while ((this.#busy.get(endpoint) ?? 0) < this.#options.concurrency) {
        const jobs = this.#store.claim(endpoint, this.#options.maxBatchRows, this.#options.now());
        if (jobs.length === 0) break;
        this.#busy.set(endpoint, (this.#busy.get(endpoint) ?? 0) + 1);
        const batch: Promise<void> = this.#runBatch(model, jobs)
          .catch((error: unknown) => console.error("kiln jobs: a batch failed to finish", error))
          .finally(() => {
            this.#busy.set(endpoint, (this.#busy.get(endpoint) ?? 1) - 1);
            this.#batches.delete(batch);
            this.#schedulePump();
          });
        this.#batches.add(batch);
      }
    }
  }

  async #runBatch(model: ServedModel, jobs: ClaimedJob[]): Promise<void> {
    this.#stats.batches += 1;
    const scored = await scoreJobs(
      model,
      jobs.map((job) => ({ id: job.id, rows: job.rows, lease: job.attempt })),
      this.#options.maxBatchRows,
      this.#stats,
      this.#recorder,
    );
    const outcomes = scored.map(({ lease, ...outcome }): JobOutcome => ({
      ...outcome,
      attempt: lease,
    }));
    // stop() gave up waiting and closed the store: these jobs run again after the restart.
    if (this.#closed) return;
    const written = this.#store.finish(outcomes, this.#options.now());
    if (written.length > 0) this.#callbacks.wake();
  }
}
