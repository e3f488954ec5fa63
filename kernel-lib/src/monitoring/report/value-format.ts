/**
 * How the report writes numbers, shares, durations and times: short, and the same everywhere.
 *
 * @example
 * ```ts
 * formatNumber(0.0031234); // "0.003123"
 * formatNumber(1.2e-12); // "1.2e-12"
 * formatPercent(0.375); // "37.5%"
 * formatCount(12345); // "12,345"
 * formatTimestamp("2024-05-01T12:34:56Z"); // "2024-05-01 12:34 UTC"
 * formatShortTime("2024-05-01T12:34:56Z"); // "05-01 12:34"
 * ```
 */

/** Shown for a value that is missing or not a finite number. */
export const NO_VALUE = "–";

/**
 * A measurement with 4 significant digits; very small or large values in exponent notation,
 * infinities as ∞ (a χ² statistic with a category absent from the reference is one).
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === Infinity || value === -Infinity) return value > 0 ? "∞" : "-∞";
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  if (magnitude < 1e-4 || magnitude >= 1e7) {
    const [mantissa = "", exponent = ""] = value.toExponential(2).split("e");
    return `${trimZeros(mantissa)}e${exponent.replace("+", "")}`;
  }
  if (Number.isInteger(value)) return formatCount(value);
  return trimZeros(value.toPrecision(4));
}

/** A share in [0, 1] as a percentage with at most one decimal. */
export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return NO_VALUE;
  const percent = share * 100;
  // Tiny non-zero shares must not read as 0%.
  if (percent !== 0 && Math.abs(percent) < 0.1) return percent > 0 ? "<0.1%" : ">-0.1%";
  return `${trimZeros(percent.toFixed(1))}%`;
}

/** A count with thousands separators. */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NO_VALUE;
  return Math.round(value).toLocaleString("en-US");
}

/** A duration in milliseconds, in the largest unit that keeps it readable. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return NO_VALUE;
  const units: [number, string][] = [
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "min"],
    [1000, "s"],
  ];
  for (const [size, unit] of units) {
    if (Math.abs(ms) >= size) return `${trimZeros((ms / size).toFixed(1))} ${unit}`;
  }
  return `${trimZeros(ms.toFixed(1))} ms`;
}

/** An ISO-8601 time as `YYYY-MM-DD HH:MM UTC`; other text is returned as it is. */
export function formatTimestamp(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return value;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** An ISO-8601 time for an axis: `YYYY-MM-DD` at midnight UTC, else `MM-DD HH:MM`. */
export function formatShortTime(value: string): string {
  const full = formatTimestamp(value);
  if (full === value) return value;
  const [day = "", time = ""] = full.split(" ");
  return time === "00:00" ? day : `${day.slice(5)} ${time}`;
}

function trimZeros(text: string): string {
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}
