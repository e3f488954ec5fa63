/**
 * The head of a report: which endpoint and model it is about, when it was made, the window it
 * looks at, and a status line with one badge per section (drift, data quality, performance).
 *
 * @example
 * ```ts
 * headerHtml(data); // "<header><h1>Monitoring report: wafer-quality</h1>…</header>"
 * ```
 */
import { escapeHtml } from "./html-escape";
import { alertingChunks } from "./performance-section";
import { badge, factsHtml, SECTION_TITLES } from "./report-markup";
import { isUnavailable, type MonitoringReportData } from "./report-data";
import { formatCount, formatPercent, formatTimestamp } from "./value-format";

/** The header of a report. */
export function headerHtml(data: MonitoringReportData): string {
  const { model, window } = data;
  const facts = [
    { label: "model", valueHtml: `${escapeHtml(model?.name)} v${escapeHtml(model?.version)}` },
    ...(model?.pipeline
      ? [
          {
            label: "pipeline",
            valueHtml: `${escapeHtml(model.pipeline.name)} ${escapeHtml(model.pipeline.version)}`,
          },
        ]
      : []),
    { label: "generated", valueHtml: escapeHtml(formatTimestamp(data.generatedAt)) },
    ...(window ? [{ label: "window", valueHtml: windowText(window) }] : []),
  ];
  return (
    `<header><h1>Monitoring report: ${escapeHtml(data.endpoint)}</h1>` +
    `${factsHtml(facts)}${statusHtml(data)}</header>`
  );
}

function windowText(window: NonNullable<MonitoringReportData["window"]>): string {
  const span =
    window.from || window.to
      ? ` <span class="muted">(${escapeHtml(formatTimestamp(window.from ?? "…"))} – ` +
        `${escapeHtml(formatTimestamp(window.to ?? "…"))})</span>`
      : "";
  return `last ${formatCount(window.rows)} rows${span}`;
}

/** One badge per section that has data: the verdict at a glance. */
function statusHtml(data: MonitoringReportData): string {
  const items: string[] = [];
  const item = (kind: keyof typeof SECTION_TITLES, badgeHtml: string) =>
    items.push(`<span>${escapeHtml(SECTION_TITLES[kind])} ${badgeHtml}</span>`);
  const { drift, dq, performance } = data;
  if (drift && !isUnavailable(drift)) {
    item(
      "drift",
      drift.datasetDrift
        ? badge(`DRIFT ${formatPercent(drift.share)}`, "bad")
        : badge(`OK ${formatPercent(drift.share)}`, "ok"),
    );
  }
  if (dq && !isUnavailable(dq)) {
    item(
      "dq",
      badge(
        `${dq.success ? "PASS" : "FAIL"} ${formatPercent(dq.score)}`,
        dq.success ? "ok" : "bad",
      ),
    );
  }
  if (performance && !isUnavailable(performance)) {
    const alerts = alertingChunks(performance);
    item(
      "performance",
      alerts > 0
        ? badge(`${alerts} ALERTED CHUNK${alerts === 1 ? "" : "S"}`, "bad")
        : badge("NO ALERTS", "ok"),
    );
  }
  return items.length > 0 ? `<div class="status">${items.join("")}</div>` : "";
}
