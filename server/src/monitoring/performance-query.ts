import { KilnHttpError } from "../api/http-errors";
import type { ChunkSpec, ReferenceSpec } from "./performance-chunks";

/** What an endpoint's model does, which decides its performance metrics. */
export const PERFORMANCE_TASKS = ["regression", "classification", "anomaly"] as const;
export type PerformanceTask = (typeof PERFORMANCE_TASKS)[number];

/** A performance request, read from the query string (see `parsePerformanceQuery`). */
export type PerformanceQuery = {
  task: PerformanceTask;
  /** Where the task came from: the `task` parameter, the model bundle, or the default. */
  taskSource: "query" | "bundle" | "default";
  /** Predictions made in the last `windowMs` count. */
  windowMs: number;
  window: string;
  chunk: ChunkSpec;
  reference: ReferenceSpec;
  /** Classification: a row is class 1 when its output is at least this. */
  threshold: number;
  /** Which output value (`output_<i>`) is the prediction. */
  output: number;
};

const PARAMETERS = [
  "task",
  "window",
  "chunk",
  "chunkRows",
  "referenceChunks",
  "referenceEnd",
  "sigma",
  "threshold",
  "output",
] as const;

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Milliseconds of a duration such as `30m`, `12h`, `7d` or `2w`.
 *
 * @example
 * parseDuration("7d"); // 604800000
 * @returns undefined when `text` is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([mhdw])$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  return ms > 0 ? ms : undefined;
}

/**
 * Reads the performance route's query: `task` (`regression`, `classification` or `anomaly`;
 * default: the bundle's declared task, else regression), `window` (default `30d`), `chunk` (a
 * period, default `1d`) or `chunkRows` (every N rows), `referenceChunks` (default 3) or
 * `referenceEnd` (an ISO time: chunks ending by then are the reference), `sigma` (default 3),
 * `threshold` (default 0.5), `output` (default 0).
 *
 * @example
 * parsePerformanceQuery({ task: "classification", window: "14d", chunkRows: "200" });
 * @throws KilnHttpError 400 `INVALID_QUERY` naming the parameter and what it takes.
 */
export function parsePerformanceQuery(
  query: Record<string, string | undefined>,
  declaredTask?: PerformanceTask,
): PerformanceQuery {
  const unknown = Object.keys(query).filter(
    (name) => !(PARAMETERS as readonly string[]).includes(name),
  );
  if (unknown.length > 0) {
    throw invalid(
      `Unknown query parameter${unknown.length > 1 ? "s" : ""} ${unknown.map((n) => `"${n}"`).join(", ")}.`,
      `The parameters are ${PARAMETERS.join(", ")}.`,
    );
  }
  const task = query["task"];
  if (task !== undefined && !(PERFORMANCE_TASKS as readonly string[]).includes(task)) {
    throw invalid(
      `task is "${task}", not a task Kiln measures.`,
      `Use one of ${PERFORMANCE_TASKS.join(", ")}.`,
    );
  }
  const duration = (name: string, fallback: string) => {
    const text = query[name] ?? fallback;
    const ms = parseDuration(text);
    if (ms === undefined) {
      throw invalid(
        `${name} is "${text}", not a duration.`,
        `Give a number and a unit: m (minutes), h, d or w, e.g. ${name}=${fallback}.`,
      );
    }
    return { ms, text };
  };
  const number = (name: string, fallback: number, check: (n: number) => boolean, what: string) => {
    const text = query[name];
    if (text === undefined) return fallback;
    const value = Number(text);
    if (text.trim() === "" || !check(value))
      throw invalid(
        `${name} is "${text}": expected ${what}.`,
        `Fix ${name}, or leave it out for ${fallback}.`,
      );
    return value;
  };
  const whole = (n: number) => Number.isSafeInteger(n) && n >= 1;
  if (query["chunk"] !== undefined && query["chunkRows"] !== undefined) {
    throw invalid(
      "chunk and chunkRows were both given.",
      "Chunk by period (chunk=1d) or by rows (chunkRows=500), not both.",
    );
  }
  if (query["referenceChunks"] !== undefined && query["referenceEnd"] !== undefined) {
    throw invalid(
      "referenceChunks and referenceEnd were both given.",
      "Take the first N chunks (referenceChunks=3) or the chunks until a time (referenceEnd=2026-11-08T00:00Z) as the reference, not both.",
    );
  }
  let until: number | undefined;
  if (query["referenceEnd"] !== undefined) {
    until = Date.parse(query["referenceEnd"]);
    if (Number.isNaN(until)) {
      throw invalid(
        `referenceEnd is "${query["referenceEnd"]}", not a time.`,
        "Give an ISO 8601 time, e.g. 2026-11-08T00:00:00Z.",
      );
    }
  }
  const window = duration("window", "30d");
  return {
    task: (task as PerformanceTask | undefined) ?? declaredTask ?? "regression",
    taskSource: task !== undefined ? "query" : declaredTask ? "bundle" : "default",
    windowMs: window.ms,
    window: window.text,
    chunk:
      query["chunkRows"] !== undefined
        ? { rows: number("chunkRows", 0, whole, "a whole number ≥ 1") }
        : { periodMs: duration("chunk", "1d").ms },
    reference: {
      chunks: number(
        "referenceChunks",
        3,
        (n) => Number.isSafeInteger(n) && n >= 2,
        "a whole number ≥ 2 (a band needs two chunks)",
      ),
      ...(until === undefined ? {} : { until }),
      sigma: number("sigma", 3, (n) => Number.isFinite(n) && n > 0, "a number > 0"),
    },
    threshold: number("threshold", 0.5, Number.isFinite, "a number"),
    output: number("output", 0, (n) => Number.isSafeInteger(n) && n >= 0, "a whole number ≥ 0"),
  };
}

function invalid(message: string, fix: string): KilnHttpError {
  return new KilnHttpError(400, "INVALID_QUERY", message, fix);
}
