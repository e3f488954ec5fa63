// A pipeline's registered versions and its runs, for the graph's versions and runs list and for
// the cache state of the steps (the latest run of the version the notebook compiles to).

import type { PipelineRunRecord } from "@kiln/kernel-lib/spec";
import { Signal, type ISignal } from "@lumino/signaling";
import { listPipelineRuns, listPipelineVersions, type PipelineVersion } from "../api/runs-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";

export type RunHistoryState =
  | { status: "no-pipeline" }
  /** `previous` is shown until the new lists arrive. */
  | { status: "loading"; pipeline: string; previous: RunHistory | null }
  | { status: "loaded"; pipeline: string; history: RunHistory }
  | { status: "failed"; pipeline: string; error: KilnServerError };

export type RunHistory = {
  /** Oldest first, as the server registered them. */
  versions: PipelineVersion[];
  /** Newest first. */
  runs: PipelineRunRecord[];
};

type HistoryApi = {
  listPipelineRuns: typeof listPipelineRuns;
  listPipelineVersions: typeof listPipelineVersions;
};

/**
 * Lists a pipeline's versions and runs when the pipeline is named, and again on
 * {@link refresh} (after a run ends). Lists that arrive for another pipeline are dropped.
 *
 * @example
 * ```ts
 * const history = new RunHistoryModel();
 * history.configure(settings);
 * history.showPipeline("churn");
 * history.changed.connect(() => render(history.state));
 * ```
 */
export class RunHistoryModel {
  #state: RunHistoryState = { status: "no-pipeline" };
  #settings: KilnSettings | null = null;
  #pipeline: string | null = null;
  #latest = 0;
  readonly #changed = new Signal<this, void>(this);
  readonly #api: HistoryApi;

  constructor(options: { api?: Partial<HistoryApi> } = {}) {
    this.#api = { listPipelineRuns, listPipelineVersions, ...options.api };
  }

  get changed(): ISignal<this, void> {
    return this.#changed;
  }

  get state(): RunHistoryState {
    return this.#state;
  }

  configure(settings: KilnSettings): void {
    this.#settings = settings;
    void this.refresh();
  }

  /** The pipeline to list (its name, from the notebook's spec); lists it unless it already is. */
  showPipeline(pipeline: string | null): void {
    if (pipeline === this.#pipeline) return;
    this.#pipeline = pipeline;
    if (pipeline === null) {
      this.#latest++;
      this.#set({ status: "no-pipeline" });
      return;
    }
    void this.refresh();
  }

  /** Lists the versions and runs again. */
  async refresh(): Promise<void> {
    const pipeline = this.#pipeline;
    const settings = this.#settings;
    if (pipeline === null || settings === null) return;
    const request = ++this.#latest;
    const previous =
      this.#state.status === "loaded" && this.#state.pipeline === pipeline
        ? this.#state.history
        : this.#state.status === "loading" && this.#state.pipeline === pipeline
          ? this.#state.previous
          : null;
    this.#set({ status: "loading", pipeline, previous });
    try {
      const [versions, runs] = await Promise.all([
        this.#api.listPipelineVersions(settings, pipeline),
        this.#api.listPipelineRuns(settings, pipeline),
      ]);
      if (request !== this.#latest) return;
      this.#set({ status: "loaded", pipeline, history: { versions, runs } });
    } catch (error) {
      if (request !== this.#latest) return;
      this.#set({ status: "failed", pipeline, error: asServerError(error, settings) });
    }
  }

  /** The newest run of `version`, if the lists are in. */
  latestRunOf(version: string): PipelineRunRecord | undefined {
    const history =
      this.#state.status === "loaded"
        ? this.#state.history
        : this.#state.status === "loading"
          ? this.#state.previous
          : null;
    return history?.runs.find((run) => run.version === version);
  }

  dispose(): void {
    this.#latest++;
    Signal.clearData(this);
  }

  #set(state: RunHistoryState): void {
    this.#state = state;
    this.#changed.emit();
  }
}

// Anything else than a KilnServerError here is an answer of an unexpected shape.
function asServerError(error: unknown, settings: KilnSettings): KilnServerError {
  if (error instanceof KilnServerError) return error;
  return new KilnServerError(
    "bad-response",
    `The Kiln server at ${settings.serverUrl} listed the pipeline's versions or runs in a shape this extension does not read (${String(error)})`,
    "Check that the extension and the server are of the same Kiln version.",
    { serverUrl: settings.serverUrl, cause: error },
  );
}
