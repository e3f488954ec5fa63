import type { MaybePromise } from "./job-backend";
import type { DueCallback, JobDocument } from "./job-store";

/**
 * Where callback state lives: the SQLite `JobStore` answers at once, the Redis store with
 * promises. `dueCallbacks` may claim what it answers (Redis does, so two replicas never POST the
 * same attempt).
 */
export type CallbackStore = {
  dueCallbacks(now: number, limit: number): MaybePromise<DueCallback[]>;
  nextCallbackAt(): MaybePromise<number | undefined>;
  get(id: string): MaybePromise<JobDocument | undefined>;
  callbackDelivered(id: string, now: number): MaybePromise<void>;
  callbackFailed(id: string, error: string, retryAt: number | undefined): MaybePromise<void>;
};

/** Options of callback delivery. */
export type CallbackDeliveryOptions = {
  /** Attempts per callback before it is given up (recorded as `last_error`). */
  maxAttempts?: number;
  /** Wait before the first retry; each later retry waits twice as long as the one before. */
  baseDelayMs?: number;
  /** Longest wait between two attempts. */
  maxDelayMs?: number;
  /** How long one POST may take before it counts as failed. */
  timeoutMs?: number;
  /** Callbacks POSTed at the same time. */
  concurrency?: number;
};

const defaultOptions = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  timeoutMs: 10_000,
  concurrency: 4,
} satisfies Required<CallbackDeliveryOptions>;

/**
 * Checks a client's callback URL: only absolute http(s) URLs are accepted.
 *
 * @example
 * callbackUrlProblem("ftp://x"); // 'callback_url must be an http:// or https:// URL, got "ftp://x".'
 * @returns A message saying what is wrong, or `undefined` when the URL is fine.
 */
export function callbackUrlProblem(url: unknown): string | undefined {
  const expected = "callback_url must be an http:// or https:// URL";
  if (typeof url !== "string") return `${expected}, got ${JSON.stringify(url)}.`;
  try {
    const { protocol } = new URL(url);
    return protocol === "http:" || protocol === "https:"
      ? undefined
      : `${expected}, got ${JSON.stringify(url)}.`;
  } catch {
    return `${expected}, got ${JSON.stringify(url)}.`;
  }
}

/**
 * POSTs finished jobs to their `callback_url`, retrying with exponential backoff up to
 * `maxAttempts`. Which callbacks are due lives in the store (so a restart resumes them);
 * delivery runs on its own timers and never holds up the workers.
 *
 * @example
 * const delivery = new CallbackDelivery(store, { maxAttempts: 3 });
 * delivery.wake(); // after a job with a callback finished
 */
export class CallbackDelivery {
  readonly #store: CallbackStore;
  readonly #options: Required<CallbackDeliveryOptions>;
  readonly #now: () => number;
  readonly #inFlight = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #waking: Promise<void> | undefined;
  #wakeAgain = false;

  constructor(store: CallbackStore, options: CallbackDeliveryOptions = {}, now = Date.now) {
    this.#store = store;
    this.#options = { ...defaultOptions, ...options };
    this.#now = now;
  }

  /** Sends what is due now and schedules the next due callback. */
  wake(): void {
    if (this.#stopped) return;
    // One look at the store at a time; a wake meanwhile looks again after it.
    if (this.#waking) {
      this.#wakeAgain = true;
      return;
    }
    this.#waking = this.#sendDue()
      .catch((error: unknown) => {
        // Only a closed store (stop() gave up waiting) fails after stop; the callbacks stay due.
        if (!this.#stopped) console.error("kiln jobs: could not read due callbacks", error);
      })
      .finally(() => {
        this.#waking = undefined;
        if (this.#wakeAgain) {
          this.#wakeAgain = false;
          this.wake();
        }
      });
  }

  async #sendDue(): Promise<void> {
    const now = this.#now();
    const free = this.#options.concurrency - this.#inFlight.size;
    if (free > 0) {
      for (const due of await this.#store.dueCallbacks(now, free + this.#inFlight.size)) {
        if (this.#stopped || this.#inFlight.size >= this.#options.concurrency) break;
        if (this.#inFlight.has(due.id)) continue;
        const attempt = this.#deliver(due.id, due.url, due.attempts).finally(() => {
          this.#inFlight.delete(due.id);
          this.wake();
        });
        this.#inFlight.set(due.id, attempt);
      }
    }
    await this.#scheduleNext();
  }

  /** Stops sending, waiting up to `timeoutMs` for POSTs under way (their outcome is recorded). */
  async stop(timeoutMs: number): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await waitAtMost(
      [...this.#inFlight.values(), ...(this.#waking ? [this.#waking] : [])],
      timeoutMs,
    );
  }

  async #scheduleNext(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped || this.#inFlight.size >= this.#options.concurrency) return;
    const next = await this.#store.nextCallbackAt();
    if (next === undefined || this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), Math.max(0, next - this.#now()));
    // A pending callback must not keep the process alive on its own.
    this.#timer.unref();
  }

  async #deliver(id: string, url: string, previousAttempts: number): Promise<void> {
    const job = await this.#store.get(id);
    if (!job) return;
    let problem: string | undefined;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "kiln-jobs" },
        body: JSON.stringify(job),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
        redirect: "manual",
      });
      await response.body?.cancel();
      if (!response.ok) problem = `POST ${url} answered HTTP ${response.status}.`;
    } catch (error) {
      problem = `POST ${url} failed: ${(error as Error).message}.`;
    }
    try {
      if (problem === undefined) {
        await this.#store.callbackDelivered(id, this.#now());
      } else {
        const attempts = previousAttempts + 1;
        const retryAt =
          attempts >= this.#options.maxAttempts
            ? undefined
            : this.#now() +
              Math.min(this.#options.maxDelayMs, this.#options.baseDelayMs * 2 ** (attempts - 1));
        await this.#store.callbackFailed(id, problem, retryAt);
      }
    } catch (error) {
      // Only a closed store (stop() gave up waiting) fails here; the callback stays due.
      if (!this.#stopped) throw error;
    }
  }
}

/** Waits for `promises`, but no longer than `timeoutMs`. */
export async function waitAtMost(promises: Promise<unknown>[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.allSettled(promises),
    new Promise((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}
