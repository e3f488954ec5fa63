// A monitoring report in JupyterLab's own main-area widget, with a Refresh button in its toolbar.

import { MainAreaWidget, ToolbarButton } from "@jupyterlab/apputils";
import { refreshIcon } from "@jupyterlab/ui-components";
import type { EndpointReportView } from "./EndpointReportView";

/**
 * Wraps a report's view as JupyterLab shows documents and panels in the main area.
 *
 * @example
 * ```ts
 * const reports = new EndpointReports({ shell: app.shell, frame: inMainAreaWidget });
 * ```
 */
export function inMainAreaWidget(
  view: EndpointReportView,
  refresh: () => void,
): MainAreaWidget<EndpointReportView> {
  const widget = new MainAreaWidget({ content: view });
  widget.addClass("jp-KilnReportArea");
  widget.toolbar.addItem(
    "refresh",
    new ToolbarButton({
      icon: refreshIcon,
      label: "Refresh",
      className: "jp-KilnReport-refresh",
      tooltip: `Fetch ${view.report.endpoint}'s report again from the Kiln server`,
      onClick: refresh,
    }),
  );
  return widget;
}
