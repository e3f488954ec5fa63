// A step of the shown run, opened from its node: its status, error, log and MLflow run. A live
// run's log grows as the step prints; a past run's is fetched from the server when opened.

import { Widget } from "@lumino/widgets";
import { element, textWithCode } from "../widgets/elements";
import { KilnServerError } from "../tokens";
import { mlflowLinkElement, type MlflowLinks } from "./mlflow-links";
import type { PipelineRunModel } from "./pipeline-run-model";
import { statusText } from "./step-status-text";

type StepDetailsOptions = {
  runs: PipelineRunModel;
  links: MlflowLinks;
  onClose: () => void;
};

/** The fetched log of a past run's step. */
type FetchedLog =
  | { status: "loading" }
  | { status: "loaded"; text: string }
  | { status: "failed"; message: string; fix: string };

/**
 * Shows one step of the run model's run ({@link showStep}); hidden when no step is open.
 *
 * @example
 * ```ts
 * const details = new StepDetails({ runs, links, onClose: () => details.showStep(null) });
 * details.showStep("train");
 * ```
 */
export class StepDetails extends Widget {
  readonly #options: StepDetailsOptions;
  #step: string | null = null;
  // Keyed by run and step: another run or step fetches again.
  #fetched: { key: string; log: FetchedLog } | null = null;

  constructor(options: StepDetailsOptions) {
    super();
    this.#options = options;
    this.addClass("jp-KilnStepDetails");
    options.runs.changed.connect(this.update, this);
    options.links.changed.connect(this.update, this);
    this.#render();
  }

  get step(): string | null {
    return this.#step;
  }

  /** Opens `step` of the shown run (null closes). */
  showStep(step: string | null): void {
    this.#step = step;
    this.#render();
  }

  protected override onUpdateRequest(): void {
    this.#render();
  }

  override dispose(): void {
    this.#options.runs.changed.disconnect(this.update, this);
    this.#options.links.changed.disconnect(this.update, this);
    super.dispose();
  }

  #render(): void {
    const step = this.#step;
    const run = this.#options.runs.state.run;
    this.node.hidden = step === null;
    if (step === null) {
      this.node.replaceChildren();
      return;
    }
    const close = element("button", "jp-KilnStepDetails-close jp-mod-styled", "Close");
    close.type = "button";
    close.addEventListener("click", () => this.#options.onClose());
    const header = element(
      "div",
      "jp-KilnStepDetails-header",
      element("h3", "jp-KilnStepDetails-name", step),
      close,
    );
    const state = run?.steps[step];
    if (!run || !state) {
      this.node.replaceChildren(
        header,
        element(
          "p",
          "jp-KilnStepDetails-hint",
          run
            ? `Run ${run.runId} has no step ${step}: the notebook changed since.`
            : "Run the pipeline to see this step's log.",
        ),
      );
      return;
    }
    const status = element("p", "jp-KilnStepDetails-status", statusText(state));
    status.dataset.status = state.status;
    const parts: Node[] = [header, status];
    const url = this.#options.links.runUrl(run.experimentId, state.mlflowRunId);
    if (url) {
      const text = state.status === "cached" ? "MLflow run that computed it" : "MLflow run";
      parts.push(element("p", "", mlflowLinkElement(url, text, "jp-KilnStepDetails-mlflow")));
    }
    if (state.error) {
      parts.push(element("pre", "jp-KilnStepDetails-error", state.error));
    }
    parts.push(
      element("h4", "jp-KilnStepDetails-logTitle", "Log"),
      this.#log(run.runId, step, state.status === "cached"),
    );
    this.node.replaceChildren(...parts);
  }

  #log(runId: string, step: string, cached: boolean): HTMLElement {
    const run = this.#options.runs.state.run;
    const lines = run?.logs?.[step];
    if (lines) return logElement(lines.map((l) => l.line).join("\n"), cached);
    const key = `${runId}\u0000${step}`;
    if (this.#fetched?.key !== key) {
      this.#fetched = { key, log: { status: "loading" } };
      void this.#fetchLog(key, step);
    }
    const log = this.#fetched.log;
    switch (log.status) {
      case "loading":
        return element(
          "p",
          "jp-KilnStepDetails-hint",
          element("span", "jp-KilnRunSpinner"),
          "Loading the log…",
        );
      case "loaded":
        return logElement(log.text, cached);
      case "failed":
        return element(
          "div",
          "jp-KilnStepDetails-logProblem",
          element("p", "", ...textWithCode(log.message)),
          element("p", "jp-KilnStepDetails-hint", ...textWithCode(log.fix)),
        );
    }
  }

  async #fetchLog(key: string, step: string): Promise<void> {
    let log: FetchedLog;
    try {
      log = { status: "loaded", text: await this.#options.runs.stepLog(step) };
    } catch (error) {
      log =
        error instanceof KilnServerError
          ? { status: "failed", message: error.message, fix: error.fix }
          : {
              status: "failed",
              message: `Could not read the log: ${String(error)}`,
              fix: "Open the step again to retry.",
            };
    }
    if (this.#fetched?.key !== key || this.isDisposed) return;
    this.#fetched = { key, log };
    this.#render();
  }
}

function logElement(text: string, cached: boolean): HTMLElement {
  if (text !== "") return element("pre", "jp-KilnStepDetails-log", text);
  return element(
    "p",
    "jp-KilnStepDetails-hint",
    cached
      ? "Nothing printed: the step did not run, its outputs came from the cache (its MLflow run has the log of the run that computed them)."
      : "Nothing printed so far.",
  );
}
