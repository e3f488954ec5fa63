/**
 * Charts of values over time (chunks, days): lines with an optional shaded band and marked alert
 * points, and stacked bars. Points are spaced evenly along the x axis, one per label.
 *
 * @example
 * ```ts
 * lineChart({
 *   title: "mae per chunk",
 *   labels: ["05-01", "05-02", "05-03"],
 *   series: [{ name: "mae", color: SERIES_PALETTE[0], values: [1.1, 1.3, 2.9], alerts: [false, false, true] }],
 *   band: { lower: 0.8, upper: 2.5 },
 * });
 * stackedBarChart({
 *   title: "requests per day",
 *   labels: ["2024-05-01", "2024-05-02"],
 *   stacks: [{ name: "v3", color: SERIES_PALETTE[0], values: [120, 80] }],
 * });
 * ```
 */
import {
  BAND_OPACITY,
  CHART_COLORS,
  DEFAULT_LAYOUT,
  legend,
  plotArea,
  px,
  svgChart,
  xAxis,
  yAxis,
  type ChartLayout,
  type LegendItem,
} from "./chart-frame";
import { linearScale, niceDomain } from "./chart-scales";
import { escapeHtml } from "./html-escape";
import { formatNumber } from "./value-format";

/** One line: a value per label (null leaves a gap), and which points alerted. */
export type LineSeries = {
  name: string;
  color: string;
  values: readonly (number | null)[];
  alerts?: readonly boolean[];
};

/** What {@link lineChart} draws. */
export type LineChartSpec = {
  /** The chart's accessible name. */
  title: string;
  labels: readonly string[];
  series: readonly LineSeries[];
  /** A range shaded behind the lines (the acceptable values). */
  band?: { lower: number; upper: number };
  /** Tick and tooltip format of the values (default {@link formatNumber}). */
  format?: (value: number) => string;
  /** Make 0 part of the y axis (for rates and counts). */
  fromZero?: boolean;
  layout?: ChartLayout;
};

/** Lines over evenly spaced points, with the band shaded and alert points ringed in red. */
export function lineChart(spec: LineChartSpec): string {
  const layout = spec.layout ?? DEFAULT_LAYOUT;
  const format = spec.format ?? formatNumber;
  const area = plotArea(layout);
  const values = spec.series.flatMap((series) =>
    series.values.filter((value): value is number => value !== null && Number.isFinite(value)),
  );
  if (spec.band) values.push(spec.band.lower, spec.band.upper);
  if (spec.fromZero) values.push(0);
  const y = niceDomain(
    values.length > 0 ? values.reduce((a, b) => Math.min(a, b)) : 0,
    values.length > 0 ? values.reduce((a, b) => Math.max(a, b)) : 1,
    4,
  );
  const toY = linearScale([y.min, y.max], [area.bottom, area.top]);
  const toX = pointPositions(spec.labels.length, area.left, area.right);
  const parts: string[] = [yAxis(area, toY, y.ticks, format)];
  const legendItems: LegendItem[] = spec.series.map((series) => ({
    label: series.name,
    color: series.color,
    shape: "line",
  }));
  if (spec.band) {
    const top = toY(Math.max(spec.band.lower, spec.band.upper));
    const bottom = toY(Math.min(spec.band.lower, spec.band.upper));
    parts.push(
      `<rect class="band" x="${px(area.left)}" y="${px(top)}" width="${px(area.right - area.left)}" ` +
        `height="${px(Math.max(0.5, bottom - top))}" fill="${CHART_COLORS.band}" fill-opacity="${BAND_OPACITY}">` +
        `<title>band ${escapeHtml(format(spec.band.lower))} – ${escapeHtml(format(spec.band.upper))}</title></rect>`,
    );
    legendItems.push({ label: "band", color: CHART_COLORS.band, shape: "band" });
  }
  let anyAlert = false;
  for (const series of spec.series) {
    parts.push(linePath(series.values, toX, toY, series.color));
    series.values.forEach((value, i) => {
      if (value === null || !Number.isFinite(value)) return;
      const alert = series.alerts?.[i] === true;
      anyAlert ||= alert;
      const tooltip = `${spec.labels[i] ?? ""} ${series.name}: ${format(value)}${alert ? " (alert)" : ""}`;
      parts.push(
        `<circle class="${alert ? "point alert" : "point"}" cx="${px(toX(i))}" cy="${px(toY(value))}" ` +
          (alert
            ? `r="5" fill="${CHART_COLORS.alert}" stroke="#fff" stroke-width="1.5">`
            : `r="3" fill="${series.color}">`) +
          `<title>${escapeHtml(tooltip)}</title></circle>`,
      );
    });
  }
  if (anyAlert) legendItems.push({ label: "alert", color: CHART_COLORS.alert, shape: "dot" });
  parts.push(
    xAxis(
      area,
      spec.labels.map((label, i) => ({ x: toX(i), label })),
    ),
  );
  parts.push(legend(legendItems, area.left, area.top - 16));
  return svgChart(layout, spec.title, parts.join(""));
}

