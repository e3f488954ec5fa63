/**
 * What kind of value a field holds, for schema inference. Text (CSV) is classified by its
 * spelling; JSON and in-memory values by their JavaScript type (a string spelled like an
 * ISO-8601 time is a timestamp in both).
 *
 * @example
 * ```ts
 * kindOfText("42"); // "int"
 * kindOfText("4.2e1"); // "float"
 * kindOfText("2026-11-01T08:00:00Z"); // "timestamp"
 * kindOfField("7,x,2.5", 4, 7); // "float"
 * kindOfValue(true); // "bool"
 * ```
 */
import {
  isIntegerField,
  parseBooleanField,
  parseDecimalField,
  parseIntegerField,
  parseTimestampField,
  TIMESTAMP_TEXT,
} from "./text-values";

/** The kind of one non-null value; "nested" (objects, arrays) has no column type. */
export type ValueKind = "bool" | "int" | "float" | "timestamp" | "string" | "nested";

/**
 * The kind of the non-null CSV field `text[start, end)`. Integers beyond 64 bits are numbers
 * (float).
 */
export function kindOfField(text: string, start: number, end: number): ValueKind {
  if (isIntegerField(text, start, end)) {
    return parseIntegerField(text, start, end) === undefined ? "float" : "int";
  }
  if (parseDecimalField(text, start, end) !== undefined) return "float";
  if (parseTimestampField(text, start, end) !== undefined) return "timestamp";
  return parseBooleanField(text, start, end, false) === undefined ? "string" : "bool";
}

/** The kind of a non-null CSV field. Integers beyond 64 bits are numbers (float). */
export function kindOfText(text: string): ValueKind {
  return kindOfField(text, 0, text.length);
}

/** The kind of a non-null JSON or JavaScript value. */
export function kindOfValue(value: unknown): ValueKind {
  switch (typeof value) {
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(value) ? "int" : "float";
    case "bigint":
      return "int";
    case "string":
      return TIMESTAMP_TEXT.test(value) ? "timestamp" : "string";
    default:
      return value instanceof Date ? "timestamp" : "nested";
  }
}

/**
 * The kind that admits both `a` and `b`, or undefined when they conflict. Integers and decimals
 * are numbers; timestamps and other strings are strings; in text anything else is a string too,
 * while typed values (JSON) of different kinds conflict.
 */
export function combineKinds(a: ValueKind, b: ValueKind, textual: boolean): ValueKind | undefined {
  if (a === b) return a;
  if ((a === "int" && b === "float") || (a === "float" && b === "int")) return "float";
  if ((a === "timestamp" && b === "string") || (a === "string" && b === "timestamp")) {
    return "string";
  }
  if (textual && a !== "nested" && b !== "nested") return "string";
  return undefined;
}
