// The pipeline graph of one notebook, in JupyterLab's main area: the DAG as the server's
// compiler reads the notebook now, the Run button with the params, the shown run's states on
// the nodes, the open step's log and error, and the pipeline's versions and runs.

import type { PipelineRunRecord, PipelineSpec } from "@kiln/kernel-lib/spec";
import { Panel, Widget } from "@lumino/widgets";
import type { CompileProblem } from "../api/pipelines-api";
import type { AnalysisState, NotebookAnalysisModel } from "../models/notebook-analysis-model";
import type { MlflowLinks } from "../runs/mlflow-links";
import { ParamForm } from "../runs/ParamForm";
import type { PipelineRunModel } from "../runs/pipeline-run-model";
import type { RunHistoryModel } from "../runs/run-history-model";
import { RunHistoryList } from "../runs/RunHistoryList";
import { RunStatusLine } from "../runs/RunStatusLine";
import type { ShownStep } from "../runs/shown-run";
import { StepDetails } from "../runs/StepDetails";
import type { KilnSettings } from "../settings";
import { element, textWithCode } from "../widgets/elements";
import { followNotebook, selectCells, type GraphNotebookPanel } from "./graph-notebook";
import { layoutPipeline, type GraphLayout } from "./graph-layout";
import { PipelineGraphCanvas } from "./PipelineGraphCanvas";

/** The models a graph view shows; it owns them and disposes them with itself. */
export type PipelineGraphModels = {
  analysis: NotebookAnalysisModel;
  runs: PipelineRunModel;
  history: RunHistoryModel;
  links: MlflowLinks;
};

/**
 * The steps' states on the graph, and what they are from when the run status line above the
 * graph does not say it already.
 */
type ShownStates = { steps: Readonly<Record<string, ShownStep>>; caption: string | null };

/**
 * The graph view of `notebook`'s pipeline.
 *
 * @example
 * ```ts
 * const view = new PipelineGraphView(notebookPanel, {
 *   analysis: new NotebookAnalysisModel(), runs: new PipelineRunModel(),
 *   history: new RunHistoryModel(), links: new MlflowLinks(),
 * });
 * view.configure(settings);
 * app.shell.add(view, "main", { mode: "split-right", ref: notebookPanel.id });
 * ```
 */
