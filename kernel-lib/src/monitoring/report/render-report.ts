/**
 * Renders a monitoring report: {@link renderReportFragment} is a `<div>` with its own scoped
 * styles, for a Jupyter output cell or another page; {@link renderReport} wraps it into a
 * complete HTML document, as the server serves it. Both are self-contained — inline CSS and SVG,
 * no scripts, fonts or anything fetched — and escape every string taken from the data.
 *
 * A section left out of the data is left out of the report; a section the server marks
 * `{ unavailable: "why" }` shows as a short "Not available: why" note.
 *
 * @example
 * ```ts
 * const data = await (await fetch(`${server}/api/endpoints/wafer-quality/report.json`)).json();
 * writeFileSync("report.html", renderReport(data));
 * tslab.display.html(renderReportFragment(data));
 * ```
 */
import { actionsSectionHtml } from "./actions-section";
import { dqSectionHtml } from "./dq-section";
import { driftSectionHtml } from "./drift-section";
import { headerHtml } from "./header-section";
import { escapeHtml } from "./html-escape";
import { performanceSectionHtml } from "./performance-section";
import { unavailableSectionHtml, type SectionKind } from "./report-markup";
import { isUnavailable, type MonitoringReportData, type ReportSection } from "./report-data";
import { REPORT_CSS } from "./report-styles";
import { usageSectionHtml } from "./usage-section";
import { formatTimestamp } from "./value-format";

/** The report as a `<div class="kiln-report">` with scoped styles, to embed in a page or cell. */
export function renderReportFragment(data: MonitoringReportData): string {
  if (typeof data !== "object" || data === null || typeof data.endpoint !== "string") {
    throw new TypeError(
      "renderReportFragment expects a MonitoringReportData object ({ endpoint, model, generatedAt, ... }), " +
        `got ${describeInput(data)}. Fetch it from GET /api/endpoints/{name}/report.json.`,
    );
  }
  const sections = [
    section(data.drift, "drift", driftSectionHtml),
    section(data.dq, "dq", dqSectionHtml),
    section(data.performance, "performance", performanceSectionHtml),
    section(data.usage, "usage", usageSectionHtml),
    section(data.actions, "actions", actionsSectionHtml),
  ].join("");
  return (
    `<div class="kiln-report"><style>${REPORT_CSS}</style>${headerHtml(data)}${sections}` +
    `<footer>Kiln monitoring report of ${escapeHtml(data.endpoint)}, generated ` +
    `${escapeHtml(formatTimestamp(data.generatedAt))}.</footer></div>`
  );
}

/** The report as a complete, self-contained HTML document. */
export function renderReport(data: MonitoringReportData): string {
  const fragment = renderReportFragment(data);
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>Monitoring report: ${escapeHtml(data.endpoint)}</title>` +
    `<style>body{margin:0;background:#f6f8fa}body>div.kiln-report{margin:0 auto}</style>` +
    `</head><body>${fragment}</body></html>\n`
  );
}

function section<T>(
  value: ReportSection<T> | undefined,
  kind: SectionKind,
  render: (value: T) => string,
): string {
  if (value === undefined || value === null) return "";
  if (isUnavailable(value)) return unavailableSectionHtml(kind, value.unavailable);
  return render(value);
}

function describeInput(input: unknown): string {
  if (input === null || typeof input !== "object") return String(input);
  const keys = Object.keys(input);
  return keys.length > 0 ? `an object with ${keys.slice(0, 8).join(", ")}` : "an empty object";
}