/** One stack of {@link stackedBarChart}: a value per label. */
export type BarStack = { name: string; color: string; values: readonly number[] };

/** What {@link stackedBarChart} draws. */
export type StackedBarChartSpec = {
  title: string;
  labels: readonly string[];
  /** Bottom to top. */
  stacks: readonly BarStack[];
  format?: (value: number) => string;
  layout?: ChartLayout;
};

/** Bars per label, each made of its stacks; a single stack gets no legend. */
export function stackedBarChart(spec: StackedBarChartSpec): string {
  const layout = spec.layout ?? DEFAULT_LAYOUT;
  const format = spec.format ?? formatNumber;
  const area = plotArea(layout);
  const totals = spec.labels.map((_, i) =>
    spec.stacks.reduce((sum, stack) => sum + positive(stack.values[i]), 0),
  );
  const y = niceDomain(0, Math.max(0, ...totals), 4);
  const toY = linearScale([y.min, y.max], [area.bottom, area.top]);
  const slot = (area.right - area.left) / Math.max(1, spec.labels.length);
  const width = Math.max(1, Math.min(40, slot * 0.7));
  const bars: string[] = [];
  spec.labels.forEach((label, i) => {
    let base = 0;
    for (const stack of spec.stacks) {
      const value = positive(stack.values[i]);
      if (value === 0) continue;
      const top = toY(base + value);
      bars.push(
        `<rect x="${px(area.left + slot * (i + 0.5) - width / 2)}" y="${px(top)}" width="${px(width)}" ` +
          `height="${px(toY(base) - top)}" fill="${stack.color}">` +
          `<title>${escapeHtml(`${label} ${stack.name}: ${format(value)}`)}</title></rect>`,
      );
      base += value;
    }
  });
  const labels = spec.labels.map((label, i) => ({ x: area.left + slot * (i + 0.5), label }));
  const legendItems: LegendItem[] = spec.stacks.map((stack) => ({
    label: stack.name,
    color: stack.color,
    shape: "box",
  }));
  return svgChart(
    layout,
    spec.title,
    yAxis(area, toY, y.ticks, format) +
      `<g class="bars">${bars.join("")}</g>` +
      xAxis(area, labels) +
      (spec.stacks.length > 1 ? legend(legendItems, area.left, area.top - 16) : ""),
  );
}

/** x of `count` evenly spaced points between `left` and `right`, inset by half a step. */
function pointPositions(count: number, left: number, right: number): (index: number) => number {
  const step = (right - left) / Math.max(1, count);
  return (index) => left + step * (index + 0.5);
}

/** The polyline through the present values; a missing value breaks the line. */
function linePath(
  values: readonly (number | null)[],
  toX: (index: number) => number,
  toY: (value: number) => number,
  color: string,
): string {
  let d = "";
  let drawing = false;
  values.forEach((value, i) => {
    if (value === null || !Number.isFinite(value)) {
      drawing = false;
      return;
    }
    d += `${drawing ? "L" : "M"}${px(toX(i))} ${px(toY(value))}`;
    drawing = true;
  });
  return d === "" ? "" : `<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`;
}

function positive(value: number | undefined): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : 0;
}
