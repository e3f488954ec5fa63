/**
 * Durable spool for tracking writes that could not be delivered because MLflow was unreachable.
 *
 * ## Guarantee
 * Every operation handed to {@link Spool.append} whose promise resolved is stored on the MLflow
 * server **exactly once** eventually, provided the server comes back and the spool directory
 * survives, even across process restarts. "Exactly once" is built from two parts:
 * 1. At-least-once delivery: an operation is appended to `spool.jsonl` and fsync'd before
 *    `append` resolves; it is marked done (an `ack` line, fsync'd) only after MLflow acknowledged
 *    it; a crash between the two re-sends it.
 * 2. Idempotent writes (checked on MLflow 3.17.2 with SQLite): re-sending an identical metric
 *    (same key, value, timestamp, step) via `log-batch` does not add a row — the tuple is the
 *    primary key of MLflow's `metrics` table and duplicates are dropped; re-sending a param with
 *    the same value is accepted; tags are upserts; `log-inputs` of the same dataset is recorded once;
 *    `update-run` is naturally idempotent. Timestamps are fixed when a value is logged, so a re-send
 *    is byte-identical.
 * Consequence: two *deliberately* identical metric points (same key, value, step and millisecond)
 * are stored once — that is MLflow's own behaviour too.
 *
 * Order: within one spool, operations are replayed in the order appended, one at a time; an entry
 * that MLflow refuses for good (4xx, e.g. the run was deleted) is moved to `rejected.jsonl` and
 * acknowledged so it cannot block the rest, and the error is reported to `onRejected`.
 *
 * Concurrency: one replayer at a time per spool directory, enforced by `replay.lock` (a replay that
 * finds it held returns `{ skipped: "locked" }`); appends and compaction are serialised by
 * `spool.lock`. Appends from several processes are safe; the file is removed once everything in it
 * is acknowledged.
 *
 * @example
 * ```ts
 * const spool = new Spool({ dir: ".kiln/spool", send: (op) => sendOperation(http, op) });
 * await spool.append(operation);   // durable
 * await spool.replay();            // { sent: 1, rejected: 0, remaining: 0 }
 * ```
 */
import { randomUUID } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { MlflowApiError, MlflowUnavailableError } from "./errors";
import { FileLock } from "./file-lock";
import type { TrackingOperation } from "./operations";

/** Options of {@link Spool}. */
export type SpoolOptions = {
  /** Directory holding `spool.jsonl`, `rejected.jsonl` and the lock files. */
  dir: string;
  /** Sends one operation to MLflow. */
  send: (operation: TrackingOperation) => Promise<void>;
  /** Called for each operation MLflow refused for good during replay. */
  onRejected?: (operation: TrackingOperation, error: MlflowApiError) => void;
  /** First delay of automatic replay after an append; doubles while MLflow stays down. */
  retryDelayMs?: number;
  /** Cap of the automatic replay delay. */
  maxRetryDelayMs?: number;
};

/** Outcome of one {@link Spool.replay}. */
export type SpoolReplayResult = {
  sent: number;
  rejected: number;
  /** Entries still waiting in the spool. */
  remaining: number;
  /** Why replay stopped early, if it did. */
  skipped?: "locked" | "unavailable";
};

type SpoolLine = { t: "op"; id: string; op: TrackingOperation } | { t: "ack"; id: string };

/** Durable, ordered, exactly-once spool of tracking operations (see module doc). */
export class Spool {
  readonly dir: string;
  readonly file: string;
  readonly rejectedFile: string;
  #send: (operation: TrackingOperation) => Promise<void>;
  #onRejected: (operation: TrackingOperation, error: MlflowApiError) => void;
  #pending: number | undefined;
  #replaying: Promise<SpoolReplayResult> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #baseDelayMs: number;
  #maxDelayMs: number;
  #delayMs: number;

  constructor(options: SpoolOptions) {
    const opts = {
      retryDelayMs: 2_000,
      maxRetryDelayMs: 60_000,
      onRejected: () => undefined,
      ...options,
    } satisfies SpoolOptions;
    this.dir = opts.dir;
    this.file = join(opts.dir, "spool.jsonl");
    this.rejectedFile = join(opts.dir, "rejected.jsonl");
    this.#send = opts.send;
    this.#onRejected = opts.onRejected;
    this.#baseDelayMs = opts.retryDelayMs;
    this.#maxDelayMs = opts.maxRetryDelayMs;
    this.#delayMs = opts.retryDelayMs;
  }

  /** True when operations are waiting; new writes must then queue behind them to keep order. */
  async hasPending(): Promise<boolean> {
    if (this.#pending === undefined) {
      // No file, nothing pending: do not create the spool directory just to look.
      const exists = await fs.stat(this.file).catch(() => undefined);
      this.#pending = exists ? await this.#withWriteLock(() => this.#countPending()) : 0;
    }
    return this.#pending > 0;
  }

