// The Kiln sidebar panel: the server's status line above the current notebook's pipeline cells.

import { Panel, Widget } from "@lumino/widgets";
import type { PipelinePanelModel } from "../models/pipeline-panel-model";
import type { ServerStatusModel } from "../models/server-status-model";
import { PIPELINE_PANEL_ID } from "../tokens";
import { AnnotatedCellList } from "./AnnotatedCellList";
import { ServerStatusLine } from "./ServerStatusLine";
import { element } from "./elements";

type PipelinePanelOptions = {
  pipeline: PipelinePanelModel;
  server: ServerStatusModel;
};

/**
 * The panel in JupyterLab's left sidebar (id {@link PIPELINE_PANEL_ID}).
 *
 * @example
 * ```ts
 * const server = new ServerStatusModel();
 * const panel = new PipelinePanel({ pipeline: new PipelinePanelModel(), server });
 * app.shell.add(panel, "left");
 * ```
 */
export class PipelinePanel extends Panel {
  constructor({ pipeline, server }: PipelinePanelOptions) {
    super();
    this.id = PIPELINE_PANEL_ID;
    this.title.caption = "Kiln pipeline";
    this.addClass("jp-KilnPanel");
    this.addWidget(new Widget({ node: element("h2", "jp-KilnPanel-title", "Kiln") }));
    this.addWidget(new ServerStatusLine(server));
    this.addWidget(new AnnotatedCellList(pipeline));
  }
}
