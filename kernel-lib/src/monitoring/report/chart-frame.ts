/**
 * The frame every report chart shares: the `<svg>` element, its plot area, axes with tick labels
 * and grid lines, and a legend. Charts are static SVG with presentation attributes (no CSS, no
 * script), so they look the same in a browser, in a Jupyter output cell and in a saved file.
 *
 * @example
 * ```ts
 * const area = plotArea(DEFAULT_LAYOUT);
 * const y = niceDomain(0, 0.42);
 * const toY = linearScale([y.min, y.max], [area.bottom, area.top]);
 * svgChart(DEFAULT_LAYOUT, "Shares per bin", yAxis(area, toY, y.ticks, formatPercent) + bars);
 * ```
 */
import { escapeHtml } from "./html-escape";

/** Colours of the charts (colour-blind safe, readable on white). */
export const CHART_COLORS = {
  reference: "#4c78a8",
  current: "#f58518",
  alert: "#d62728",
  band: "#54a24b",
  grid: "#e5e7eb",
  axis: "#9ca3af",
  text: "#374151",
} as const;

/** Colours for a variable number of series (e.g. model versions), in order. */
export const SERIES_PALETTE = [
  "#4c78a8",
  "#f58518",
  "#54a24b",
  "#b279a2",
  "#e45756",
  "#72b7b2",
  "#eeca3b",
  "#9d755d",
  "#ff9da6",
  "#bab0ac",
] as const;

/** Fill opacity of a shaded band (and of its legend swatch). */
export const BAND_OPACITY = 0.18;

/** Size of a chart and the margins that hold its axes and legend, in pixels. */
export type ChartLayout = {
  width: number;
  height: number;
  margin: { top: number; right: number; bottom: number; left: number };
};

/** The default chart: wide and short, with room for a legend on top and labels below. */
export const DEFAULT_LAYOUT: ChartLayout = {
  width: 560,
  height: 220,
  margin: { top: 30, right: 16, bottom: 44, left: 56 },
};

/** Where data is drawn, in pixels of the chart. */
export type PlotArea = { left: number; right: number; top: number; bottom: number };

/** The plot area of a layout. */
export function plotArea(layout: ChartLayout): PlotArea {
  const { width, height, margin } = layout;
  return {
    left: margin.left,
    right: width - margin.right,
    top: margin.top,
    bottom: height - margin.bottom,
  };
}

/** A pixel coordinate, rounded to a tenth so that the markup stays short. */
export function px(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** The `<svg>` element around `body`; `label` is its accessible name and tooltip. */
export function svgChart(layout: ChartLayout, label: string, body: string): string {
  const { width, height } = layout;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" ` +
    `height="${height}" role="img" aria-label="${escapeHtml(label)}" ` +
    `style="max-width:100%;height:auto" font-family="system-ui,-apple-system,Segoe UI,sans-serif" ` +
    `font-size="11" fill="${CHART_COLORS.text}">` +
    `<title>${escapeHtml(label)}</title>${body}</svg>`
  );
}

/** The y axis: grid lines and labels at `ticks`, and the axis line. */
export function yAxis(
  area: PlotArea,
  toY: (value: number) => number,
  ticks: readonly number[],
  format: (value: number) => string,
): string {
  const parts = ticks.map((tick) => {
    const y = px(toY(tick));
    return (
      `<line x1="${px(area.left)}" x2="${px(area.right)}" y1="${y}" y2="${y}" stroke="${CHART_COLORS.grid}"/>` +
      `<text x="${px(area.left - 6)}" y="${y}" text-anchor="end" dominant-baseline="middle">${escapeHtml(format(tick))}</text>`
    );
  });
  parts.push(
    `<line x1="${px(area.left)}" x2="${px(area.left)}" y1="${px(area.top)}" y2="${px(area.bottom)}" stroke="${CHART_COLORS.axis}"/>`,
  );
  return `<g class="y-axis">${parts.join("")}</g>`;
}

/** A label on the x axis at pixel `x`. */
export type XLabel = { x: number; label: string };

