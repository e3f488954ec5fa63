// The run shown on a notebook's pipeline graph: one started from the graph and followed live
// through the server's event stream, or a past one opened from the runs list. Every activity
// ends, in the run's final state or in a problem that says what happened and what to do.

import type { JsonValue } from "@kiln/kernel-lib/spec";
import { Signal, type ISignal } from "@lumino/signaling";
import type { CompileProblem } from "../api/pipelines-api";
import { followPipelineRun, getPipelineRun, readStepLog, startPipelineRun } from "../api/runs-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { applyRunEvent, runFromRecord, startedRun, type ShownRun } from "./shown-run";

/** What the model is busy with; `idle` once it is done, whatever the outcome. */
export type RunActivity = "idle" | "saving" | "starting" | "following" | "loading";

/** Something that went wrong, as the graph shows it. */
export type RunProblem = {
  message: string;
  fix: string;
  /** The notebook's compile problems, each with its cell, when it did not compile. */
  compileProblems: CompileProblem[];
};

export type RunModelState = {
  activity: RunActivity;
  run: ShownRun | null;
  problem: RunProblem | null;
};

/** The server calls the model makes; tests hand in fakes. */
export type RunsApi = {
  startPipelineRun: typeof startPipelineRun;
  followPipelineRun: typeof followPipelineRun;
  getPipelineRun: typeof getPipelineRun;
  readStepLog: typeof readStepLog;
};

const serverApi: RunsApi = { startPipelineRun, followPipelineRun, getPipelineRun, readStepLog };

/**
 * Starts runs of a notebook and follows them, or shows a past run.
 *
 * @example
 * ```ts
 * const runs = new PipelineRunModel();
 * runs.configure(settings);
 * runs.changed.connect(() => render(runs.state));
 * await runs.start({ notebook: "churn.ipynb", params: { epochs: 5 }, save: () => context.save() });
 * ```
 */
export class PipelineRunModel {
  #state: RunModelState = { activity: "idle", run: null, problem: null };
  #settings: KilnSettings | null = null;
  #work: AbortController | null = null;
  readonly #changed = new Signal<this, void>(this);
  readonly #runEnded = new Signal<this, ShownRun>(this);
  readonly #api: RunsApi;

  constructor(options: { api?: Partial<RunsApi> } = {}) {
    this.#api = { ...serverApi, ...options.api };
  }

  /** Emitted on every change of {@link state}: activity, a run's progress, a problem. */
  get changed(): ISignal<this, void> {
    return this.#changed;
  }

  /** Emitted when a run followed live has ended (or its end was learned from its record). */
  get runEnded(): ISignal<this, ShownRun> {
    return this.#runEnded;
  }

  get state(): RunModelState {
    return this.#state;
  }

  configure(settings: KilnSettings): void {
    this.#settings = settings;
  }

