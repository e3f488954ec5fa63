/**
 * What expectations need to know about one cell, whatever the data came as: records hold
 * numbers, bigints, Dates and ISO text; Arrow and lake tables hold int64 as bigint and
 * timestamps as epoch milliseconds. Missing means null, undefined or NaN everywhere.
 *
 * @example
 * ```ts
 * isMissing(NaN); // true
 * numericValue(7n); // 7
 * timeValue("2026-11-01T08:00Z"); // 1793520000000
 * sameValue(1n, 1); // true
 * ```
 */
import type { JsonValue } from "./validation-result";

const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Null, undefined or NaN: a value that is not there. */
export function isMissing(value: unknown): boolean {
  return (
    value === null || value === undefined || (typeof value === "number" && Number.isNaN(value))
  );
}

/** The number a numeric cell holds (numbers, bigints, Dates as epoch ms); else undefined. */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.getTime();
  return undefined;
}

/** Epoch milliseconds of a timestamp cell (epoch-ms number or bigint, Date, ISO-8601 text). */
export function timeValue(value: unknown): number | undefined {
  if (typeof value === "string") return isIsoTime(value) ? Date.parse(value) : undefined;
  const number = numericValue(value);
  return number !== undefined && Number.isFinite(number) ? number : undefined;
}

/** Whether `text` is an ISO-8601 date or date-time (`2026-11-01`, `2026-11-01T08:00:00Z`). */
export function isIsoTime(text: string): boolean {
  return ISO_TIME.test(text) && !Number.isNaN(Date.parse(text));
}

/** Equality across representations: 1n equals 1, Dates by time, else `===`. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const x = numericValue(a);
  const y = numericValue(b);
  return x !== undefined && y !== undefined && x === y;
}

/** -1, 0 or 1 for numbers (bigints, Dates) and for text; undefined when they do not compare. */
export function compareValues(a: unknown, b: unknown): number | undefined {
  const x = numericValue(a);
  const y = numericValue(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === "boolean" && typeof b === "boolean") return a === b ? 0 : a ? 1 : -1;
  return undefined;
}

/** A key part as text that equal values share (1n and 1 alike), for duplicate detection. */
export function keyText(value: unknown): string {
  const number = numericValue(value);
  if (number !== undefined) return `n${number}`;
  if (typeof value === "string") return `s${value}`;
  return `o${String(value)}`;
}

/**
 * A cell as JSON: NaN as null, ±Infinity as text, bigints as numbers (text beyond 2^53), Dates
 * as ISO-8601, other objects as text.
 */
export function jsonValue(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") {
    return Number.isFinite(value) ? value : Number.isNaN(value) ? null : String(value);
  }
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "bigint") {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  }
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === "object" && value.constructor === Object) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  }
  return String(value);
}

/** A value for a message, short: `95.1`, `"W-17"`, `12n`. */
export function quoteValue(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number") return String(value);
  const json = JSON.stringify(jsonValue(value));
  return json.length > 60 ? `${json.slice(0, 60)}…` : json;
}
