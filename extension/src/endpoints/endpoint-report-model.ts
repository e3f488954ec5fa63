// One endpoint's monitoring report as the server renders it (`GET /api/endpoints/{name}/report`),
// fetched when asked: on opening, on Refresh, and when the settings change.

import type { IDisposable } from "@lumino/disposable";
import { Signal, type ISignal } from "@lumino/signaling";
import { getEndpointReport } from "../api/endpoints-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";

/** The report view's state. */
export type EndpointReportState =
  | { status: "unconfigured" }
  /** `html`: the report shown before, kept on screen while a newer one comes. */
  | { status: "loading"; html: string | null }
  | { status: "loaded"; html: string }
  | { status: "failed"; error: KilnServerError };

/**
 * Holds `endpoint`'s report page.
 *
 * @example
 * ```ts
 * const report = new EndpointReportModel("drill");
 * report.changed.connect(() => render(report.state));
 * report.configure(settings); // fetches it
 * await report.refresh();
 * ```
 */
export class EndpointReportModel implements IDisposable {
  readonly endpoint: string;
  #state: EndpointReportState = { status: "unconfigured" };
  #settings: KilnSettings | null = null;
  // Only the answer to the latest request counts (a refresh, or new settings, may overtake one).
  #latest = 0;
  #disposed = false;
  readonly #changed = new Signal<this, void>(this);

  constructor(endpoint: string) {
    this.endpoint = endpoint;
  }

  get changed(): ISignal<this, void> {
    return this.#changed;
  }

  get state(): EndpointReportState {
    return this.#state;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** The server to ask; fetches the report from it at once. */
  configure(settings: KilnSettings): void {
    this.#settings = settings;
    void this.refresh();
  }

  /** Fetches the report again. A failure is the state, not thrown. */
  async refresh(): Promise<void> {
    const settings = this.#settings;
    if (settings === null || this.#disposed) return;
    const id = ++this.#latest;
    const before = this.#state;
    const shown = before.status === "loaded" || before.status === "loading" ? before.html : null;
    this.#set({ status: "loading", html: shown });
    try {
      const html = await getEndpointReport(settings, this.endpoint);
      if (id === this.#latest && !this.#disposed) this.#set({ status: "loaded", html });
    } catch (error) {
      if (!(error instanceof KilnServerError)) throw error;
      if (id === this.#latest && !this.#disposed) this.#set({ status: "failed", error });
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    Signal.clearData(this);
  }

  #set(state: EndpointReportState): void {
    this.#state = state;
    this.#changed.emit();
  }
}