  /**
   * Saves the notebook (the server runs the file as saved), starts a run with `params` and
   * follows it until it ends. Resolves once it has ended or failed to start; never rejects for
   * a problem the user can fix, which goes to {@link state}'s `problem`.
   */
  async start(request: {
    notebook: string;
    params: Record<string, JsonValue>;
    save: () => Promise<void>;
  }): Promise<void> {
    const settings = this.#settings;
    if (!settings) {
      this.#set({ activity: "idle", problem: notConfigured() });
      return;
    }
    const work = this.#begin();
    this.#set({ activity: "saving", problem: null });
    try {
      await request.save();
    } catch (error) {
      if (work.signal.aborted) return;
      this.#set({
        activity: "idle",
        problem: {
          message: `Could not save ${request.notebook} before running it: ${(error as Error).message ?? String(error)}`,
          fix: "The server runs the notebook as saved: save it (Ctrl+S), then run again.",
          compileProblems: [],
        },
      });
      return;
    }
    if (work.signal.aborted) return;
    this.#set({ activity: "starting" });
    let run: ShownRun;
    try {
      const started = await this.#api.startPipelineRun(settings, {
        notebook: request.notebook,
        ...(Object.keys(request.params).length > 0 ? { params: request.params } : {}),
      });
      run = startedRun(started);
    } catch (error) {
      if (work.signal.aborted) return;
      this.#set({ activity: "idle", problem: problemOf(error) });
      return;
    }
    if (work.signal.aborted) return;
    this.#set({ run, activity: "following" });
    await this.#follow(settings, run, work.signal);
  }

  /**
   * Shows a run from the runs list: its record, followed live when it is still running and
   * this server started it.
   */
  async showRun(runId: string): Promise<void> {
    const settings = this.#settings;
    if (!settings) {
      this.#set({ activity: "idle", problem: notConfigured() });
      return;
    }
    const work = this.#begin();
    this.#set({ activity: "loading", problem: null });
    let run: ShownRun;
    try {
      run = runFromRecord(await this.#api.getPipelineRun(settings, runId));
    } catch (error) {
      if (work.signal.aborted) return;
      this.#set({ activity: "idle", problem: problemOf(error) });
      return;
    }
    if (work.signal.aborted) return;
    if (run.status !== "running") {
      this.#set({ run, activity: "idle" });
      return;
    }
    // The event stream replays the run from its start: the live view starts from scratch.
    this.#set({ run: { ...run, logs: {} }, activity: "following" });
    await this.#follow(settings, this.#state.run!, work.signal);
  }

  /**
   * A step's log: the lines seen on the live stream, else the server's copy (a past run).
   *
   * @throws {KilnServerError} when the server cannot be asked.
   */
  async stepLog(step: string): Promise<string> {
    const run = this.#state.run;
    if (!run) return "";
    const lines = run.logs?.[step];
    if (lines) return lines.map((l) => l.line).join("\n");
    if (!this.#settings) throw notConfiguredError();
    return this.#api.readStepLog(this.#settings, run.runId, step);
  }

  /** Stops following (the run goes on on the server) and forgets the run shown. */
  clear(): void {
    this.#work?.abort();
    this.#work = null;
    this.#set({ activity: "idle", run: null, problem: null });
  }

  dispose(): void {
    this.#work?.abort();
    Signal.clearData(this);
  }

  async #follow(settings: KilnSettings, run: ShownRun, signal: AbortSignal): Promise<void> {
    let problem: RunProblem | null = null;
    try {
      for await (const event of this.#api.followPipelineRun(settings, run.runId, signal)) {
        applyRunEvent(run, event);
        this.#set({});
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof KilnServerError && error.code === "RUN_NOT_LIVE") {
        // Started by an earlier server process: its record is all there is.
      } else {
        problem = problemOf(error);
      }
    }
    if (signal.aborted) return;
    if (run.status === "running") {
      // The stream ended early (or was never there): the record says how far the run got.
      try {
        const record = runFromRecord(await this.#api.getPipelineRun(settings, run.runId));
        if (signal.aborted) return;
        Object.assign(run, { ...record, logs: run.logs });
        if (record.status === "running" && !problem) {
          problem = {
            message: `Lost the live view of run ${run.runId}; the server says it is still running.`,
            fix: "Open it again from the runs list to see how far it has got.",
            compileProblems: [],
          };
        }
      } catch (error) {
        if (signal.aborted) return;
        problem ??= problemOf(error);
      }
    }
    this.#set({ activity: "idle", problem });
    if (run.status !== "running") this.#runEnded.emit(run);
  }

  // A new activity replaces the one going on (following another run stops).
  #begin(): AbortController {
    this.#work?.abort();
    const work = new AbortController();
    this.#work = work;
    return work;
  }

  #set(change: Partial<RunModelState>): void {
    this.#state = { ...this.#state, ...change };
    this.#changed.emit();
  }
}

/**
 * What to show for an error: the server's message and fix, with a notebook's compile problems
 * when it did not compile. Anything else is a bug, still shown (the spinner must end) and logged.
 */
function problemOf(error: unknown): RunProblem {
  if (error instanceof KilnServerError) {
    return {
      message: error.message,
      fix: error.fix,
      compileProblems: (error.problems ?? []) as CompileProblem[],
    };
  }
  console.error("Kiln: unexpected error in the pipeline run view", error);
  return {
    message: `Kiln's extension failed unexpectedly: ${String(error)}`,
    fix: "This is a bug in Kiln; the browser console has the details. Reload the page to try again.",
    compileProblems: [],
  };
}

function notConfigured(): RunProblem {
  const error = notConfiguredError();
  return { message: error.message, fix: error.fix, compileProblems: [] };
}

function notConfiguredError(): KilnServerError {
  return new KilnServerError(
    "invalid-url",
    "The Kiln settings have not been read yet",
    "Wait a moment, or check Settings → Kiln.",
    { serverUrl: "" },
  );
}
