import type { ScoringRecorder } from "../monitoring/prediction-log";
import { randomUUID } from "node:crypto";
import { Job, Queue, Worker } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import type { FeatureRow, ServedModel } from "../serving/endpoint-model";
import { scoreJobs, type ScoredJob } from "./batch-scoring";
import { CallbackDelivery, waitAtMost } from "./callback-delivery";
import {
  JobQueueStoppedError,
  type CancelOutcome,
  type CommonJobQueueOptions,
  type JobBackend,
  type JobRequest,
} from "./job-backend";
import type { JobDocument, JobResult, JobStatus } from "./job-store";
import { RedisCallbackStore } from "./redis-callback-store";
import { validatedJobRows } from "./job-request";

/** Options of `BullmqJobQueue`. */
export type BullmqJobQueueOptions = CommonJobQueueOptions & {
  /** The Redis server, e.g. `redis://127.0.0.1:6379` (from `KILN_JOBS_REDIS_URL`). */
  redisUrl: string;
  /** The BullMQ queue name; replicas with the same Redis and name share the jobs. */
  queueName?: string;
  /**
   * How long a worker's lock on a job lasts unrenewed: a dead worker's jobs run again after it
   * (and up to two `stalledIntervalMs` more).
   */
  lockDurationMs?: number;
  /**
   * How often workers look for jobs whose lock expired (their worker died). BullMQ marks the
   * running jobs at one look and moves those still unlocked back to the queue at the next; the
   * replicas share one look per interval.
   */
  stalledIntervalMs?: number;
};

const defaultOptions = {
  queueName: "kiln-jobs",
  maxBatchRows: 1_024,
  pollIntervalMs: 1_000,
  retentionMs: 24 * 60 * 60 * 1_000,
  lockDurationMs: 30_000,
  // Short next to the lock, so a dead server's jobs run again soon after their lock expires (with
  // BullMQ's 30 s, up to a minute later); a look is one cheap script.
  stalledIntervalMs: 5_000,
  stopTimeoutMs: 30_000,
  callbacks: {},
  now: Date.now,
} satisfies Omit<Required<BullmqJobQueueOptions>, "models" | "redisUrl" | "recorder">;

type JobData = { endpoint: string; rows: FeatureRow[]; callbackUrl?: string };
type Lease = { job: Job<JobData, JobResult>; token: string };

/** The reason a canceled running job is failed with (its document says `canceled`). */
const canceledReason = "kiln: canceled while running";

/**
 * Batch-scoring jobs in Redis with BullMQ, so several server replicas share one queue. Each
 * worker fetches waiting jobs by hand (`getNextJob`) until `maxBatchRows` rows are taken, scores
 * them per endpoint in one `predict` call and completes each job with its lock token: a worker
 * whose lock expired (it died or stalled, and the job ran again elsewhere) cannot store a result.
 * Callbacks are delivered by `CallbackDelivery` from state kept in Redis.
 *
 * @example
 * const queue = new BullmqJobQueue({ redisUrl: "redis://127.0.0.1:6379", models });
 * queue.start();
 * const job = await queue.submit("churn", { rows: [{ tenure: 3, visits: 2 }] });
 * (await queue.get(job.job_id))?.status; // "pending", later "succeeded"
 * await queue.stop();
 */
export class BullmqJobQueue implements JobBackend {
  readonly #options: Omit<Required<BullmqJobQueueOptions>, "models" | "redisUrl" | "recorder">;
  readonly #models: (endpoint: string) => ServedModel | undefined;
  readonly #recorder: ScoringRecorder | undefined;
  readonly #queue: Queue<JobData, JobResult>;
  readonly #worker: Worker<JobData, JobResult>;
  /** Kiln's own keys (canceled jobs, callbacks), beside BullMQ's. */
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #callbackStore: RedisCallbackStore;
  readonly #callbacks: CallbackDelivery;
  readonly #stats = { batches: 0, predictCalls: 0, rows: 0 };
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;

