/**
 * The drift section: whether the dataset drifted, a table of every feature's test, and a card
 * per feature with its method, score, threshold and the reference and current distributions
 * overlaid. Drifted features come first.
 *
 * @example
 * ```ts
 * const drift = detectDrift(reference, window);
 * driftSectionHtml({ ...drift, distributions: driftDistributions(reference, window, drift) });
 * ```
 */
import type { FeatureDrift } from "../drift/feature-drift";
import { categoryChart, histogramChart } from "./distribution-charts";
import { escapeHtml } from "./html-escape";
import { badge, factsHtml, noteHtml, sectionHtml, tableHtml } from "./report-markup";
import type { DriftSection, FeatureDistribution } from "./report-data";
import { formatCount, formatNumber, formatPercent } from "./value-format";

/** The drift section of a report. */
export function driftSectionHtml(drift: DriftSection): string {
  const features = sortedFeatures(drift.features ?? {});
  const summary =
    `<p>${drift.datasetDrift ? badge("DATASET DRIFT", "bad") : badge("NO DATASET DRIFT", "ok")}</p>` +
    factsHtml([
      {
        label: "drifted features",
        valueHtml: `${formatCount(drift.driftedFeatures)} of ${formatCount(drift.featureCount)} (${formatPercent(drift.share)})`,
      },
      { label: "the dataset drifts from", valueHtml: formatPercent(drift.driftShare) },
    ]);
  if (features.length === 0) return sectionHtml("drift", summary + noteHtml("No features."));
  const overview = tableHtml(
    [
      "feature",
      "kind",
      "method",
      { title: "score", numeric: true },
      { title: "threshold", numeric: true },
      "",
    ],
    features.map(([name, feature]) => [
      escapeHtml(name),
      escapeHtml(feature.kind),
      escapeHtml(feature.method),
      formatNumber(feature.score),
      formatNumber(feature.threshold),
      driftBadge(feature),
    ]),
  );
  const cards = features
    .map(([name, feature]) => featureCard(name, feature, drift.distributions?.[name]))
    .join("");
  return sectionHtml("drift", summary + overview + `<div class="cards">${cards}</div>`);
}

/** Features with their drift, drifted ones first, otherwise in the report's order. */
function sortedFeatures(features: Record<string, FeatureDrift>): [string, FeatureDrift][] {
  const entries = Object.entries(features);
  return [...entries.filter(([, f]) => f.drifted), ...entries.filter(([, f]) => !f.drifted)];
}

function driftBadge(feature: FeatureDrift): string {
  return feature.drifted ? badge("DRIFTED", "bad") : badge("OK", "ok");
}

function featureCard(
  name: string,
  feature: FeatureDrift,
  distribution: FeatureDistribution | undefined,
): string {
  const isTest = feature.pValue !== null && feature.pValue !== undefined;
  const facts = factsHtml([
    {
      label: "kind",
      valueHtml: `${escapeHtml(feature.kind)} (${escapeHtml(feature.kindSource ?? "inferred")})`,
    },
    { label: "method", valueHtml: escapeHtml(feature.method) },
    { label: isTest ? "p-value" : "distance", valueHtml: formatNumber(feature.score) },
    { label: "threshold", valueHtml: formatNumber(feature.threshold) },
    ...(isTest ? [{ label: "statistic", valueHtml: formatNumber(feature.statistic) }] : []),
    {
      label: "reference",
      valueHtml: `${formatCount(feature.referenceSize)}${missing(feature.referenceMissing)}`,
    },
    {
      label: "current",
      valueHtml: `${formatCount(feature.currentSize)}${missing(feature.currentMissing)}`,
    },
  ]);
  const rule = isTest
    ? "A test: the feature drifts when the p-value is below the threshold."
    : "A distance: the feature drifts when it reaches the threshold.";
  return (
    `<div class="card feature ${feature.drifted ? "drifted" : "stable"}">` +
    `<h3>${escapeHtml(name)} ${driftBadge(feature)}</h3>${facts}` +
    `${distributionChart(name, distribution)}<p class="hint">${rule}</p></div>`
  );
}

function missing(count: number | undefined): string {
  return count ? ` <span class="muted">(+${formatCount(count)} missing)</span>` : "";
}

function distributionChart(name: string, distribution: FeatureDistribution | undefined): string {
  if (distribution === undefined) return noteHtml("No distribution was sent for this feature.");
  return "categories" in distribution
    ? categoryChart(name, distribution)
    : histogramChart(name, distribution);
}
