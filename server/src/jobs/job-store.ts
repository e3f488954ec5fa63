import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { FeatureRow } from "../serving/endpoint-model";

/** Where a job is in its life; `succeeded`, `failed` and `canceled` are final. */
export type JobStatus = "pending" | "running" | "succeeded" | "failed" | "canceled";

/** What a succeeded job answers: MLflow-style predictions, the model version and per-row fallback flags. */
export type JobResult = { predictions: unknown[]; model_version: string; fallback: boolean[] };

/** The state of a job's callback, as `GET /jobs/{id}` shows it. */
export type JobCallback = {
  url: string;
  attempts: number;
  delivered_at?: string;
  last_error?: string;
};

/**
 * A job as clients see it (`GET /jobs/{id}`, and the body POSTed to its callback URL).
 *
 * @example
 * { job_id: "…", endpoint: "churn", status: "succeeded", created_at: "2026-…", result: { predictions: [3.5], model_version: "1", fallback: [false] } }
 */
export type JobDocument = {
  job_id: string;
  endpoint: string;
  status: JobStatus;
  created_at: string;
  started_at?: string;
  finished_at?: string;
  result?: JobResult;
  error?: string;
  callback?: JobCallback;
};

/** A job a worker claimed: its rows and the attempt number that guards its result write. */
export type ClaimedJob = { id: string; rows: FeatureRow[]; attempt: number };

/** How a job ended, written by `JobStore.finish`. */
export type JobOutcome =
  | { id: string; attempt: number; status: "succeeded"; result: JobResult }
  | { id: string; attempt: number; status: "failed"; error: string };

/** A callback that is due: the job and how many attempts it has had. */
export type DueCallback = { id: string; url: string; attempts: number };

type JobRecord = {
  id: string;
  endpoint: string;
  status: JobStatus;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  result_json: string | null;
  error: string | null;
  callback_url: string | null;
  callback_attempts: number;
  callback_delivered_at: number | null;
  callback_last_error: string | null;
};

const schema = `
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  endpoint TEXT NOT NULL,
  status TEXT NOT NULL,
  rows_json TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  result_json TEXT,
  error TEXT,
  result_writes INTEGER NOT NULL DEFAULT 0,
  callback_url TEXT,
  callback_state TEXT,
  callback_attempts INTEGER NOT NULL DEFAULT 0,
  callback_next_at INTEGER,
  callback_delivered_at INTEGER,
  callback_last_error TEXT
);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status, endpoint, seq);
CREATE INDEX IF NOT EXISTS jobs_by_finish ON jobs (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_by_callback ON jobs (callback_state, callback_next_at);
`;

/**
 * The durable job table in one SQLite file (WAL mode). Every state change is one statement or one
 * transaction; a result is written only while the job is `running` under the attempt that claimed
 * it, so a late or duplicate write after a restart, a re-claim or a cancel changes nothing.
 * One process owns a file at a time: `open` puts jobs left `running` by a dead process back to
 * `pending`.
 *
 * @example
 * const store = JobStore.open(".kiln/jobs.sqlite");
 * const id = store.insert("churn", rows, undefined, Date.now());
 */
export class JobStore {
  readonly #db: Database.Database;
  readonly #statements;

