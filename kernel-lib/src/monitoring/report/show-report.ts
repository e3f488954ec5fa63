/**
 * `kiln.report(...)`: an endpoint's monitoring report, shown inline when the notebook runs on the
 * tslab kernel. Pass the report data itself, or `{ endpoint }` to fetch it from the Kiln server
 * (`GET /api/endpoints/{endpoint}/report.json`, see {@link fetchReportData}).
 *
 * @example
 * ```ts
 * import * as kiln from "@kiln/kernel-lib";
 * // In a notebook cell: the report appears below the cell. Assign the result, or tslab prints
 * // the returned HTML as the cell's value too.
 * const html = await kiln.report({ endpoint: "wafer-quality" });
 * // From data at hand, without a server:
 * await kiln.report({ endpoint: "wafer-quality", model: { name: "m", version: "1" }, generatedAt, drift });
 * ```
 */
import { fetchReportData, type FetchReportOptions, type ReportSource } from "./fetch-report-data";
import type { MonitoringReportData } from "./report-data";
import { renderReportFragment } from "./render-report";
import { findTslabDisplay, type HtmlDisplay } from "./tslab-display";

/** Options of {@link report}. */
export type ReportOptions = FetchReportOptions & {
  /**
   * Where to show the report: `true` (default) shows it inline when running in tslab, `false`
   * never; a display object (`{ html(s) }`) is used as it is.
   */
  display?: boolean | HtmlDisplay;
};

/**
 * Renders an endpoint's monitoring report as an HTML fragment, shows it inline in tslab, and
 * returns the HTML.
 *
 * @throws {ReportFetchError} when `input` names an endpoint and the server cannot be reached,
 *   refuses the key, or answers an error.
 */
export async function report(
  input: MonitoringReportData | ReportSource,
  options: ReportOptions = {},
): Promise<string> {
  const data = isReportData(input) ? input : await fetchReportData(input, options);
  const html = renderReportFragment(data);
  const display =
    options.display === false
      ? undefined
      : options.display === true || options.display === undefined
        ? findTslabDisplay()
        : options.display;
  display?.html(html);
  return html;
}

function isReportData(input: MonitoringReportData | ReportSource): input is MonitoringReportData {
  return typeof input === "object" && input !== null && "model" in input && "generatedAt" in input;
}
