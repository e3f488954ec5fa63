// Wires promotion into the Kiln panel: the current pipeline's models with Promote, and every
// endpoint with Rollback and its monitoring report, in JupyterLab's dialogs, clipboard and main
// area.

import { Clipboard } from "@jupyterlab/apputils";
import { Panel } from "@lumino/widgets";
import type { NotebookAnalysisModel } from "../models/notebook-analysis-model";
import type { KilnSettings } from "../settings";
import { EndpointReports, type ReportShell } from "./endpoint-reports";
import { EndpointsModel } from "./endpoints-model";
import { EndpointsSection } from "./EndpointsSection";
import { ModelsSection } from "./ModelsSection";
import { pipelineNameOf } from "./pipeline-name";
import { PipelineModelsModel } from "./pipeline-models-model";
import { askPromotion } from "./promote-dialog";
import { PromotionModel } from "./promotion-model";
import { inMainAreaWidget } from "./report-main-area";
import { confirmRollback } from "./rollback-dialog";

/** What the plugin adds to the panel, and tells the settings. */
export type PromotionSetUp = {
  /** The Models and Endpoints sections. */
  section: Panel;
  configure(settings: KilnSettings): void;
};

/**
 * Creates the models and sections; the pipeline followed is the one of the notebook `analysis`
 * follows. Endpoints' reports open in `shell`'s main area.
 *
 * @example
 * ```ts
 * const promotion = setUpPromotion(analysis, app.shell);
 * panel.addWidget(promotion.section);
 * promotion.configure(settings);
 * ```
 */
export function setUpPromotion(
  analysis: NotebookAnalysisModel,
  shell: ReportShell,
): PromotionSetUp {
  const models = new PipelineModelsModel();
  const promotion = new PromotionModel();
  const endpoints = new EndpointsModel();
  const reports = new EndpointReports({ shell, frame: inMainAreaWidget });
  const followPipeline = () => models.showPipeline(pipelineNameOf(analysis.state));
  analysis.changed.connect(followPipeline);
  followPipeline();
  promotion.promoted.connect(() => void endpoints.refresh());
  endpoints.changed.connect(() => {
    if (endpoints.state.status === "loaded") void promotion.follow(endpoints.state.endpoints);
  });

  const section = new Panel();
  section.addClass("jp-KilnPromotion");
  section.addWidget(
    new ModelsSection({
      models,
      promotion,
      askPromotion,
      copy: (text) => Clipboard.copyToSystem(text),
    }),
  );
  section.addWidget(
    new EndpointsSection({
      endpoints,
      confirmRollback,
      openReport: (endpoint) => reports.open(endpoint.name),
    }),
  );
  return {
    section,
    configure(settings) {
      models.configure(settings);
      promotion.configure(settings);
      endpoints.configure(settings);
      reports.configure(settings);
    },
  };
}
