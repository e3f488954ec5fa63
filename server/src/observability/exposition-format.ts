/**
 * Helpers for the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format).
 */

/** The `Content-Type` of a scrape answer in this format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const metricNamePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** @throws TypeError when `name` is not a valid metric name. */
export function checkMetricName(name: string): void {
  if (!metricNamePattern.test(name)) {
    throw new TypeError(
      `Metric name "${name}" is not valid: use letters, digits, "_" and ":", not starting with a digit (e.g. "kiln_http_requests_total").`,
    );
  }
}

/** @throws TypeError when `name` is not a valid label name, or is reserved. */
export function checkLabelName(metric: string, name: string, reserved: readonly string[]): void {
  if (!labelNamePattern.test(name) || name.startsWith("__") || reserved.includes(name)) {
    throw new TypeError(
      `Label "${name}" of metric "${metric}" is not valid: use letters, digits and "_", not starting with a digit or "__"${reserved.length > 0 ? `, and not ${reserved.map((r) => `"${r}"`).join(", ")}` : ""}.`,
    );
  }
}

/** Escapes a `# HELP` text: backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A sample value as the format spells it (`+Inf`, `-Inf`, `NaN`, or a Go-style float). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** `{a="x",b="y"}` for the given label pairs, or "" when there are none. */
export function formatLabels(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return "";
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`;
}
