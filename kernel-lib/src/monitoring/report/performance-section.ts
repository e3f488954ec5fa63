/**
 * The performance section: each metric over the chunks of labelled predictions, oldest first, as
 * a line with its band (the acceptable range) shaded and alert points marked. A point alerts when
 * its chunk alerts for that metric (`alert: true` or the metric's name in `alert`) or its value
 * lies outside the band.
 *
 * @example
 * ```ts
 * performanceSectionHtml({
 *   task: "regression",
 *   chunks: [{ start: "2024-05-01T00:00:00Z", rows: 200, metrics: { mae: 1.2 } }],
 *   band: { mae: { lower: 0, upper: 2 } },
 * });
 * ```
 */
import { CHART_COLORS, SERIES_PALETTE } from "./chart-frame";
import { escapeHtml } from "./html-escape";
import { badge, factsHtml, noteHtml, sectionHtml } from "./report-markup";
import type { PerformanceChunk, PerformanceSection } from "./report-data";
import { lineChart } from "./series-charts";
import { formatCount, formatNumber, formatShortTime, NO_VALUE } from "./value-format";

/** The performance section of a report. */
export function performanceSectionHtml(performance: PerformanceSection): string {
  const chunks = performance.chunks ?? [];
  const metrics = metricNames(performance);
  const alerting = alertingChunks(performance);
  const summary =
    `<p>${alerting > 0 ? badge(`${alerting} ALERTED CHUNK${alerting === 1 ? "" : "S"}`, "bad") : badge("NO ALERTS", "ok")}</p>` +
    factsHtml([
      { label: "task", valueHtml: escapeHtml(performance.task) },
      { label: "chunks", valueHtml: formatCount(chunks.length) },
      {
        label: "labelled rows",
        valueHtml: formatCount(chunks.reduce((sum, chunk) => sum + (chunk.rows ?? 0), 0)),
      },
    ]);
  if (chunks.length === 0 || metrics.length === 0) {
    return sectionHtml("performance", summary + noteHtml("No measured chunks yet."));
  }
  const labels = chunks.map((chunk) => formatShortTime(chunk.start));
  const cards = metrics.map((metric, m) => {
    const values = chunks.map((chunk) => metricValue(chunk, metric));
    const alerts = chunks.map((chunk) => isAlert(performance, chunk, metric));
    const band = performance.band?.[metric];
    const latest = [...values].reverse().find((value) => value !== null) ?? null;
    const facts = factsHtml([
      { label: "latest", valueHtml: formatNumber(latest) },
      {
        label: "band",
        valueHtml: band ? `${formatNumber(band.lower)} – ${formatNumber(band.upper)}` : NO_VALUE,
      },
      { label: "alerts", valueHtml: formatCount(alerts.filter(Boolean).length) },
    ]);
    const chart = lineChart({
      title: `${metric} per chunk`,
      labels,
      series: [
        {
          name: metric,
          color: SERIES_PALETTE[m % SERIES_PALETTE.length] ?? CHART_COLORS.reference,
          values,
          alerts,
        },
      ],
      band,
    });
    return `<div class="card metric"><h3>${escapeHtml(metric)}</h3>${facts}${chart}</div>`;
  });
  return sectionHtml("performance", `${summary}<div class="cards">${cards.join("")}</div>`);
}

/** How many chunks alert for at least one metric. */
export function alertingChunks(performance: PerformanceSection): number {
  const metrics = metricNames(performance);
  return (performance.chunks ?? []).filter((chunk) =>
    metrics.some((metric) => isAlert(performance, chunk, metric)),
  ).length;
}

/** Metric names in order of first appearance in the chunks. */
function metricNames(performance: PerformanceSection): string[] {
  const names = new Set<string>();
  for (const chunk of performance.chunks ?? []) {
    for (const name of Object.keys(chunk.metrics ?? {})) names.add(name);
  }
  return [...names];
}

function metricValue(chunk: PerformanceChunk, metric: string): number | null {
  const value = chunk.metrics?.[metric];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function isAlert(
  performance: PerformanceSection,
  chunk: PerformanceChunk,
  metric: string,
): boolean {
  const value = metricValue(chunk, metric);
  if (value === null) return false;
  if (chunk.alert === true) return true;
  if (Array.isArray(chunk.alert) && chunk.alert.includes(metric)) return true;
  const band = performance.band?.[metric];
  return band !== undefined && (value < band.lower || value > band.upper);
}
