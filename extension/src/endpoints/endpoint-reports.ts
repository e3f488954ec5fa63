// Opens one monitoring report per endpoint in JupyterLab's main area, from the Endpoints
// section's Report buttons; keeps every open report on the current settings.

import type { Widget } from "@lumino/widgets";
import type { KilnSettings } from "../settings";
import { EndpointReportModel } from "./endpoint-report-model";
import { EndpointReportView } from "./EndpointReportView";

/** Where reports are added: JupyterLab's shell (`app.shell`) satisfies it. */
export type ReportShell = {
  add(widget: Widget, area: "main"): void;
  activateById(id: string): void;
};

/**
 * Puts a report's view in the widget the main area shows, with a way to refresh it: JupyterLab's
 * `MainAreaWidget` with a toolbar (see `report-main-area.ts`).
 */
export type ReportFrame = (view: EndpointReportView, refresh: () => void) => Widget;

type EndpointReportsOptions = {
  shell: ReportShell;
  /** The view itself by default. */
  frame?: ReportFrame;
};

/**
 * The open reports, one per endpoint.
 *
 * @example
 * ```ts
 * const reports = new EndpointReports({ shell: app.shell, frame: inMainAreaWidget });
 * reports.configure(settings);
 * reports.open("drill");
 * ```
 */
export class EndpointReports {
  readonly #shell: ReportShell;
  readonly #frame: ReportFrame;
  readonly #open = new Map<string, { frame: Widget; report: EndpointReportModel }>();
  #settings: KilnSettings | null = null;

  constructor({ shell, frame = (view) => view }: EndpointReportsOptions) {
    this.#shell = shell;
    this.#frame = frame;
  }

  /** The server to ask; open reports are fetched again from it. */
  configure(settings: KilnSettings): void {
    this.#settings = settings;
    for (const { report } of this.#open.values()) report.configure(settings);
  }

  /** Shows `endpoint`'s report: the open one, activated, or a new one. */
  open(endpoint: string): Widget {
    const open = this.#open.get(endpoint);
    if (open) {
      this.#shell.activateById(open.frame.id);
      return open.frame;
    }
    const report = new EndpointReportModel(endpoint);
    const view = new EndpointReportView(report);
    const frame = this.#frame(view, () => void report.refresh());
    // Endpoint names are slugs (`[a-z0-9][a-z0-9_-]*`): safe in an id.
    frame.id = `kiln-endpoint-report-${endpoint}`;
    frame.title.label = view.title.label;
    frame.title.caption = view.title.caption;
    frame.title.closable = true;
    this.#open.set(endpoint, { frame, report });
    // Closing the tab disposes the frame, which disposes the view and its model.
    frame.disposed.connect(() => {
      this.#open.delete(endpoint);
      if (!view.isDisposed) view.dispose();
    });
    if (this.#settings) report.configure(this.#settings);
    this.#shell.add(frame, "main");
    this.#shell.activateById(frame.id);
    return frame;
  }
}