  /** Appends an operation durably (fsync'd) and schedules an automatic replay. */
  async append(operation: TrackingOperation): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    await this.#withWriteLock(async () => {
      await this.#appendLine({ t: "op", id: randomUUID(), op: operation });
      this.#pending = this.#pending === undefined ? await this.#countPending() : this.#pending + 1;
    });
    this.scheduleReplay();
  }

  /** Arms a background replay (timer is unref'd: it never keeps the process alive). */
  scheduleReplay(delayMs = this.#delayMs): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.replay().catch(() => undefined);
    }, delayMs);
    this.#timer.unref();
  }

  /** Sends waiting operations in order until the spool is empty or MLflow is unreachable. */
  replay(): Promise<SpoolReplayResult> {
    this.#replaying ??= this.#replayUnderLock().finally(() => {
      this.#replaying = undefined;
    });
    return this.#replaying;
  }

  /** Stops the automatic replay timer. */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #replayUnderLock(): Promise<SpoolReplayResult> {
    const exists = await fs.stat(this.file).catch(() => undefined);
    if (!exists) {
      this.#pending = 0;
      return { sent: 0, rejected: 0, remaining: 0 };
    }
    const lock = await FileLock.acquire(join(this.dir, "replay.lock"));
    if (!lock)
      return { sent: 0, rejected: 0, remaining: await this.#countPending(), skipped: "locked" };
    const result: SpoolReplayResult = { sent: 0, rejected: 0, remaining: 0 };
    try {
      for (;;) {
        const pending = await this.#readPending();
        if (pending.length === 0) {
          // Compact only if no append slipped in since the read; appends hold the same lock.
          const emptied = await this.#withWriteLock(async () => {
            const left = await this.#countPending();
            if (left === 0) await fs.rm(this.file, { force: true });
            this.#pending = left;
            return left === 0;
          });
          if (emptied) break;
          continue;
        }
        for (const entry of pending) {
          try {
            await this.#send(entry.op);
            result.sent++;
          } catch (err) {
            if (err instanceof MlflowUnavailableError) {
              this.#pending = await this.#withWriteLock(() => this.#countPending());
              this.#delayMs = Math.min(this.#delayMs * 2, this.#maxDelayMs);
              this.scheduleReplay();
              return { ...result, remaining: this.#pending, skipped: "unavailable" };
            }
            if (!(err instanceof MlflowApiError)) throw err;
            await this.#reject(entry, err);
            result.rejected++;
          }
          await this.#withWriteLock(() => this.#appendLine({ t: "ack", id: entry.id }));
        }
      }
      this.#delayMs = this.#baseDelayMs;
      return result;
    } finally {
      await lock.release();
    }
  }

  async #reject(
    entry: { id: string; op: TrackingOperation },
    error: MlflowApiError,
  ): Promise<void> {
    const line = JSON.stringify({
      id: entry.id,
      op: entry.op,
      error: { errorCode: error.errorCode, status: error.status, message: error.serverMessage },
      rejectedAt: new Date().toISOString(),
    });
    await appendDurably(this.rejectedFile, line);
    this.#onRejected(entry.op, error);
  }

  async #appendLine(line: SpoolLine): Promise<void> {
    await appendDurably(this.file, JSON.stringify(line));
  }

  async #withWriteLock<T>(action: () => Promise<T>): Promise<T> {
    await fs.mkdir(this.dir, { recursive: true });
    const lock = await FileLock.acquire(join(this.dir, "spool.lock"), {
      waitMs: 30_000,
      staleAfterMs: 60_000,
    });
    if (!lock) {
      throw new Error(
        `Could not lock the MLflow spool in ${this.dir} within 30 s: another process holds spool.lock. ` +
          "If no Kiln process is running, delete that file.",
      );
    }
    try {
      return await action();
    } finally {
      await lock.release();
    }
  }

  // Reads without the write lock: only the replay-lock holder (us) removes the file, and a line
  // another process is still appending simply fails to parse and is read again next round.
  async #readPending(): Promise<Array<{ id: string; op: TrackingOperation }>> {
    const acked = new Set<string>();
    for await (const line of readLines(this.file)) if (line.t === "ack") acked.add(line.id);
    const pending: Array<{ id: string; op: TrackingOperation }> = [];
    for await (const line of readLines(this.file)) {
      if (line.t === "op" && !acked.has(line.id)) {
        acked.add(line.id);
        pending.push({ id: line.id, op: line.op });
      }
    }
    return pending;
  }

  async #countPending(): Promise<number> {
    const ops = new Set<string>();
    for await (const line of readLines(this.file)) {
      if (line.t === "op") ops.add(line.id);
      else ops.delete(line.id);
    }
    return ops.size;
  }
}

async function* readLines(file: string): AsyncGenerator<SpoolLine> {
  const exists = await fs.stat(file).catch(() => undefined);
  if (!exists) return;
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text.trim() === "") continue;
    try {
      yield JSON.parse(text) as SpoolLine;
    } catch {
      // A line torn by a crash mid-write was never acknowledged to its caller; skip it.
    }
  }
}

// One write per line, then fsync, so an acknowledged append survives a power cut. A previous
// torn line (no trailing newline) is closed first so it cannot corrupt this one.
async function appendDurably(file: string, text: string): Promise<void> {
  const handle = await fs.open(file, "a+");
  try {
    const { size } = await handle.stat();
    let prefix = "";
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = "\n";
    }
    await handle.write(`${prefix}${text}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
