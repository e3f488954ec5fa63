/**
 * Charts comparing a feature's reference with its current window: overlaid histograms for a
 * numerical feature, grouped bars per category for a categorical one. Both show shares (counts
 * divided by the sample's size), so samples of different sizes compare.
 *
 * @example
 * ```ts
 * histogramChart("temperature", {
 *   reference: { edges: [0, 1, 2], counts: [30, 70] },
 *   current: { edges: [0, 1, 2], counts: [60, 40] },
 * }); // "<svg ...>…</svg>"
 * categoryChart("zone", { categories: ["a", "b"], reference: [5, 5], current: [9, 1] });
 * ```
 */
import {
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
import { linearScale, niceDomain, niceTicks } from "./chart-scales";
import { escapeHtml } from "./html-escape";
import type { CategoricalDistribution, NumericalDistribution } from "./report-data";
import { formatNumber, formatPercent } from "./value-format";

/** At most this many category groups are drawn; the rest are summed into one "other" group. */
export const MAX_CHART_CATEGORIES = 20;

/** Fill opacity of overlaid histogram bars (both stay visible where they overlap). */
const HISTOGRAM_OPACITY = 0.55;
/** Fill opacity of side-by-side category bars. */
const CATEGORY_OPACITY = 0.8;

function sampleLegend(opacity: number): LegendItem[] {
  return [
    { label: "reference", color: CHART_COLORS.reference, shape: "box", opacity },
    { label: "current", color: CHART_COLORS.current, shape: "box", opacity },
  ];
}

/** Overlaid histograms of the reference and the current window, as shares per bin. */
export function histogramChart(
  feature: string,
  distribution: NumericalDistribution,
  layout: ChartLayout = DEFAULT_LAYOUT,
): string {
  const area = plotArea(layout);
  const samples = [
    { ...distribution.reference, color: CHART_COLORS.reference },
    { ...distribution.current, color: CHART_COLORS.current },
  ].map((sample) => ({ ...sample, shares: toShares(sample.counts) }));
  const edges = samples.flatMap((sample) => sample.edges).filter(Number.isFinite);
  const xMin = edges.length > 0 ? edges.reduce((a, b) => Math.min(a, b)) : 0;
  const xMax = edges.length > 0 ? edges.reduce((a, b) => Math.max(a, b)) : 1;
  const y = niceDomain(0, Math.max(0, ...samples.flatMap((sample) => sample.shares)), 4);
  const toX = linearScale(xMin === xMax ? [xMin - 0.5, xMax + 0.5] : [xMin, xMax], [
    area.left,
    area.right,
  ]);
  const toY = linearScale([y.min, y.max], [area.bottom, area.top]);
  const bars = samples.map((sample) =>
    sample.shares
      .map((share, i) => {
        const left = sample.edges[i];
        const right = sample.edges[i + 1];
        if (left === undefined || right === undefined || share <= 0) return "";
        const x0 = toX(left);
        const top = toY(share);
        return (
          `<rect x="${px(x0)}" y="${px(top)}" width="${px(Math.max(0.5, toX(right) - x0))}" ` +
          `height="${px(area.bottom - top)}" fill="${sample.color}" fill-opacity="${HISTOGRAM_OPACITY}">` +
          `<title>[${formatNumber(left)}, ${formatNumber(right)}): ${formatPercent(share)}</title></rect>`
        );
      })
      .join(""),
  );
  const xTicks = niceTicks(xMin, xMax, 6).map((tick) => ({
    x: toX(tick),
    label: formatNumber(tick),
  }));
  return svgChart(
    layout,
    `${feature}: share of values per bin, reference and current`,
    yAxis(area, toY, y.ticks, formatPercent) +
      `<g class="bars">${bars.join("")}</g>` +
      xAxis(area, xTicks) +
      legend(sampleLegend(HISTOGRAM_OPACITY), area.left, area.top - 16),
  );
}

/** Grouped bars per category: the reference's share next to the current window's. */
export function categoryChart(
  feature: string,
  distribution: CategoricalDistribution,
  layout: ChartLayout = DEFAULT_LAYOUT,
): string {
  const area = plotArea(layout);
  const groups = limitCategories(distribution);
  const reference = toShares(groups.reference);
  const current = toShares(groups.current);
  const y = niceDomain(0, Math.max(0, ...reference, ...current), 4);
  const toY = linearScale([y.min, y.max], [area.bottom, area.top]);
  const slot = (area.right - area.left) / Math.max(1, groups.categories.length);
  const barWidth = Math.min(28, slot * 0.38);
  const bars: string[] = [];
  const labels = groups.categories.map((category, i) => {
    const middle = area.left + slot * (i + 0.5);
    const sides = [
      {
        share: reference[i] ?? 0,
        x: middle - barWidth,
        color: CHART_COLORS.reference,
        name: "reference",
      },
      { share: current[i] ?? 0, x: middle, color: CHART_COLORS.current, name: "current" },
    ];
    for (const side of sides) {
      const top = toY(side.share);
      bars.push(
        `<rect x="${px(side.x)}" y="${px(top)}" width="${px(barWidth)}" height="${px(area.bottom - top)}" ` +
          `fill="${side.color}" fill-opacity="${CATEGORY_OPACITY}"><title>${escapeHtml(category)} (${side.name}): ` +
          `${formatPercent(side.share)}</title></rect>`,
      );
    }
    return { x: middle, label: category };
  });
  return svgChart(
    layout,
    `${feature}: share of values per category, reference and current`,
    yAxis(area, toY, y.ticks, formatPercent) +
      `<g class="bars">${bars.join("")}</g>` +
      xAxis(area, labels, {
        maxLabels: MAX_CHART_CATEGORIES,
        slant: groups.categories.length > 6,
      }) +
      legend(sampleLegend(CATEGORY_OPACITY), area.left, area.top - 16),
  );
}

/** Counts divided by their sum (all zero when the sum is). */
export function toShares(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, count) => sum + (Number.isFinite(count) ? count : 0), 0);
  return counts.map((count) => (total > 0 && Number.isFinite(count) ? count / total : 0));
}

/** The categories to draw: the first {@link MAX_CHART_CATEGORIES} - 1 and the rest summed. */
export function limitCategories(distribution: CategoricalDistribution): CategoricalDistribution {
  const { categories, reference, current } = distribution;
  if (categories.length <= MAX_CHART_CATEGORIES) return distribution;
  const keep = MAX_CHART_CATEGORIES - 1;
  const rest = (counts: readonly number[]) => counts.slice(keep).reduce((a, b) => a + b, 0);
  return {
    categories: [...categories.slice(0, keep), `other (${categories.length - keep})`],
    reference: [...reference.slice(0, keep), rest(reference)],
    current: [...current.slice(0, keep), rest(current)],
  };
}
