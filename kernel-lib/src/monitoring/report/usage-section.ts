/**
 * The usage section: requests per day (stacked by model version when the server sends the
 * split), the fallback and error rates per day, and a table of each day's traffic and latency
 * percentiles, newest first.
 *
 * @example
 * ```ts
 * usageSectionHtml({
 *   days: [{ day: "2024-05-01", requests: 120, rows: 480, errors: 2, fallbackRows: 12, p95Ms: 41 }],
 * });
 * ```
 */
import { CHART_COLORS, SERIES_PALETTE } from "./chart-frame";
import { escapeHtml } from "./html-escape";
import { factsHtml, noteHtml, sectionHtml, tableHtml } from "./report-markup";
import type { UsageDay, UsageSection } from "./report-data";
import { lineChart, stackedBarChart, type BarStack } from "./series-charts";
import { formatCount, formatDuration, formatPercent } from "./value-format";

/** The usage section of a report. */
export function usageSectionHtml(usage: UsageSection): string {
  const days = usage.days ?? [];
  if (days.length === 0) return sectionHtml("usage", noteHtml("No traffic yet."));
  const total = (pick: (day: UsageDay) => number) =>
    days.reduce((sum, day) => sum + (Number.isFinite(pick(day)) ? pick(day) : 0), 0);
  const requests = total((day) => day.requests);
  const rows = total((day) => day.rows);
  const errors = total((day) => day.errors);
  const fallbackRows = total((day) => day.fallbackRows);
  const facts = factsHtml([
    { label: "days", valueHtml: formatCount(days.length) },
    { label: "requests", valueHtml: formatCount(requests) },
    { label: "rows", valueHtml: formatCount(rows) },
    { label: "error rate", valueHtml: formatPercent(rate(errors, requests)) },
    { label: "fallback rate", valueHtml: formatPercent(rate(fallbackRows, rows)) },
  ]);
  const labels = days.map((day) => day.day);
  const requestsChart = stackedBarChart({
    title: "Requests per day",
    labels,
    stacks: requestStacks(days),
  });
  const ratesChart = lineChart({
    title: "Fallback and error rate per day",
    labels,
    series: [
      {
        name: "fallback rate",
        color: CHART_COLORS.current,
        values: days.map((day) => rate(day.fallbackRows, day.rows)),
      },
      {
        name: "error rate",
        color: CHART_COLORS.alert,
        values: days.map((day) => rate(day.errors, day.requests)),
      },
    ],
    format: formatPercent,
    fromZero: true,
  });
  const table = tableHtml(
    [
      { title: "day", nowrap: true },
      { title: "requests", numeric: true },
      { title: "rows", numeric: true },
      { title: "errors", numeric: true },
      { title: "fallback rows", numeric: true },
      { title: "p50", numeric: true },
      { title: "p95", numeric: true },
      { title: "p99", numeric: true },
    ],
    [...days]
      .reverse()
      .map((day) => [
        escapeHtml(day.day),
        formatCount(day.requests),
        formatCount(day.rows),
        `${formatCount(day.errors)} <span class="muted">${formatPercent(rate(day.errors, day.requests))}</span>`,
        `${formatCount(day.fallbackRows)} <span class="muted">${formatPercent(rate(day.fallbackRows, day.rows))}</span>`,
        formatDuration(day.p50Ms),
        formatDuration(day.p95Ms),
        formatDuration(day.p99Ms),
      ]),
  );
  return sectionHtml(
    "usage",
    `${facts}<div class="cards"><div class="card"><h3>Requests per day</h3>${requestsChart}</div>` +
      `<div class="card"><h3>Fallback and error rate per day</h3>${ratesChart}</div></div>` +
      `<h3>Traffic and latency per day</h3>${table}`,
  );
}

/** `part / whole`, or null when there is no whole. */
function rate(part: number, whole: number): number | null {
  return Number.isFinite(part) && Number.isFinite(whole) && whole > 0 ? part / whole : null;
}

/**
 * One stack per model version when any day has the split (requests a day does not attribute go
 * to "other"), otherwise a single stack of requests.
 */
function requestStacks(days: readonly UsageDay[]): BarStack[] {
  const versions = [...new Set(days.flatMap((day) => Object.keys(day.byVersion ?? {})))].sort(
    (a, b) => a.localeCompare(b, "en", { numeric: true }),
  );
  if (versions.length === 0) {
    return [
      { name: "requests", color: CHART_COLORS.reference, values: days.map((d) => d.requests) },
    ];
  }
  const stacks: BarStack[] = versions.map((version, i) => ({
    name: `version ${version}`,
    color: SERIES_PALETTE[i % SERIES_PALETTE.length] ?? CHART_COLORS.reference,
    values: days.map((day) => day.byVersion?.[version] ?? 0),
  }));
  const other = days.map((day) =>
    Math.max(
      0,
      day.requests - Object.values(day.byVersion ?? {}).reduce((sum, count) => sum + count, 0),
    ),
  );
  if (other.some((count) => count > 0)) {
    stacks.push({ name: "other", color: CHART_COLORS.axis, values: other });
  }
  return stacks;
}
