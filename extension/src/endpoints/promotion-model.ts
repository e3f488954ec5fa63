// One promotion at a time, from the promote dialog's choice to the endpoint's details.

import type { IDisposable } from "@lumino/disposable";
import { Signal, type ISignal } from "@lumino/signaling";
import { promoteModel, type BatchingLimits, type EndpointState } from "../api/endpoints-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { loadEndpointDetails, type EndpointDetails } from "./endpoint-details";

/** What the promote dialog asks for. */
export type PromotionChoice = {
  model: string;
  version: string;
  endpoint: string;
  /** Absent: the endpoint keeps its batching limits. */
  batching?: BatchingLimits;
};

/** Where the latest promotion is. */
export type PromotionState =
  | { status: "idle" }
  | { status: "promoting"; choice: PromotionChoice }
  | { status: "promoted"; choice: PromotionChoice; endpoint: EndpointDetails }
  | { status: "failed"; choice: PromotionChoice; error: KilnServerError };

type PromotionOptions = {
  /** How long a promotion may take: the server downloads, verifies and warms up the model. */
  timeoutMs?: number;
};

const DEFAULT_TIMEOUT_MS = 180_000;

/**
 * Promotes a model version through the Kiln server, then reads the endpoint's details.
 *
 * @example
 * ```ts
 * const promotion = new PromotionModel();
 * promotion.configure(settings);
 * promotion.changed.connect(() => render(promotion.state));
 * await promotion.promote({ model: "drill-anomaly", version: "3", endpoint: "drill" });
 * ```
 */
export class PromotionModel implements IDisposable {
  #state: PromotionState = { status: "idle" };
  #settings: KilnSettings | null = null;
  #disposed = false;
  readonly #timeoutMs: number;
  readonly #changed = new Signal<this, void>(this);
  readonly #promoted = new Signal<this, EndpointDetails>(this);

  constructor(options: PromotionOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get changed(): ISignal<this, void> {
    return this.#changed;
  }

  /** Emitted once an endpoint serves a newly promoted version. */
  get promoted(): ISignal<this, EndpointDetails> {
    return this.#promoted;
  }

  get state(): PromotionState {
    return this.#state;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  configure(settings: KilnSettings): void {
    this.#settings = settings;
  }

  /**
   * Promotes `choice`; resolves once {@link state} says how it went. A failure is a state to
   * show, not a rejection; a second promotion while one runs is ignored.
   *
   * @throws {TypeError} before {@link configure}.
   */
  async promote(choice: PromotionChoice): Promise<void> {
    if (this.#state.status === "promoting" || this.#disposed) return;
    const settings = this.#settings;
    if (settings === null) {
      throw new TypeError(
        "PromotionModel.promote() needs the Kiln settings: call configure() first.",
      );
    }
    this.#set({ status: "promoting", choice });
    let next: PromotionState;
    try {
      const state = await this.#promoteInTime(settings, choice);
      next = { status: "promoted", choice, endpoint: await loadEndpointDetails(settings, state) };
    } catch (error) {
      if (!(error instanceof KilnServerError)) throw error;
      next = { status: "failed", choice, error };
    }
    if (this.#disposed) return;
    this.#set(next);
    if (next.status === "promoted") this.#promoted.emit(next.endpoint);
  }

  /**
   * Keeps the promoted endpoint's details true when it changes elsewhere (a rollback, a
   * promotion from the CLI): given the endpoints as listed now, reads its details again when it
   * serves another version than the one shown.
   */
  async follow(endpoints: readonly EndpointState[]): Promise<void> {
    const state = this.#state;
    const settings = this.#settings;
    if (state.status !== "promoted" || settings === null) return;
    const listed = endpoints.find((e) => e.name === state.endpoint.name);
    const shown = state.endpoint;
    if (
      !listed ||
      (listed.current.model === shown.model && listed.current.version === shown.version)
    ) {
      return;
    }
    const endpoint = await loadEndpointDetails(settings, listed);
    // Dropped when a promotion started meanwhile: its result is the one to show.
    if (this.#state === state && !this.#disposed) this.#set({ ...state, endpoint });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    Signal.clearData(this);
  }

  // Never a spinner that spins forever: a promotion that takes too long is a failure too.
  async #promoteInTime(settings: KilnSettings, choice: PromotionChoice) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    try {
      return await promoteModel(
        settings,
        choice.endpoint,
        {
          model: choice.model,
          version: choice.version,
          ...(choice.batching ? { batching: choice.batching } : {}),
        },
        controller.signal,
      );
    } catch (error) {
      if (!timedOut) throw error;
      throw new KilnServerError(
        "unreachable",
        `The Kiln server at ${settings.serverUrl} did not finish promoting ${choice.model} v${choice.version} within ${this.#timeoutMs / 1000} s`,
        "It may still finish: look at the Endpoints section in a moment, or at the server's log.",
        { serverUrl: settings.serverUrl, cause: error },
      );
    } finally {
      clearTimeout(timer);
    }
  }

  #set(state: PromotionState): void {
    this.#state = state;
    this.#changed.emit();
  }
}
