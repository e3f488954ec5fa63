// Every endpoint of the Kiln server, polled, with traffic rates worked out between polls, and
// rollback.

import type { IDisposable } from "@lumino/disposable";
import { Signal, type ISignal } from "@lumino/signaling";
import { listEndpoints, rollbackEndpoint, type ServedEndpoint } from "../api/endpoints-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { usageRates, type UsageRates, type UsageSample } from "./usage-rates";

/** An endpoint as the endpoints view shows it. */
export type ShownEndpoint = ServedEndpoint & {
  /** Null from a server that does not count usage. */
  rates: UsageRates | null;
  /** A rollback under way, or the last one's failure. */
  rollback: { status: "rolling-back" } | { status: "failed"; error: KilnServerError } | null;
};

/** The endpoints view's state. */
export type EndpointsState =
  | { status: "unconfigured" }
  | { status: "loading" }
  | { status: "loaded"; endpoints: ShownEndpoint[] }
  | { status: "failed"; error: KilnServerError };

type EndpointsOptions = {
  pollIntervalMs?: number;
  /** Rates over a shorter window (a refresh right after a poll) say little: keep the last ones. */
  minRateWindowMs?: number;
  /** The clock, for tests. */
  now?: () => number;
};

const DEFAULT_POLL_INTERVAL_MS = 15_000;
const DEFAULT_MIN_RATE_WINDOW_MS = 5_000;

/**
 * Lists the endpoints (`GET /api/endpoints`) now, on {@link refresh} and every poll interval,
 * and rolls them back.
 *
 * @example
 * ```ts
 * const endpoints = new EndpointsModel();
 * endpoints.changed.connect(() => render(endpoints.state));
 * endpoints.configure(settings);
 * await endpoints.rollback("drill");
 * ```
 */
export class EndpointsModel implements IDisposable {
  #state: EndpointsState = { status: "unconfigured" };
  #settings: KilnSettings | null = null;
  #latest = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #disposed = false;
  // Per endpoint: the sample rates are measured from, and the rates last measured.
  readonly #samples = new Map<string, UsageSample>();
  readonly #rates = new Map<string, UsageRates>();
  readonly #rollbacks = new Map<string, NonNullable<ShownEndpoint["rollback"]>>();
  #listed: ServedEndpoint[] = [];
  readonly #opts: Required<EndpointsOptions>;
  readonly #changed = new Signal<this, void>(this);

  constructor(options: EndpointsOptions = {}) {
    this.#opts = {
      pollIntervalMs: DEFAULT_POLL_INTERVAL_MS,
      minRateWindowMs: DEFAULT_MIN_RATE_WINDOW_MS,
      now: Date.now,
      ...options,
    };
  }

  get changed(): ISignal<this, void> {
    return this.#changed;
  }

  get state(): EndpointsState {
    return this.#state;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** The server to ask; lists at once and keeps polling. */
  configure(settings: KilnSettings): void {
    this.#settings = settings;
    this.#samples.clear();
    this.#rates.clear();
    if (this.#timer === undefined && !this.#disposed) {
      this.#timer = setInterval(
        () => void this.#load({ quietly: true }),
        this.#opts.pollIntervalMs,
      );
    }
    void this.refresh();
  }

  /** Lists now; a view that shows endpoints keeps them until the answer arrives. */
  refresh(): Promise<void> {
    return this.#load({ quietly: false });
  }

  /**
   * Serves `endpoint`'s previous version again, then lists the endpoints. A failure is shown on
   * the endpoint, not thrown.
   */
  async rollback(endpoint: string): Promise<void> {
    const settings = this.#settings;
    if (settings === null || this.#rollbacks.get(endpoint)?.status === "rolling-back") return;
    this.#rollbacks.set(endpoint, { status: "rolling-back" });
    this.#show();
    try {
      await rollbackEndpoint(settings, endpoint);
      this.#rollbacks.delete(endpoint);
    } catch (error) {
      if (!(error instanceof KilnServerError)) throw error;
      this.#rollbacks.set(endpoint, { status: "failed", error });
    }
    await this.#load({ quietly: true });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    clearInterval(this.#timer);
    Signal.clearData(this);
  }

  async #load({ quietly }: { quietly: boolean }): Promise<void> {
    const settings = this.#settings;
    if (settings === null || this.#disposed) return;
    const id = ++this.#latest;
    // A poll is quiet, and so is any request while endpoints are shown: no flicker.
    if (this.#state.status === "unconfigured" || (!quietly && this.#state.status !== "loaded")) {
      this.#set({ status: "loading" });
    }
    try {
      const listed = await listEndpoints(settings);
      if (id !== this.#latest || this.#disposed) return;
      this.#measure(listed);
      this.#listed = listed;
      this.#show();
    } catch (error) {
      if (!(error instanceof KilnServerError)) throw error;
      if (id === this.#latest && !this.#disposed) this.#set({ status: "failed", error });
    }
  }

  #measure(listed: ServedEndpoint[]): void {
    const readAt = this.#opts.now();
    for (const { name, usage } of listed) {
      if (!usage) continue;
      const current = { usage, readAt };
      const earlier = this.#samples.get(name);
      if (earlier && readAt - earlier.readAt < this.#opts.minRateWindowMs) continue;
      this.#rates.set(name, usageRates(earlier, current));
      this.#samples.set(name, current);
    }
  }

  // The last list with the rates and rollbacks of now (a rollback under way changes no listing).
  #show(): void {
    this.#set({
      status: "loaded",
      endpoints: this.#listed.map((endpoint) => ({
        ...endpoint,
        rates: this.#rates.get(endpoint.name) ?? null,
        rollback: this.#rollbacks.get(endpoint.name) ?? null,
      })),
    });
  }

  #set(state: EndpointsState): void {
    this.#state = state;
    this.#changed.emit();
  }
}