  constructor(options: BullmqJobQueueOptions) {
    const { models, redisUrl, recorder, ...rest } = options;
    this.#models = models;
    this.#recorder = recorder;
    this.#options = { ...defaultOptions, ...rest };
    if (!Number.isInteger(this.#options.maxBatchRows) || this.#options.maxBatchRows < 1) {
      throw new TypeError(
        `BullmqJobQueue expects maxBatchRows to be a positive integer, got ${this.#options.maxBatchRows}.`,
      );
    }
    const connection = redisOptionsOf(redisUrl);
    this.#queue = new Queue(this.#options.queueName, {
      connection,
      // Long enough that every completion of a large run stays visible in the event stream.
      streams: { events: { maxLen: 100_000 } },
    });
    this.#worker = new Worker(this.#options.queueName, null, {
      connection,
      autorun: false,
      lockDuration: this.#options.lockDurationMs,
      stalledInterval: this.#options.stalledIntervalMs,
      // A job is re-run after this many worker deaths before it is failed as stalled.
      maxStalledCount: 5,
    });
    this.#redis = new Redis(connection);
    this.#prefix = `kiln:${this.#options.queueName}`;
    this.#callbackStore = new RedisCallbackStore(this.#redis, {
      prefix: this.#prefix,
      readJob: (id) => this.#read(id),
      leaseMs: (this.#options.callbacks.timeoutMs ?? 10_000) * 2 + 5_000,
      recheckMs: Math.max(10_000, this.#options.lockDurationMs),
      retentionMs: this.#options.retentionMs,
    });
    this.#callbacks = new CallbackDelivery(
      this.#callbackStore,
      this.#options.callbacks,
      this.#options.now,
    );
    const logError = (name: string) => (error: Error) =>
      console.error(`kiln jobs: redis ${name}:`, error);
    this.#queue.on("error", logError("queue"));
    this.#worker.on("error", logError("worker"));
    this.#redis.on("error", logError("client"));
  }

  model(endpoint: string): ServedModel | undefined {
    return this.#models(endpoint);
  }

  /**
   * Validates the rows against the endpoint's model and queues them as one job.
   * @throws ServingRequestError 404 for an unknown endpoint, 400 for no rows or a bad callback URL.
   * @throws InputValidationError for a bad row (400).
   * @throws JobQueueStoppedError after `stop()`.
   */
  async submit(endpoint: string, request: JobRequest): Promise<JobDocument> {
    if (this.#stopping) throw new JobQueueStoppedError();
    const rows = validatedJobRows(this.#models(endpoint), endpoint, request);
    const id = randomUUID();
    const now = this.#options.now();
    // The callback is recorded first, so a job never runs without it.
    if (request.callbackUrl !== undefined) {
      await this.#callbackStore.register(id, request.callbackUrl, now);
    }
    const age = Math.ceil(this.#options.retentionMs / 1_000);
    const job = await this.#queue.add(
      "score",
      {
        endpoint,
        rows,
        ...(request.callbackUrl === undefined ? {} : { callbackUrl: request.callbackUrl }),
      },
      { jobId: id, timestamp: now, removeOnComplete: { age }, removeOnFail: { age } },
    );
    this.#wake?.();
    return this.#withCallback(toDocument(job, "waiting"));
  }

  async get(id: string): Promise<JobDocument | undefined> {
    return this.#callbackStore.get(id);
  }

  /**
   * Cancels a pending job (removed from the queue) or a running one (its result is then
   * discarded). Answers `undefined` for an unknown job, `canceled: false` when it had ended.
   */
  async cancel(id: string): Promise<CancelOutcome | undefined> {
    const before = await this.#read(id);
    if (!before) return undefined;
    if (before.status !== "pending" && before.status !== "running") {
      return { canceled: false, job: await this.#withCallback(before) };
    }
    const now = this.#options.now();
    const canceled: JobDocument = {
      ...before,
      status: "canceled",
      finished_at: new Date(now).toISOString(),
    };
    // NX: of two cancels, one wins. A pending job is then removed; a running one keeps running
    // and its worker drops the result (remove() refuses a job a worker holds).
    const set = await this.#redis.set(
      this.#canceledKey(id),
      JSON.stringify(canceled),
      "PX",
      this.#options.retentionMs,
      "NX",
    );
    if (set !== "OK") return { canceled: false, job: (await this.get(id)) as JobDocument };
    await this.#queue.remove(id).catch(() => 0);
    const after = await Job.fromId<JobData, JobResult>(this.#queue, id);
    const state = after && (await after.getState());
    if (state === "completed" || (state === "failed" && after?.failedReason !== canceledReason)) {
      // It ended between the read and the cancel: its outcome stands.
      await this.#redis.del(this.#canceledKey(id));
      return { canceled: false, job: (await this.get(id)) as JobDocument };
    }
    await this.#callbackStore.jobEnded(id, now);
    this.#callbacks.wake();
    return { canceled: true, job: (await this.get(id)) as JobDocument };
  }

  /** Jobs per status (canceled jobs are not counted). */
  async counts(): Promise<Partial<Record<JobStatus, number>>> {
    const counts = await this.#queue.getJobCounts(
      "waiting",
      "delayed",
      "prioritized",
      "paused",
      "active",
      "completed",
      "failed",
    );
    const all: Partial<Record<JobStatus, number>> = {
      pending:
        (counts.waiting ?? 0) +
        (counts.delayed ?? 0) +
        (counts.prioritized ?? 0) +
        (counts.paused ?? 0),
      running: counts.active ?? 0,
      succeeded: counts.completed ?? 0,
      failed: counts.failed ?? 0,
    };
    return Object.fromEntries(Object.entries(all).filter(([, count]) => count > 0));
  }

  /** A copy of the counters of this replica. */
  stats(): { batches: number; predictCalls: number; rows: number } {
    return { ...this.#stats };
  }

  /** Starts this replica's worker, the stalled-job check and callback delivery. */
  start(): void {
    if (this.#loop || this.#stopping) return;
    // Manual fetching runs no stalled check of its own: jobs of dead workers come back through it.
    this.#worker.startStalledCheckTimer().catch((error: unknown) => {
      console.error("kiln jobs: the stalled-job check stopped", error);
    });
    this.#loop = this.#work().catch((error: unknown) => {
      console.error("kiln jobs: the redis worker stopped", error);
    });
    this.#callbacks.wake();
  }

  /**
   * Takes no new jobs, waits up to `timeoutMs` for the running batch and callbacks, then closes
   * the connections. A batch still running then keeps its jobs locked until the lock expires;
   * another replica (or the next start) runs them again.
   */
  async stop(timeoutMs = this.#options.stopTimeoutMs): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#wake?.();
    const deadline = performance.now() + timeoutMs;
    if (this.#loop) await waitAtMost([this.#loop], timeoutMs);
    await this.#callbacks.stop(Math.max(0, deadline - performance.now()));
    await this.#worker.close(true);
    await this.#queue.close();
    this.#redis.disconnect();
  }

  /** The job without its callback: a canceled one from Kiln's key, any other from BullMQ. */
  async #read(id: string): Promise<JobDocument | undefined> {
    const canceled = await this.#redis.get(this.#canceledKey(id));
    if (canceled !== null) return JSON.parse(canceled) as JobDocument;
    const job = await Job.fromId<JobData, JobResult>(this.#queue, id);
    return job && toDocument(job, await job.getState());
  }

  async #withCallback(job: JobDocument): Promise<JobDocument> {
    const callback = await this.#callbackStore.read(job.job_id);
    return callback ? { ...job, callback } : job;
  }

  #canceledKey(id: string): string {
    return `${this.#prefix}:canceled:${id}`;
  }

  async #work(): Promise<void> {
    while (!this.#stopping) {
      const batch = await this.#fetchBatch();
      if (batch.length > 0) {
        await this.#runBatch(batch);
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#options.pollIntervalMs);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  /** Takes waiting jobs (of any endpoint) until they fill `maxBatchRows` rows; at least one. */
  async #fetchBatch(): Promise<Lease[]> {
    const batch: Lease[] = [];
    let rows = 0;
    while (rows < this.#options.maxBatchRows && !this.#stopping) {
      // A token per job: it is the job's lock value, which completing it must present.
      const token = `${this.#worker.id}:${randomUUID()}`;
      const job = await this.#worker.getNextJob(token, { block: false });
      if (!job) break;
      batch.push({ job, token });
      rows += job.data.rows.length;
    }
    return batch;
  }

  async #runBatch(batch: Lease[]): Promise<void> {
    this.#stats.batches += 1;
    // Keeps the locks while the model runs, so only a dead worker's jobs are taken again.
    const renew = setInterval(() => {
      for (const { job, token } of batch) {
        job.extendLock(token, this.#options.lockDurationMs).catch(() => undefined);
      }
    }, this.#options.lockDurationMs / 3);
    try {
      const byEndpoint = new Map<string, ScoredJob<Lease>[]>();
      for (const lease of batch) {
        const jobs = byEndpoint.get(lease.job.data.endpoint) ?? [];
        jobs.push({ id: lease.job.id as string, rows: lease.job.data.rows, lease });
        byEndpoint.set(lease.job.data.endpoint, jobs);
      }
      for (const [endpoint, jobs] of byEndpoint) {
        const model = this.#models(endpoint);
        if (!model) {
          // No model (yet): the jobs wait and are tried again after the poll interval.
          const later = Date.now() + this.#options.pollIntervalMs;
          await Promise.all(jobs.map(({ lease }) => lease.job.moveToDelayed(later, lease.token)));
          continue;
        }
        const outcomes = await scoreJobs(
          model,
          jobs,
          this.#options.maxBatchRows,
          this.#stats,
          this.#recorder,
        );
        for (const outcome of outcomes) {
          await this.#finish(outcome.lease, () =>
            outcome.status === "succeeded"
              ? outcome.lease.job.moveToCompleted(outcome.result, outcome.lease.token, false)
              : outcome.lease.job.moveToFailed(
                  new Error(outcome.error),
                  outcome.lease.token,
                  false,
                ),
          );
        }
      }
    } finally {
      clearInterval(renew);
    }
  }

  /** Stores a job's outcome under its lock (or drops it when the job was canceled meanwhile). */
  async #finish({ job, token }: Lease, store: () => Promise<unknown>): Promise<void> {
    const id = job.id as string;
    try {
      const canceled = (await this.#redis.exists(this.#canceledKey(id))) === 1;
      if (canceled) await job.moveToFailed(new Error(canceledReason), token, false);
      else await store();
    } catch (error) {
      // The lock was lost (the job was taken again after a stall): the other run stores it.
      console.error(`kiln jobs: the outcome of job ${id} was not stored`, error);
      return;
    }
    if (job.data.callbackUrl !== undefined) {
      await this.#callbackStore.jobEnded(id, this.#options.now());
      this.#callbacks.wake();
    }
  }
}

