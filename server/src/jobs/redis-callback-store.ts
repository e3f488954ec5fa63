import type { Redis } from "ioredis";
import type { CallbackStore } from "./callback-delivery";
import type { DueCallback, JobCallback, JobDocument } from "./job-store";

/** Options of `RedisCallbackStore`. */
export type RedisCallbackStoreOptions = {
  /** Key prefix, one per queue: `kiln:<queue>`. */
  prefix: string;
  /** The job as clients see it, without its callback (read from BullMQ). */
  readJob: (id: string) => Promise<JobDocument | undefined>;
  /** How long a replica owns a due callback it took before another may take it (a POST's timeout and more). */
  leaseMs: number;
  /** When a callback whose job has not ended yet is looked at again (a safety net: the worker wakes it). */
  recheckMs: number;
  /** How long callback state is kept. */
  retentionMs: number;
};

// Moves `member` to a new score only if it still has the score this replica read: taking a due
// callback and giving it back are both compare-and-set, so two replicas never take the same one.
const compareAndSetScore = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) == tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  return 1
end
return 0`;

/**
 * Callback state of the Redis job queue, shared by the replicas: a sorted set of job ids by the
 * time their callback is due, and a hash per callback (url, attempts, delivered_at, last_error).
 * A callback is registered with its job (due later, as a safety net) and made due at once when
 * the job ends; `dueCallbacks` takes callbacks under a lease, so each attempt is POSTed by one
 * replica, and one that dies mid-POST leaves it to another after `leaseMs`.
 *
 * @example
 * const store = new RedisCallbackStore(client, { prefix: "kiln:jobs", readJob, leaseMs: 60_000, recheckMs: 10_000, retentionMs });
 * await store.register(id, "https://example.com/hook", Date.now());
 */
export class RedisCallbackStore implements CallbackStore {
  readonly #redis: Redis;
  readonly #options: RedisCallbackStoreOptions;
  readonly #due: string;

  constructor(redis: Redis, options: RedisCallbackStoreOptions) {
    this.#redis = redis;
    this.#options = options;
    this.#due = `${options.prefix}:callbacks:due`;
  }

  /** Records the callback of a new job (before the job is queued, so none is ever missed). */
  async register(id: string, url: string, now: number): Promise<void> {
    await this.#redis
      .multi()
      .hset(this.#key(id), { url, attempts: 0 })
      .pexpire(this.#key(id), this.#options.retentionMs)
      .zadd(this.#due, now + this.#options.recheckMs, id)
      .exec();
  }

  /** Makes the callback of a job that just ended due now (a no-op for jobs without one). */
  async jobEnded(id: string, now: number): Promise<void> {
    await this.#redis
      .multi()
      .zadd(this.#due, "XX", "LT", now, id)
      // Kept as long as the finished job is.
      .pexpire(this.#key(id), this.#options.retentionMs)
      .exec();
  }

  /** The callback as `GET /jobs/{id}` shows it, if the job has one. */
  async read(id: string): Promise<JobCallback | undefined> {
    const hash = await this.#redis.hgetall(this.#key(id));
    if (hash.url === undefined) return undefined;
    return {
      url: hash.url,
      attempts: Number(hash.attempts ?? 0),
      ...(hash.delivered_at === undefined
        ? {}
        : { delivered_at: new Date(Number(hash.delivered_at)).toISOString() }),
      ...(hash.last_error === undefined ? {} : { last_error: hash.last_error }),
    };
  }

  async dueCallbacks(now: number, limit: number): Promise<DueCallback[]> {
    const found = await this.#redis.zrangebyscore(
      this.#due,
      "-inf",
      now,
      "WITHSCORES",
      "LIMIT",
      0,
      limit,
    );
    const due: DueCallback[] = [];
    for (let i = 0; i + 1 < found.length; i += 2) {
      const id = found[i] as string;
      const score = found[i + 1] as string;
      const lease = now + this.#options.leaseMs;
      const taken = await this.#redis.eval(compareAndSetScore, 1, this.#due, id, score, lease);
      if (taken !== 1) continue;
      const job = await this.#options.readJob(id);
      const callback = await this.read(id);
      if (!job || !callback) {
        // The job (or its callback) is gone after retention: nothing left to send.
        await this.#redis.zrem(this.#due, id);
        continue;
      }
      if (job.status === "pending" || job.status === "running") {
        // Not ended yet: give it back for later, unless the job's end already made it due.
        await this.#redis.eval(
          compareAndSetScore,
          1,
          this.#due,
          id,
          lease,
          now + this.#options.recheckMs,
        );
        continue;
      }
      due.push({ id, url: callback.url, attempts: callback.attempts });
    }
    return due;
  }

  async nextCallbackAt(): Promise<number | undefined> {
    const [, score] = await this.#redis.zrange(this.#due, 0, 0, "WITHSCORES");
    return score === undefined ? undefined : Number(score);
  }

  async get(id: string): Promise<JobDocument | undefined> {
    const job = await this.#options.readJob(id);
    if (!job) return undefined;
    const callback = await this.read(id);
    return callback ? { ...job, callback } : job;
  }

  async callbackDelivered(id: string, now: number): Promise<void> {
    await this.#redis
      .multi()
      .hincrby(this.#key(id), "attempts", 1)
      .hset(this.#key(id), "delivered_at", now)
      .hdel(this.#key(id), "last_error")
      .zrem(this.#due, id)
      .exec();
  }

  async callbackFailed(id: string, error: string, retryAt: number | undefined): Promise<void> {
    const multi = this.#redis
      .multi()
      .hincrby(this.#key(id), "attempts", 1)
      .hset(this.#key(id), "last_error", error);
    await (
      retryAt === undefined ? multi.zrem(this.#due, id) : multi.zadd(this.#due, retryAt, id)
    ).exec();
  }

  #key(id: string): string {
    return `${this.#options.prefix}:callback:${id}`;
  }
}
