/**
 * Scales and ticks for the report's charts: a linear map from data to pixels, and "nice" tick
 * values (1, 2 or 5 × a power of ten) so that axes read 0, 0.2, 0.4 rather than 0, 0.183, 0.366.
 *
 * @example
 * ```ts
 * const y = niceDomain(0.03, 0.41); // { min: 0, max: 0.5, ticks: [0, 0.1, 0.2, 0.3, 0.4, 0.5] }
 * const toPixel = linearScale([y.min, y.max], [180, 10]);
 * toPixel(0.25); // 95
 * niceTicks(3.2, 17.9); // [4, 6, 8, 10, 12, 14, 16]
 * ```
 */

/** Maps `domain` linearly onto `range`; a domain of zero width maps to the range's middle. */
export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  const factor = (r1 - r0) / (d1 - d0);
  return (value) => r0 + (value - d0) * factor;
}

/** A tick step of 1, 2 or 5 × 10ⁿ that cuts `span` into about `count` parts. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  return nice * power;
}

/** A domain widened to whole tick steps around [min, max], with its ticks. */
export type NiceDomain = { min: number; max: number; ticks: number[] };

/** Widens [min, max] to nice bounds and lists the ticks; a single value gets a range around it. */
export function niceDomain(min: number, max: number, count = 5): NiceDomain {
  [min, max] = spread(min, max);
  const step = niceStep(max - min, count);
  const low = Math.floor(min / step + 1e-9) * step;
  const high = Math.ceil(max / step - 1e-9) * step;
  return { min: tidy(low), max: tidy(high), ticks: stepsBetween(low, high, step) };
}

/** Nice ticks inside [min, max] (for an axis whose bounds are fixed by the data). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  [min, max] = spread(min, max);
  const step = niceStep(max - min, count);
  return stepsBetween(Math.ceil(min / step - 1e-9) * step, max, step);
}

function spread(min: number, max: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min > max) [min, max] = [max, min];
  if (max - min > 0) return [min, max];
  const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
  return [min - pad, max + pad];
}

function stepsBetween(from: number, to: number, step: number): number[] {
  const ticks: number[] = [];
  for (let i = 0; from + i * step <= to + step * 1e-9; i++) ticks.push(tidy(from + i * step));
  return ticks;
}

// 0.1 * 3 is 0.30000000000000004: ticks are rounded to 12 significant digits.
function tidy(value: number): number {
  const rounded = Number(value.toPrecision(12));
  return rounded === 0 ? 0 : rounded;
}
