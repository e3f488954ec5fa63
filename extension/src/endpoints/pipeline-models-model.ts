// The model versions the current pipeline's latest succeeded run registered: what the Models
// section offers to promote. Polled quietly, so a run that finishes shows up without a click.

import type { PipelineRunRecord } from "@kiln/kernel-lib/spec";
import type { IDisposable } from "@lumino/disposable";
import { Signal, type ISignal } from "@lumino/signaling";
import { listRunModels, type RunModel } from "../api/endpoints-api";
import { listPipelineRuns } from "../api/runs-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";

/** The Models section's state. */
export type PipelineModelsState =
  | { status: "no-pipeline" }
  | { status: "unconfigured"; pipeline: string }
  | { status: "loading"; pipeline: string }
  /**
   * `run` is the newest succeeded run that registered models (or, when none of the latest did,
   * the newest succeeded run, with no models); null when the pipeline has no succeeded run.
   */
  | { status: "loaded"; pipeline: string; run: PipelineRunRecord | null; models: RunModel[] }
  | { status: "failed"; pipeline: string; error: KilnServerError };

type PipelineModelsOptions = {
  /** How often to look for a newer run; a run that finishes shows up within this time. */
  pollIntervalMs?: number;
};

const DEFAULT_POLL_INTERVAL_MS = 20_000;
// A run whose steps were all cached registers nothing: look back a few runs for the models.
const SUCCEEDED_RUNS_TO_SEARCH = 5;

/**
 * Follows one pipeline ({@link showPipeline}) and holds the models its latest succeeded run
 * registered.
 *
 * @example
 * ```ts
 * const models = new PipelineModelsModel();
 * models.changed.connect(() => render(models.state));
 * models.configure(settings);
 * models.showPipeline("churn");
 * ```
 */
export class PipelineModelsModel implements IDisposable {
  #state: PipelineModelsState = { status: "no-pipeline" };
  #settings: KilnSettings | null = null;
  #pipeline: string | null = null;
  // Only the answer to the latest request counts (the pipeline or the settings may change).
  #latest = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #disposed = false;
  // A finished run that registered nothing never will: no need to ask MLflow again.
  readonly #runsWithoutModels = new Set<string>();
  readonly #pollIntervalMs: number;
  readonly #changed = new Signal<this, void>(this);

  constructor(options: PipelineModelsOptions = {}) {
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  }

  get changed(): ISignal<this, void> {
    return this.#changed;
  }

  get state(): PipelineModelsState {
    return this.#state;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** The server to ask; looks again at once and keeps polling. */
  configure(settings: KilnSettings): void {
    this.#settings = settings;
    if (this.#timer === undefined && !this.#disposed) {
      this.#timer = setInterval(() => void this.#load({ quietly: true }), this.#pollIntervalMs);
    }
    void this.refresh();
  }

  /** The pipeline of the current notebook (null: none); a new one is looked up at once. */
  showPipeline(pipeline: string | null): void {
    if (pipeline === this.#pipeline) return;
    this.#pipeline = pipeline;
    void this.refresh();
  }

  /**
   * Looks now, showing "loading" meanwhile unless models of this pipeline are shown; resolves
   * once {@link state} holds the answer.
   */
  refresh(): Promise<void> {
    return this.#load({ quietly: false });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    clearInterval(this.#timer);
    Signal.clearData(this);
  }

  // A poll is quiet, and so is a refresh while models are shown: no flicker, the new answer
  // replaces them.
  async #load({ quietly }: { quietly: boolean }): Promise<void> {
    const pipeline = this.#pipeline;
    const settings = this.#settings;
    const id = ++this.#latest;
    if (pipeline === null) return this.#set({ status: "no-pipeline" });
    if (settings === null) return this.#set({ status: "unconfigured", pipeline });
    const shown = this.#state.status === "loaded" && this.#state.pipeline === pipeline;
    if (!quietly && !shown) this.#set({ status: "loading", pipeline });
    let next: PipelineModelsState;
    try {
      next = { status: "loaded", pipeline, ...(await this.#latestModels(settings, pipeline)) };
    } catch (error) {
      if (!(error instanceof KilnServerError)) throw error;
      next = { status: "failed", pipeline, error };
    }
    if (id === this.#latest && !this.#disposed) this.#set(next);
  }

  async #latestModels(
    settings: KilnSettings,
    pipeline: string,
  ): Promise<{ run: PipelineRunRecord | null; models: RunModel[] }> {
    const succeeded = (await listPipelineRuns(settings, pipeline))
      .filter((run) => run.status === "succeeded")
      .slice(0, SUCCEEDED_RUNS_TO_SEARCH);
    for (const run of succeeded) {
      if (this.#runsWithoutModels.has(run.runId)) continue;
      const models = await listRunModels(settings, run.runId);
      if (models.length > 0) return { run, models };
      this.#runsWithoutModels.add(run.runId);
    }
    return { run: succeeded[0] ?? null, models: [] };
  }

  #set(state: PipelineModelsState): void {
    if (sameShown(state, this.#state)) return;
    this.#state = state;
    this.#changed.emit();
  }
}

// Polls answer the same most of the time: the section redraws only when something changed.
function sameShown(a: PipelineModelsState, b: PipelineModelsState): boolean {
  const shown = (state: PipelineModelsState) =>
    JSON.stringify(state, (_key, value: unknown) =>
      value instanceof Error
        ? { message: value.message, fix: (value as KilnServerError).fix }
        : value,
    );
  return shown(a) === shown(b);
}