  private constructor(db: Database.Database) {
    this.#db = db;
    this.#statements = {
      insert: db.prepare(
        `INSERT INTO jobs (id, endpoint, status, rows_json, row_count, created_at, callback_url)
         VALUES (?, ?, 'pending', ?, ?, ?, ?)`,
      ),
      get: db.prepare(
        `SELECT id, endpoint, status, created_at, started_at, finished_at, result_json, error,
                callback_url, callback_attempts, callback_delivered_at, callback_last_error
         FROM jobs WHERE id = ?`,
      ),
      pendingEndpoints: db.prepare(`SELECT DISTINCT endpoint FROM jobs WHERE status = 'pending'`),
      pendingOf: db.prepare(
        `SELECT id, rows_json, row_count FROM jobs WHERE status = 'pending' AND endpoint = ?
         ORDER BY seq LIMIT ?`,
      ),
      claim: db.prepare(
        `UPDATE jobs SET status = 'running', attempt = attempt + 1, started_at = ?
         WHERE id = ? AND status = 'pending' RETURNING attempt`,
      ),
      succeed: db.prepare(
        `UPDATE jobs SET status = 'succeeded', result_json = ?, finished_at = ?,
                result_writes = result_writes + 1,
                callback_state = CASE WHEN callback_url IS NULL THEN NULL ELSE 'pending' END,
                callback_next_at = ?
         WHERE id = ? AND status = 'running' AND attempt = ?`,
      ),
      fail: db.prepare(
        `UPDATE jobs SET status = 'failed', error = ?, finished_at = ?,
                callback_state = CASE WHEN callback_url IS NULL THEN NULL ELSE 'pending' END,
                callback_next_at = ?
         WHERE id = ? AND status = 'running' AND attempt = ?`,
      ),
      cancel: db.prepare(
        `UPDATE jobs SET status = 'canceled', finished_at = ?,
                callback_state = CASE WHEN callback_url IS NULL THEN NULL ELSE 'pending' END,
                callback_next_at = ?
         WHERE id = ? AND status IN ('pending', 'running')`,
      ),
      recover: db.prepare(`UPDATE jobs SET status = 'pending' WHERE status = 'running'`),
      sweep: db.prepare(
        `DELETE FROM jobs WHERE finished_at IS NOT NULL AND finished_at < ?
           AND (callback_state IS NULL OR callback_state != 'pending')`,
      ),
      dueCallbacks: db.prepare(
        `SELECT id, callback_url AS url, callback_attempts AS attempts FROM jobs
         WHERE callback_state = 'pending' AND callback_next_at <= ? ORDER BY callback_next_at LIMIT ?`,
      ),
      nextCallbackAt: db.prepare(
        `SELECT MIN(callback_next_at) AS at FROM jobs WHERE callback_state = 'pending'`,
      ),
      callbackDelivered: db.prepare(
        `UPDATE jobs SET callback_state = 'delivered', callback_attempts = callback_attempts + 1,
                callback_delivered_at = ?, callback_last_error = NULL
         WHERE id = ? AND callback_state = 'pending'`,
      ),
      callbackFailed: db.prepare(
        `UPDATE jobs SET callback_state = ?, callback_attempts = callback_attempts + 1,
                callback_last_error = ?, callback_next_at = ?
         WHERE id = ? AND callback_state = 'pending'`,
      ),
      counts: db.prepare(`SELECT status, COUNT(*) AS count FROM jobs GROUP BY status`),
      resultWrites: db.prepare(`SELECT id, result_writes AS writes FROM jobs`),
    };
  }

  /**
   * Opens (creating it and its folder) the job database at `file`, in WAL mode, and puts jobs a
   * dead process left `running` back to `pending`.
   */
  static open(file: string): JobStore {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    db.pragma("journal_mode = WAL");
    // NORMAL is durable against process crashes in WAL mode (only an OS crash can lose the last commits).
    db.pragma("synchronous = NORMAL");
    db.pragma("busy_timeout = 5000");
    db.exec(schema);
    const store = new JobStore(db);
    store.#statements.recover.run();
    return store;
  }

  /** Stores a new pending job and answers its id. */
  insert(endpoint: string, rows: FeatureRow[], callbackUrl: string | undefined, now: number) {
    const id = randomUUID();
    this.#statements.insert.run(
      id,
      endpoint,
      JSON.stringify(rows),
      rows.length,
      now,
      callbackUrl ?? null,
    );
    return id;
  }

  /** The job as clients see it, or `undefined` when there is no such job (or it was swept). */
  get(id: string): JobDocument | undefined {
    const record = this.#statements.get.get(id) as JobRecord | undefined;
    return record && toDocument(record);
  }

  /** Endpoints that have pending jobs. */
  pendingEndpoints(): string[] {
    return (this.#statements.pendingEndpoints.all() as { endpoint: string }[]).map(
      (row) => row.endpoint,
    );
  }

  /**
   * Claims the oldest pending jobs of `endpoint`, up to `maxRows` rows in all (always at least one
   * job, however large), marking them `running` under a new attempt number; one transaction.
   */
  claim(endpoint: string, maxRows: number, now: number): ClaimedJob[] {
    return this.#db.transaction(() => {
      const claimed: ClaimedJob[] = [];
      let rows = 0;
      // Jobs hold at least one row, so `maxRows` jobs always suffice.
      const pending = this.#statements.pendingOf.all(endpoint, maxRows) as {
        id: string;
        rows_json: string;
        row_count: number;
      }[];
      for (const job of pending) {
        if (claimed.length > 0 && rows + job.row_count > maxRows) break;
        const updated = this.#statements.claim.get(now, job.id) as { attempt: number } | undefined;
        if (!updated) continue;
        claimed.push({
          id: job.id,
          rows: JSON.parse(job.rows_json) as FeatureRow[],
          attempt: updated.attempt,
        });
        rows += job.row_count;
      }
      return claimed;
    })();
  }

  /**
   * Records how jobs ended, in one transaction. A write whose job is no longer `running` under
   * the same attempt (canceled, or re-claimed after a restart) is dropped. Answers the ids written.
   */
  finish(outcomes: JobOutcome[], now: number): string[] {
    return this.#db.transaction(() => {
      const written: string[] = [];
      for (const outcome of outcomes) {
        const change =
          outcome.status === "succeeded"
            ? this.#statements.succeed.run(
                JSON.stringify(outcome.result),
                now,
                now,
                outcome.id,
                outcome.attempt,
              )
            : this.#statements.fail.run(outcome.error, now, now, outcome.id, outcome.attempt);
        if (change.changes === 1) written.push(outcome.id);
      }
      return written;
    })();
  }

  /** Cancels a pending or running job; answers whether it did (false: unknown or already final). */
  cancel(id: string, now: number): boolean {
    return this.#statements.cancel.run(now, now, id).changes === 1;
  }

  /** Deletes final jobs that finished before `before` (keeping those with a callback still due). */
  sweep(before: number): number {
    return this.#statements.sweep.run(before).changes;
  }

  /** Callbacks due at `now`, oldest first. */
  dueCallbacks(now: number, limit: number): DueCallback[] {
    return this.#statements.dueCallbacks.all(now, limit) as DueCallback[];
  }

  /** When the next pending callback is due, if any. */
  nextCallbackAt(): number | undefined {
    const row = this.#statements.nextCallbackAt.get() as { at: number | null };
    return row.at ?? undefined;
  }

  /** Records a delivered callback. */
  callbackDelivered(id: string, now: number): void {
    this.#statements.callbackDelivered.run(now, id);
  }

  /** Records a failed callback attempt: retried at `retryAt`, or given up when it is undefined. */
  callbackFailed(id: string, error: string, retryAt: number | undefined): void {
    this.#statements.callbackFailed.run(
      retryAt === undefined ? "failed" : "pending",
      error,
      retryAt ?? null,
      id,
    );
  }

  /** Jobs per status (for metrics and tests). */
  counts(): Partial<Record<JobStatus, number>> {
    const rows = this.#statements.counts.all() as { status: JobStatus; count: number }[];
    return Object.fromEntries(rows.map((row) => [row.status, row.count]));
  }

  /** How many times each job's result was written (the exactly-once check of the tests). */
  resultWrites(): Map<string, number> {
    const rows = this.#statements.resultWrites.all() as { id: string; writes: number }[];
    return new Map(rows.map((row) => [row.id, row.writes]));
  }

  close(): void {
    this.#db.close();
  }
}

function toDocument(record: JobRecord): JobDocument {
  return {
    job_id: record.id,
    endpoint: record.endpoint,
    status: record.status,
    created_at: iso(record.created_at),
    ...(record.started_at === null ? {} : { started_at: iso(record.started_at) }),
    ...(record.finished_at === null ? {} : { finished_at: iso(record.finished_at) }),
    ...(record.result_json === null ? {} : { result: JSON.parse(record.result_json) as JobResult }),
    ...(record.error === null ? {} : { error: record.error }),
    ...(record.callback_url === null
      ? {}
      : {
          callback: {
            url: record.callback_url,
            attempts: record.callback_attempts,
            ...(record.callback_delivered_at === null
              ? {}
              : { delivered_at: iso(record.callback_delivered_at) }),
            ...(record.callback_last_error === null
              ? {}
              : { last_error: record.callback_last_error }),
          },
        }),
  };
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
