// Opens one pipeline graph per notebook, beside it in the main area, from the Kiln sidebar's
// "Pipeline graph" button or the command; keeps every open graph on the current settings.

import type { JupyterFrontEnd } from "@jupyterlab/application";
import type { INotebookTracker, NotebookPanel } from "@jupyterlab/notebook";
import { Widget } from "@lumino/widgets";
import { NotebookAnalysisModel } from "../models/notebook-analysis-model";
import { MlflowLinks } from "../runs/mlflow-links";
import { PipelineRunModel } from "../runs/pipeline-run-model";
import { RunHistoryModel } from "../runs/run-history-model";
import type { KilnSettings } from "../settings";
import { CommandIDs } from "../tokens";
import { element } from "../widgets/elements";
import type { GraphNotebookPanel } from "./graph-notebook";
import { PipelineGraphView } from "./PipelineGraphView";

/** Where graphs are added: JupyterLab's shell (`app.shell`) satisfies it. */
export type GraphShell = {
  add(widget: Widget, area: "main", options: { mode: "split-right"; ref: string }): void;
  activateById(id: string): void;
};

/**
 * The open graphs, one per notebook.
 *
 * @example
 * ```ts
 * const graphs = new PipelineGraphs(app.shell);
 * graphs.configure(settings);
 * graphs.open(notebookTracker.currentWidget!);
 * ```
 */
export class PipelineGraphs {
  readonly #shell: GraphShell;
  readonly #views = new Map<GraphNotebookPanel, PipelineGraphView>();
  #settings: KilnSettings | null = null;

  constructor(shell: GraphShell) {
    this.#shell = shell;
  }

  configure(settings: KilnSettings): void {
    this.#settings = settings;
    for (const view of this.#views.values()) view.configure(settings);
  }

  /** Shows `notebook`'s graph beside it: the open one, or a new one. */
  open(notebook: GraphNotebookPanel): PipelineGraphView {
    const open = this.#views.get(notebook);
    if (open) {
      this.#shell.activateById(open.id);
      return open;
    }
    const view = new PipelineGraphView(notebook, {
      analysis: new NotebookAnalysisModel(),
      runs: new PipelineRunModel(),
      history: new RunHistoryModel(),
      links: new MlflowLinks(),
    });
    if (this.#settings) view.configure(this.#settings);
    this.#views.set(notebook, view);
    view.disposed.connect(() => this.#views.delete(notebook));
    // A graph belongs to its notebook: it closes with it.
    notebook.disposed.connect(() => view.dispose());
    this.#shell.add(view, "main", { mode: "split-right", ref: notebook.id });
    this.#shell.activateById(view.id);
    return view;
  }
}

/**
 * Registers the command that opens the current notebook's graph, and returns the Kiln sidebar's
 * button for it with the graphs to configure.
 *
 * @example
 * ```ts
 * const graphs = setUpPipelineGraphs(app, notebookTracker);
 * panel.insertWidget(2, graphs.button);
 * settings.changed.connect(() => graphs.configure(readKilnSettings(settings.composite)));
 * ```
 */
export function setUpPipelineGraphs(
  app: JupyterFrontEnd,
  notebooks: INotebookTracker,
): { button: Widget; configure: (settings: KilnSettings) => void } {
  const graphs = new PipelineGraphs(app.shell);
  app.commands.addCommand(CommandIDs.openPipelineGraph, {
    label: "Pipeline Graph",
    caption:
      "Open the current notebook's pipeline graph: run it, follow its steps, open their logs",
    isEnabled: () => notebooks.currentWidget !== null,
    execute: () => {
      const notebook: NotebookPanel | null = notebooks.currentWidget;
      if (notebook) graphs.open(notebook);
    },
  });
  const button = element("button", "jp-KilnPanel-openGraph jp-mod-styled", "Pipeline graph");
  button.type = "button";
  button.title = "Open the current notebook's pipeline graph beside it";
  const refresh = () => (button.disabled = notebooks.currentWidget === null);
  notebooks.currentChanged.connect(refresh);
  refresh();
  button.addEventListener("click", () => void app.commands.execute(CommandIDs.openPipelineGraph));
  return {
    button: new Widget({ node: element("div", "jp-KilnPanel-graphLine", button) }),
    configure: (settings) => graphs.configure(settings),
  };
}
