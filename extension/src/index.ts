// Kiln's JupyterLab plugins. This module only wires models, widgets and JupyterLab together.

import {
  ILayoutRestorer,
  type JupyterFrontEnd,
  type JupyterFrontEndPlugin,
} from "@jupyterlab/application";
import { INotebookTracker } from "@jupyterlab/notebook";
import { ISettingRegistry } from "@jupyterlab/settingregistry";
import { setUpAnnotating } from "./annotate/annotate-cells";
import { NotebookNotesModel } from "./annotate/notebook-notes-model";
import { setUpPromotion } from "./endpoints/set-up-promotion";
import { kilnIcon } from "./icons";
import { NotebookAnalysisModel } from "./models/notebook-analysis-model";
import { PipelinePanelModel } from "./models/pipeline-panel-model";
import { ServerStatusModel } from "./models/server-status-model";
import { followCurrentNotebook } from "./notebook-tracking";
import { setUpPipelineGraphs } from "./pipeline-graph/pipeline-graphs";
import { readKilnSettings } from "./settings";
import { PIPELINE_PANEL_ID, PLUGIN_ID } from "./tokens";
import { PipelinePanel } from "./widgets/PipelinePanel";

/** The Kiln sidebar: the current notebook's pipeline cells and the Kiln server's status. */
const pipelinePanelPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: "Kiln's sidebar: the current notebook's pipeline steps and the Kiln server status.",
  autoStart: true,
  requires: [INotebookTracker, ISettingRegistry],
  optional: [ILayoutRestorer],
  activate: async (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    settingRegistry: ISettingRegistry,
    restorer: ILayoutRestorer | null,
  ) => {
    const pipeline = new PipelinePanelModel();
    const server = new ServerStatusModel();
    const panel = new PipelinePanel({ pipeline, server });
    panel.title.icon = kilnIcon;
    app.shell.add(panel, "left", { rank: 650 });
    restorer?.add(panel, PIPELINE_PANEL_ID);
    // The server's view of the same notebook: inferred inputs and outputs, edges, problems.
    const analysis = new NotebookAnalysisModel();
    followCurrentNotebook(notebooks, pipeline);
    followCurrentNotebook(notebooks, analysis);
    // Annotating: the cell toolbar's editor, notes under the cells, the sidebar's form.
    const notes = new NotebookNotesModel(analysis);
    followCurrentNotebook(notebooks, notes);
    panel.addWidget(setUpAnnotating(app, notebooks, notes));
    // The current notebook's pipeline graph in the main area: runs, step logs, versions.
    const graphs = setUpPipelineGraphs(app, notebooks);
    panel.insertWidget(2, graphs.button);
    // Promotion: the pipeline's models with Promote, every endpoint with Rollback and Report.
    const promotion = setUpPromotion(analysis, app.shell);
    panel.addWidget(promotion.section);

    const settings = await settingRegistry.load(PLUGIN_ID);
    const configure = () => {
      const kiln = readKilnSettings(settings.composite);
      server.configure(kiln);
      analysis.configure(kiln);
      graphs.configure(kiln);
      promotion.configure(kiln);
    };
    configure();
    settings.changed.connect(configure);
  },
};

export default [pipelinePanelPlugin];
