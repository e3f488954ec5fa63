import type { ScoringRecorder } from "../monitoring/prediction-log";
import type { ServedModel } from "../serving/endpoint-model";
import type { CallbackDeliveryOptions } from "./callback-delivery";
import type { JobDocument, JobStatus } from "./job-store";

/** A value now (the embedded SQLite queue) or later (the Redis queue). */
export type MaybePromise<T> = T | Promise<T>;

/** What a client submits: rows to score (validated against the model) and an optional callback. */
export type JobRequest = { rows: unknown[]; callbackUrl?: string };

/** What `cancel` did: canceled the job, or found it already final. */
export type CancelOutcome = { canceled: boolean; job: JobDocument };

/**
 * The jobs API the routes and the server use, whichever queue holds the jobs: `JobQueue` (SQLite,
 * one process) answers at once, `BullmqJobQueue` (Redis, shared by several replicas) with promises.
 * Callers `await` every answer.
 *
 * @example
 * const job = await backend.submit("churn", { rows: [{ tenure: 3, visits: 2 }] });
 * (await backend.get(job.job_id))?.status; // "pending", later "succeeded"
 */
export interface JobBackend {
  /** The model that would score a job of `endpoint` now (to read a body in its feature order). */
  model(endpoint: string): ServedModel | undefined;
  /** Validates and queues a job; throws ServingRequestError / InputValidationError / JobQueueStoppedError. */
  submit(endpoint: string, request: JobRequest): MaybePromise<JobDocument>;
  /** The job, or `undefined` when there is none (never submitted, or removed after retention). */
  get(id: string): MaybePromise<JobDocument | undefined>;
  /** Cancels a pending job; `undefined` for an unknown job, `canceled: false` when it cannot be. */
  cancel(id: string): MaybePromise<CancelOutcome | undefined>;
  /** Jobs per status. */
  counts(): MaybePromise<Partial<Record<JobStatus, number>>>;
  /** Starts the workers. */
  start(): void;
  /** Takes no new jobs, lets running batches finish (up to `timeoutMs`) and closes connections. */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Thrown by `submit` once `stop()` was called: the queue takes no new jobs.
 *
 * @example
 * if (error instanceof JobQueueStoppedError) return c.json(..., 503);
 */
export class JobQueueStoppedError extends Error {
  override name = "JobQueueStoppedError";
  constructor() {
    super("The job queue is shutting down and takes no new jobs; retry after the server restarts.");
  }
}

/** Options both backends take (`JobQueueOptions`, `BullmqJobQueueOptions` add their own). */
export type CommonJobQueueOptions = {
  /** The model serving an endpoint now, or `undefined` when there is none (its jobs wait). */
  models: (endpoint: string) => ServedModel | undefined;
  /** Most rows one `predict` call gets; a worker takes as many pending jobs as fit. */
  maxBatchRows?: number;
  /** How often an idle worker looks for jobs it was not woken for (after a restart, a model added later). */
  pollIntervalMs?: number;
  /** Finished jobs older than this are removed. */
  retentionMs?: number;
  /** Longest `stop()` waits for running batches and callbacks. */
  stopTimeoutMs?: number;
  callbacks?: CallbackDeliveryOptions;
  /** The clock (job timestamps, callback times; tests move it). */
  now?: () => number;
  /** Where scored jobs are logged for monitoring (the prediction log; protocol `job`). */
  recorder?: ScoringRecorder;
};