/**
 * The x axis: its line, a tick and a label per entry. Labels are thinned so that they do not
 * overlap (at most `maxLabels`), and slanted when `slant` is set (long category names), cut at 14
 * characters with the full text as tooltip.
 */
export function xAxis(
  area: PlotArea,
  labels: readonly XLabel[],
  options: { maxLabels?: number; slant?: boolean } = {},
): string {
  const texts = labels.map(({ label }) => (label.length > 14 ? `${label.slice(0, 13)}…` : label));
  const spacing =
    labels.length > 1 ? Math.abs((labels[1] as XLabel).x - (labels[0] as XLabel).x) : 0;
  // Slanted labels need about a line's height each, level ones their width.
  const widest = options.slant ? 14 : Math.max(0, ...texts.map((text) => text.length * 6.2 + 10));
  const byWidth = spacing > 0 ? Math.ceil(widest / spacing) : 1;
  const byCount = Math.ceil(labels.length / Math.max(1, options.maxLabels ?? 10));
  const shown = shownLabels(labels.length, Math.max(1, byWidth, byCount));
  const parts = [
    `<line x1="${px(area.left)}" x2="${px(area.right)}" y1="${px(area.bottom)}" y2="${px(area.bottom)}" stroke="${CHART_COLORS.axis}"/>`,
  ];
  labels.forEach(({ x, label }, i) => {
    if (!shown.has(i)) return;
    const y = area.bottom + 14;
    const text = options.slant
      ? `<text x="${px(x)}" y="${px(y)}" text-anchor="end" transform="rotate(-30 ${px(x)} ${px(y)})">`
      : `<text x="${px(x)}" y="${px(y)}" text-anchor="middle">`;
    parts.push(
      `<line x1="${px(x)}" x2="${px(x)}" y1="${px(area.bottom)}" y2="${px(area.bottom + 4)}" stroke="${CHART_COLORS.axis}"/>` +
        `${text}<title>${escapeHtml(label)}</title>${escapeHtml(texts[i])}</text>`,
    );
  });
  return `<g class="x-axis">${parts.join("")}</g>`;
}

/**
 * Which of `count` labels to show, one in `every`: the first, every `every`-th after it, and the
 * last (in place of the one before it when the two would be closer than `every`).
 */
export function shownLabels(count: number, every: number): Set<number> {
  const shown = new Set<number>();
  for (let i = 0; i < count; i += every) shown.add(i);
  const last = count - 1;
  if (last > 0 && !shown.has(last)) {
    const previous = last - (last % every);
    if (previous !== 0) shown.delete(previous);
    shown.add(last);
  }
  return shown;
}

/**
 * An entry of a legend: a swatch of `color` drawn as a box, a line, a dot or a shaded band;
 * `opacity` is the box's fill opacity, as the bars it stands for are drawn (default 1).
 */
export type LegendItem = {
  label: string;
  color: string;
  shape: "box" | "line" | "dot" | "band";
  opacity?: number;
};

/** A legend in one row, starting at (`x`, `y`). */
export function legend(items: readonly LegendItem[], x: number, y: number): string {
  let offset = x;
  const parts = items.map(({ label, color, shape, opacity = 1 }) => {
    const swatch =
      shape === "line"
        ? `<line x1="${px(offset)}" x2="${px(offset + 14)}" y1="${px(y)}" y2="${px(y)}" stroke="${color}" stroke-width="2"/>`
        : shape === "dot"
          ? `<circle cx="${px(offset + 7)}" cy="${px(y)}" r="4" fill="${color}"/>`
          : `<rect x="${px(offset)}" y="${px(y - 5)}" width="14" height="10" fill="${color}" ` +
            `fill-opacity="${shape === "band" ? BAND_OPACITY : opacity}"/>`;
    const text = `<text x="${px(offset + 18)}" y="${px(y)}" dominant-baseline="middle">${escapeHtml(label)}</text>`;
    // No text measuring in a string renderer: an average glyph width is close enough.
    offset += 18 + label.length * 6.2 + 14;
    return swatch + text;
  });
  return `<g class="legend">${parts.join("")}</g>`;
}
