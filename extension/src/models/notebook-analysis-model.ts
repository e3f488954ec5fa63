// What the Kiln server's compiler says about the current notebook as it is being edited: each
// step's inputs and outputs and the edges (for the cell badges and the DAG), or the problems found
// (shown on their cells). Debounced, so typing does not send a request per key.

import { Signal, type ISignal } from "@lumino/signaling";
import { analyzeNotebook, type NotebookAnalysis } from "../api/pipelines-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";

/** The analysis of the current notebook, as far as it has got. */
export type AnalysisState =
  | { status: "no-notebook" }
  /** `previous` is the last result for this notebook, shown until the new one arrives. */
  | { status: "analyzing"; path: string; previous: NotebookAnalysis | null }
  | { status: "analyzed"; path: string; analysis: NotebookAnalysis }
  | { status: "failed"; path: string; error: KilnServerError };

type Analyze = typeof analyzeNotebook;

const ANALYSIS_TIMEOUT_MS = 10_000;

/**
 * Sends the current notebook's content to `POST /api/pipelines/analyze` after each pause in
 * editing, and holds the latest answer. Answers that arrive after a newer edit are dropped.
 *
 * @example
 * ```ts
 * const analysis = new NotebookAnalysisModel();
 * analysis.configure(settings);
 * analysis.changed.connect(() => render(analysis.state));
 * analysis.showNotebook("train.ipynb", cells, () => panel.content.model!.toJSON());
 * ```
 */
export class NotebookAnalysisModel {
  #state: AnalysisState = { status: "no-notebook" };
  #settings: KilnSettings | null = null;
  #notebook: { path: string; content: () => unknown } | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight: AbortController | undefined;
  readonly #changed = new Signal<this, void>(this);

  constructor(private readonly options: { debounceMs?: number; analyze?: Analyze } = {}) {}

  get changed(): ISignal<this, void> {
    return this.#changed;
  }

  get state(): AnalysisState {
    return this.#state;
  }

  /** The server to ask; analyzes the current notebook again. */
  configure(settings: KilnSettings): void {
    this.#settings = settings;
    this.#schedule(0);
  }

  /** The current notebook changed (or another one became current): analyze it after a pause. */
  showNotebook(path: string, _cells: unknown, content: () => unknown): void {
    const samePath = this.#notebook?.path === path;
    this.#notebook = { path, content };
    if (!samePath) this.#set({ status: "analyzing", path, previous: null });
    this.#schedule(samePath ? (this.options.debounceMs ?? 400) : 0);
  }

  /** No notebook is current any more. */
  clearNotebook(): void {
    this.#notebook = null;
    this.#cancel();
    this.#set({ status: "no-notebook" });
  }

  /** Analyzes now, without waiting for a pause (e.g. before a run). */
  async refresh(): Promise<AnalysisState> {
    this.#cancel();
    await this.#analyze();
    return this.#state;
  }

  dispose(): void {
    this.#cancel();
    this.#notebook = null;
    Signal.clearData(this);
  }

  #schedule(delayMs: number): void {
    if (!this.#notebook || !this.#settings) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#analyze();
    }, delayMs);
  }

  #cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#inFlight?.abort();
    this.#inFlight = undefined;
  }

  async #analyze(): Promise<void> {
    const notebook = this.#notebook;
    const settings = this.#settings;
    if (!notebook || !settings) return;
    this.#inFlight?.abort();
    const controller = new AbortController();
    this.#inFlight = controller;
    const previous =
      this.#state.status === "analyzed" && this.#state.path === notebook.path
        ? this.#state.analysis
        : this.#state.status === "analyzing" && this.#state.path === notebook.path
          ? this.#state.previous
          : null;
    this.#set({ status: "analyzing", path: notebook.path, previous });
    // Never a spinner that spins forever: a server that does not answer is a failure too.
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, ANALYSIS_TIMEOUT_MS);
    try {
      const analysis = await (this.options.analyze ?? analyzeNotebook)(
        settings,
        notebook.path,
        notebook.content(),
        controller.signal,
      );
      if (controller.signal.aborted) return;
      this.#set({ status: "analyzed", path: notebook.path, analysis });
    } catch (error) {
      if (timedOut) {
        this.#set({
          status: "failed",
          path: notebook.path,
          error: new KilnServerError(
            "unreachable",
            `The Kiln server at ${settings.serverUrl} did not analyze the notebook within ${ANALYSIS_TIMEOUT_MS / 1000} s`,
            "Check that the server is running and not overloaded; edit the notebook to try again.",
            { serverUrl: settings.serverUrl, cause: error },
          ),
        });
        return;
      }
      if (controller.signal.aborted) return;
      if (!(error instanceof KilnServerError)) throw error;
      this.#set({ status: "failed", path: notebook.path, error });
    } finally {
      clearTimeout(timeout);
      if (this.#inFlight === controller) this.#inFlight = undefined;
    }
  }

  #set(state: AnalysisState): void {
    this.#state = state;
    this.#changed.emit();
  }
}
