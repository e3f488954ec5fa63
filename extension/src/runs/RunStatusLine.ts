// Under the Run button: what the run model is doing (each activity with a spinner that ends),
// how the shown run went with its MLflow link, or what went wrong and how to fix it.

import { Widget } from "@lumino/widgets";
import type { CompileProblem } from "../api/pipelines-api";
import { element, textWithCode } from "../widgets/elements";
import { formatDuration } from "./format-duration";
import { mlflowLinkElement, type MlflowLinks } from "./mlflow-links";
import type { PipelineRunModel, RunModelState } from "./pipeline-run-model";

type RunStatusLineOptions = {
  runs: PipelineRunModel;
  links: MlflowLinks;
  /** Selects a cell of the notebook (a compile problem's). */
  onSelectCell: (index: number) => void;
};

/**
 * Shows a {@link PipelineRunModel}'s activity, run and problem.
 *
 * @example
 * ```ts
 * view.addWidget(new RunStatusLine({ runs, links, onSelectCell: (i) => selectCells(notebook, [i]) }));
 * ```
 */
export class RunStatusLine extends Widget {
  readonly #options: RunStatusLineOptions;

  constructor(options: RunStatusLineOptions) {
    super();
    this.#options = options;
    this.addClass("jp-KilnRunStatus");
    options.runs.changed.connect(this.update, this);
    options.links.changed.connect(this.update, this);
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
    const state = this.#options.runs.state;
    this.node.dataset.activity = state.activity;
    const parts: Node[] = [];
    const busy = activityText(state);
    if (busy) {
      parts.push(
        element("p", "jp-KilnRunStatus-activity", element("span", "jp-KilnRunSpinner"), busy),
      );
    } else if (state.run) {
      parts.push(this.#summary(state));
    }
    if (state.problem) {
      const { message, fix, compileProblems } = state.problem;
      const box = element(
        "div",
        "jp-KilnRunStatus-problem",
        element("p", "jp-KilnRunStatus-problemMessage", ...textWithCode(message)),
        element("p", "jp-KilnRunStatus-problemFix", ...textWithCode(fix)),
      );
      if (compileProblems.length > 0) {
        box.append(
          element(
            "ul",
            "jp-KilnRunStatus-compileProblems",
            ...compileProblems.map((p) => this.#compileProblem(p)),
          ),
        );
      }
      box.setAttribute("role", "alert");
      parts.push(box);
    }
    this.node.replaceChildren(...parts);
  }

  #summary(state: RunModelState): HTMLParagraphElement {
    const run = state.run!;
    const ended =
      run.status === "running"
        ? "running"
        : `${run.status}${run.durationMs !== undefined ? ` in ${formatDuration(run.durationMs)}` : ""}`;
    const line = element(
      "p",
      "jp-KilnRunStatus-summary",
      `Run ${run.runId} of ${run.pipeline} ${run.version}: `,
      element("strong", "jp-KilnRunStatus-result", ended),
    );
    line.dataset.status = run.status;
    const url = this.#options.links.runUrl(run.experimentId, run.mlflowRunId);
    if (url) line.append(" · ", mlflowLinkElement(url, "MLflow run", "jp-KilnRunStatus-mlflow"));
    return line;
  }

  #compileProblem(problem: CompileProblem): HTMLLIElement {
    const where = problem.cell
      ? `cell ${problem.cell.index} (\`${problem.cell.firstLine}\`): `
      : "";
    const item = element(
      "li",
      "jp-KilnRunStatus-compileProblem",
      element("p", "", ...textWithCode(`${where}${problem.message}`)),
      element("p", "jp-KilnRunStatus-problemFix", ...textWithCode(problem.fix)),
    );
    const cell = problem.cell;
    if (cell) {
      item.dataset.cellIndex = String(cell.index);
      item.title = "Select this cell";
      item.addEventListener("click", () => this.#options.onSelectCell(cell.index));
    }
    return item;
  }
}

function activityText(state: RunModelState): string | null {
  switch (state.activity) {
    case "idle":
      return null;
    case "saving":
      return "Saving the notebook…";
    case "starting":
      return "Compiling the saved notebook and starting the run…";
    case "following":
      return `Running ${state.run?.runId ?? ""}…`;
    case "loading":
      return "Loading the run…";
  }
}