/**
 * Connection options of a `redis://` or `rediss://` URL (user, password and database included).
 * @throws TypeError for anything else, saying what was expected.
 */
function redisOptionsOf(redisUrl: string): RedisOptions {
  let url: URL | undefined;
  try {
    url = new URL(redisUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "redis:" && url.protocol !== "rediss:")) {
    throw new TypeError(
      `KILN_JOBS_REDIS_URL must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379, got ${JSON.stringify(redisUrl)}.`,
    );
  }
  return {
    host: url.hostname,
    port: Number(url.port || "6379"),
    db: Number(url.pathname.slice(1) || "0"),
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === "rediss:" ? { tls: {} } : {}),
    // BullMQ's workers block on Redis: requests wait for a reconnect instead of failing.
    maxRetriesPerRequest: null,
  };
}

function toDocument(job: Job<JobData, JobResult>, state: string): JobDocument {
  let status: JobStatus;
  if (state === "active") status = "running";
  else if (state === "completed") status = "succeeded";
  else if (state === "failed") status = job.failedReason === canceledReason ? "canceled" : "failed";
  else status = "pending";
  const ended = status === "succeeded" || status === "failed" || status === "canceled";
  return {
    job_id: job.id as string,
    endpoint: job.data.endpoint,
    status,
    created_at: new Date(job.timestamp).toISOString(),
    ...(status !== "pending" && job.processedOn
      ? { started_at: new Date(job.processedOn).toISOString() }
      : {}),
    ...(ended && job.finishedOn ? { finished_at: new Date(job.finishedOn).toISOString() } : {}),
    ...(status === "succeeded" ? { result: job.returnvalue } : {}),
    ...(status === "failed" ? { error: job.failedReason } : {}),
  };
}
