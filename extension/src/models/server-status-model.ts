// Whether the Kiln server at the configured URL answers, kept fresh by polling.

import type { IDisposable } from "@lumino/disposable";
import { Signal, type ISignal } from "@lumino/signaling";
import { checkKilnHealth } from "../request";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";

/** What the panel's status line shows. */
export type ServerStatus =
  | { state: "unconfigured" }
  | { state: "checking"; serverUrl: string }
  | { state: "reachable"; serverUrl: string }
  | { state: "unreachable"; serverUrl: string; problem: string; fix: string };

type ServerStatusOptions = {
  /** How often to ask again, so the line turns green soon after the server starts. */
  pollIntervalMs?: number;
};

const DEFAULT_POLL_INTERVAL_MS = 15_000;

/**
 * Asks the Kiln server's `/health` when the settings change ({@link configure}), on
 * {@link check} and every `pollIntervalMs`, and holds the latest answer.
 *
 * @example
 * ```ts
 * const status = new ServerStatusModel();
 * status.changed.connect(() => render(status.status));
 * status.configure(readKilnSettings(settings.composite));
 * ```
 */
export class ServerStatusModel implements IDisposable {
  #settings: KilnSettings | null = null;
  #status: ServerStatus = { state: "unconfigured" };
  // Answers can arrive out of order (a slow check, then a new URL): only the latest one counts.
  #latestCheck = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #disposed = false;
  readonly #pollIntervalMs: number;
  readonly #changed = new Signal<this, void>(this);

  constructor(options: ServerStatusOptions = {}) {
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  }

  /** Emitted whenever {@link status} changes. */
  get changed(): ISignal<this, void> {
    return this.#changed;
  }

  get status(): ServerStatus {
    return this.#status;
  }

  /** Takes new settings: checks the server at once and keeps polling it. */
  configure(settings: KilnSettings): void {
    this.#settings = settings;
    if (this.#timer === undefined && !this.#disposed) {
      this.#timer = setInterval(() => void this.#check({ quietly: true }), this.#pollIntervalMs);
    }
    void this.check();
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /**
   * Checks the server now, showing "checking" meanwhile; resolves once {@link status} holds the
   * answer. An unreachable server is a status to show, not a rejection.
   */
  check(): Promise<void> {
    return this.#check({ quietly: false });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    clearInterval(this.#timer);
    Signal.clearData(this);
  }

  // A poll checks quietly: the line keeps its last answer until the new one arrives.
  async #check({ quietly }: { quietly: boolean }): Promise<void> {
    const settings = this.#settings;
    if (settings === null || this.#disposed) return;
    const id = ++this.#latestCheck;
    if (!quietly) this.#set({ state: "checking", serverUrl: settings.serverUrl });
    let next: ServerStatus;
    try {
      await checkKilnHealth(settings);
      next = { state: "reachable", serverUrl: settings.serverUrl };
    } catch (error) {
      if (!(error instanceof KilnServerError)) throw error;
      next = {
        state: "unreachable",
        serverUrl: settings.serverUrl,
        problem: error.message,
        fix: error.fix,
      };
    }
    if (id === this.#latestCheck && !this.#disposed) this.#set(next);
  }

  #set(status: ServerStatus): void {
    if (JSON.stringify(status) === JSON.stringify(this.#status)) return;
    this.#status = status;
    this.#changed.emit();
  }
}