export class PipelineGraphView extends Panel {
  readonly #notebook: GraphNotebookPanel;
  readonly #models: PipelineGraphModels;
  readonly #following: { dispose(): void };
  readonly #header = new Widget({ node: element("div", "jp-KilnGraphView-header") });
  readonly #runButton = element(
    "button",
    "jp-KilnGraphView-run jp-mod-styled jp-mod-accept",
    "Run",
  );
  readonly #form = new ParamForm();
  readonly #notice = new Widget({ node: element("div", "jp-KilnGraphView-notice") });
  readonly #canvas: PipelineGraphCanvas;
  readonly #details: StepDetails;
  readonly #historyList: RunHistoryList;
  #selectedStep: string | null = null;
  #laidOut: { spec: PipelineSpec; layout: GraphLayout } | null = null;
  #shownRunId: string | null = null;

  constructor(notebook: GraphNotebookPanel, models: PipelineGraphModels) {
    super();
    this.#notebook = notebook;
    this.#models = models;
    this.id = `kiln-pipeline-graph-${notebook.id}`;
    this.addClass("jp-KilnGraphView");
    this.title.closable = true;
    this.title.caption = `Pipeline graph of ${notebook.context.path}`;

    this.#runButton.type = "button";
    this.#runButton.addEventListener("click", () => void this.run());
    const toolbar = new Panel();
    toolbar.addClass("jp-KilnGraphView-toolbar");
    toolbar.addWidget(
      new Widget({ node: element("div", "jp-KilnGraphView-runButton", this.#runButton) }),
    );
    toolbar.addWidget(this.#form);

    this.#canvas = new PipelineGraphCanvas({ onSelectStep: (step) => this.selectStep(step) });
    this.#details = new StepDetails({
      runs: models.runs,
      links: models.links,
      onClose: () => this.selectStep(null),
    });
    const graph = new Panel();
    graph.addClass("jp-KilnGraphView-graph");
    graph.addWidget(this.#notice);
    graph.addWidget(this.#canvas);
    const body = new Panel();
    body.addClass("jp-KilnGraphView-body");
    body.addWidget(graph);
    body.addWidget(this.#details);
    this.#historyList = new RunHistoryList({
      history: models.history,
      onShowRun: (runId) => void models.runs.showRun(runId),
    });

    this.addWidget(this.#header);
    this.addWidget(toolbar);
    this.addWidget(
      new RunStatusLine({
        runs: models.runs,
        links: models.links,
        onSelectCell: (index) => selectCells(notebook.content, [index]),
      }),
    );
    this.addWidget(body);
    this.addWidget(this.#historyList);

    models.analysis.changed.connect(this.#onAnalysisChanged, this);
    models.runs.changed.connect(this.#onRunsChanged, this);
    models.runs.runEnded.connect(this.#onRunEnded, this);
    models.history.changed.connect(this.update, this);
    this.#following = followNotebook(notebook, models.analysis);
    this.#render();
  }

  /** The models' server and key. */
  configure(settings: KilnSettings): void {
    this.#models.analysis.configure(settings);
    this.#models.runs.configure(settings);
    this.#models.history.configure(settings);
    void this.#models.links.configure(settings);
  }

  /** Runs the notebook with the params in the form, once every field reads as its type. */
  async run(): Promise<void> {
    const params = this.#form.read();
    if (params === null) return;
    await this.#models.runs.start({
      notebook: this.#notebook.context.path,
      params,
      save: () => this.#notebook.context.save(),
    });
  }

  /**
   * Opens a step (its cells selected in the notebook, its log and error beside the graph), or
   * closes the one open (null).
   */
  selectStep(step: string | null): void {
    this.#selectedStep = step;
    const spec = specOf(this.#models.analysis.state);
    const cells = spec?.steps.find((s) => s.name === step)?.cells.map((c) => c.index) ?? [];
    if (cells.length > 0) selectCells(this.#notebook.content, cells);
    // The last run of this version is on the graph but not in the run model: open it there,
    // so the step's log and MLflow run can be shown.
    const { runs } = this.#models;
    if (step !== null && !runs.state.run && runs.state.activity === "idle") {
      const latest = this.#latestRunOfCurrentVersion();
      if (latest) void runs.showRun(latest.runId);
    }
    this.#details.showStep(step);
    this.update();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.#following.dispose();
    const { analysis, runs, history, links } = this.#models;
    analysis.dispose();
    runs.dispose();
    history.dispose();
    links.dispose();
    super.dispose();
  }

  protected override onUpdateRequest(): void {
    this.#render();
  }

  #onAnalysisChanged(): void {
    const state = this.#models.analysis.state;
    const spec = specOf(state);
    if (spec) this.#models.history.showPipeline(spec.name);
    else if (state.status === "no-notebook") this.#models.history.showPipeline(null);
    this.update();
  }

  #onRunsChanged(): void {
    const runId = this.#models.runs.state.run?.runId ?? null;
    if (runId !== this.#shownRunId) {
      this.#shownRunId = runId;
      // A new run is in the list from its start.
      if (this.#models.runs.state.activity === "following") void this.#models.history.refresh();
    }
    this.update();
  }

  #onRunEnded(): void {
    void this.#models.history.refresh();
    // The run registered the notebook's version: the analysis now names it.
    void this.#models.analysis.refresh();
  }

  #render(): void {
    const analysis = this.#models.analysis.state;
    const spec = specOf(analysis);
    const runState = this.#models.runs.state;
    this.title.label = spec
      ? `${spec.name} pipeline`
      : `${basename(this.#notebook.context.path)} pipeline`;
    this.#renderHeader(analysis, spec);
    this.#form.setParams(spec?.params ?? []);
    this.#runButton.disabled = runState.activity !== "idle" || analysis.status === "no-notebook";
    const running = ["saving", "starting", "following"].includes(runState.activity);
    this.#runButton.textContent = running ? "Running…" : "Run";

    const states = this.#shownStates();
    const notice = this.#noticeOf(analysis, spec, states);
    this.#notice.node.replaceChildren(...notice);
    this.#notice.node.hidden = notice.length === 0;
    const drawable = spec && spec.steps.length > 0 && analysis.status !== "failed";
    this.#canvas.node.hidden = !drawable;
    if (drawable) {
      this.#canvas.draw({
        layout: this.#layoutOf(spec),
        steps: states?.steps ?? {},
        selectedStep: this.#selectedStep,
      });
    }
    this.#historyList.setContext({
      currentVersion: analysis.status === "analyzed" ? analysis.analysis.version : null,
      analyzed: analysis.status === "analyzed" && analysis.analysis.spec !== null,
      shownRunId: runState.run?.runId ?? null,
    });
  }

  #renderHeader(analysis: AnalysisState, spec: PipelineSpec | null): void {
    const path = analysis.status === "no-notebook" ? this.#notebook.context.path : analysis.path;
    const version =
      analysis.status === "analyzed" && analysis.analysis.spec
        ? (analysis.analysis.version ?? "not compiled yet")
        : null;
    const parts: Node[] = [
      element("h2", "jp-KilnGraphView-title", spec ? spec.name : basename(path)),
    ];
    const details = [path];
    if (version) details.push(`version: ${version}`);
    const line = element("p", "jp-KilnGraphView-version", details.join(" · "));
    line.dataset.version = version ?? "";
    parts.push(line);
    this.#header.node.replaceChildren(...parts);
  }

  #noticeOf(
    analysis: AnalysisState,
    spec: PipelineSpec | null,
    states: ShownStates | null,
  ): Node[] {
    switch (analysis.status) {
      case "no-notebook":
        return [notice("The notebook was closed.")];
      case "failed":
        return [
          problemBox("The Kiln server could not read the notebook", [
            element("p", "", ...textWithCode(analysis.error.message)),
            element("p", "jp-KilnGraphView-fix", ...textWithCode(analysis.error.fix)),
          ]),
        ];
      case "analyzing":
        if (!spec)
          return [
            element(
              "p",
              "jp-KilnGraphView-hint",
              element("span", "jp-KilnRunSpinner"),
              "Reading the notebook…",
            ),
          ];
        break;
      case "analyzed":
        if (analysis.analysis.problems.length > 0) {
          return [
            problemBox(
              "The notebook does not compile, so there is no graph: fix these, and it comes back.",
              [
                element(
                  "ul",
                  "jp-KilnGraphView-problems",
                  ...analysis.analysis.problems.map((p) => this.#problemItem(p)),
                ),
              ],
            ),
          ];
        }
        break;
    }
    if (!spec) return [];
    if (spec.steps.length === 0) {
      return [
        notice("No step yet: start a cell with `// @kiln step=<name>` to make it a pipeline step."),
      ];
    }
    const caption = [
      states ? states.caption : "Not run yet: press Run.",
      analysis.status === "analyzing" ? "Reading your latest edit…" : null,
    ].filter((part) => part !== null);
    return caption.length > 0 ? [element("p", "jp-KilnGraphView-caption", caption.join(" "))] : [];
  }

  #problemItem(problem: CompileProblem): HTMLLIElement {
    const where = problem.cell
      ? `cell ${problem.cell.index} (\`${problem.cell.firstLine}\`): `
      : "";
    const item = element(
      "li",
      "jp-KilnGraphView-problem",
      element(
        "p",
        "jp-KilnGraphView-problemMessage",
        ...textWithCode(`${where}${problem.message}`),
      ),
      element("p", "jp-KilnGraphView-fix", ...textWithCode(problem.fix)),
    );
    const cell = problem.cell;
    if (cell) {
      item.dataset.cellIndex = String(cell.index);
      item.title = "Select this cell";
      item.addEventListener("click", () => selectCells(this.#notebook.content, [cell.index]));
    }
    return item;
  }

  // The shown run's states; else the last run of the version the notebook is now (what is
  // cached), when the runs list has it.
  #shownStates(): ShownStates | null {
    const run = this.#models.runs.state.run;
    if (run) {
      return { steps: run.steps, caption: null };
    }
    const latest = this.#latestRunOfCurrentVersion();
    if (!latest) return null;
    return {
      steps: latest.steps,
      caption: `Last run of ${latest.version} (the notebook now): ${latest.runId}, ${latest.status}.`,
    };
  }

  #latestRunOfCurrentVersion(): PipelineRunRecord | undefined {
    const analysis = this.#models.analysis.state;
    if (analysis.status !== "analyzed" || analysis.analysis.version === null) return undefined;
    return this.#models.history.latestRunOf(analysis.analysis.version);
  }

  #layoutOf(spec: PipelineSpec): GraphLayout {
    if (this.#laidOut?.spec !== spec) this.#laidOut = { spec, layout: layoutPipeline(spec) };
    return this.#laidOut.layout;
  }
}

/** The spec the graph shows: the latest analysis', or the previous one while a new one is made. */
function specOf(state: AnalysisState): PipelineSpec | null {
  switch (state.status) {
    case "analyzed":
      return state.analysis.spec;
    case "analyzing":
      return state.previous?.spec ?? null;
    default:
      return null;
  }
}

function notice(text: string): HTMLParagraphElement {
  return element("p", "jp-KilnGraphView-hint", ...textWithCode(text));
}

function problemBox(title: string, children: Node[]): HTMLDivElement {
  const box = element(
    "div",
    "jp-KilnGraphView-problemBox",
    element("p", "jp-KilnGraphView-problemTitle", title),
    ...children,
  );
  box.setAttribute("role", "alert");
  return box;
}

function basename(path: string): string {
  return path.replace(/^.*\//, "").replace(/\.ipynb$/i, "");
}
