import { KilnHttpError } from "../api/http-errors";
import { rowKey, type StoredLabel } from "./feedback-store";
import {
  alertBands,
  alertsOf,
  chunkRows,
  referenceChunks,
  type AlertBand,
  type Chunk,
} from "./performance-chunks";
import {
  classificationMetrics,
  reconstructionError,
  reconstructionMetrics,
  type ReconstructionMetrics,
  regressionMetrics,
  standardDeviation,
} from "./performance-metrics";
import type { PerformanceQuery, PerformanceTask } from "./performance-query";
import { monitoringTables } from "./prediction-log-lake";
import type { ColumnValues, PredictionLogReader } from "./prediction-log-reader";
import { INPUT_PREFIX, OUTPUT_PREFIX } from "./prediction-log-table";

/** What the report reads: the prediction log, the labels, and the served model's features. */
export type PerformanceSource = {
  reader: PredictionLogReader;
  labels(endpoint: string): Promise<Map<string, StoredLabel>>;
  /** The served model's features in order (anomaly detection); undefined when not served. */
  features(endpoint: string): readonly string[] | undefined;
  /**
   * Anomaly detection: the served model's reconstruction errors on its training reference
   * sample, the baseline live errors are compared with; without it the reference chunks are.
   */
  trainingErrors?(endpoint: string): readonly number[] | undefined;
};

type Metrics = Record<string, number | null>;

/** One chunk of the report. */
export type PerformanceChunk = {
  start: string;
  end: string;
  rows: number;
  /** Whether the chunk is one of the reference chunks the bands come from. */
  reference: boolean;
  metrics: Metrics;
  /** Metrics outside their band (reference chunks never alert). */
  alerts: string[];
  alert: boolean;
};

/** What `GET /api/endpoints/{name}/performance` answers. */
export type PerformanceReport = {
  endpoint: string;
  task: PerformanceTask;
  taskSource: PerformanceQuery["taskSource"];
  window: { duration: string; from: string; to: string };
  chunking: { period: string } | { rows: number };
  /** Rows measured: labelled rows (regression, classification) or logged rows (anomaly). */
  rows: number;
  /** Rows left out, by reason. */
  skipped: Record<string, number>;
  /** The metrics over every row of the window. */
  metrics: Metrics;
  reference: { chunks: number; sigma: number; bands: Record<string, AlertBand> };
  /**
   * Anomaly detection: the reconstruction-error distribution live errors are compared with, of
   * the training reference sample (`training`) or, without one, of the reference chunks' rows.
   */
  baseline?: ReconstructionMetrics & {
    rows: number;
    std: number | null;
    source: "training" | "reference-chunks";
  };
  chunks: PerformanceChunk[];
};

/** Which metrics get alert bands, per task. */
const BANDED: Record<PerformanceTask, readonly string[]> = {
  regression: ["mae", "rmse"],
  classification: ["accuracy", "f1", "auc"],
  anomaly: ["reconstruction_mse", "p95"],
};

/**
 * Measures an endpoint's performance over the prediction log: regression MAE and RMSE and
 * classification accuracy, F1 and ROC AUC on the logged rows that got a label (joined on
 * `request_id` and `row`), or for an anomaly detector (an autoencoder: as many outputs as inputs)
 * the distribution of per-row reconstruction errors, no labels needed, against a baseline of the
 * reference chunks. Rows count by their prediction's time, in chunks (periods or row counts);
 * each chunk's metrics are checked against the band `mean ± sigma · std` of the reference chunks.
 *
 * @example
 * const report = await performanceReport(source, "drill", parsePerformanceQuery({ task: "regression" }));
 * report.chunks.filter((c) => c.alert);
 * @throws KilnHttpError 400 when the log has no such output, or an anomaly task's model is no autoencoder.
 */
export async function performanceReport(
  source: PerformanceSource,
  endpoint: string,
  query: PerformanceQuery,
  now = Date.now(),
): Promise<PerformanceReport> {
  const since = now - query.windowMs;
  const table = monitoringTables(endpoint).predictions;
  const columns = (await source.reader.columns(table)) ?? [];
  const skipped: Record<string, number> = {};
  const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
  const measured =
    query.task === "anomaly"
      ? await reconstructionRows(source, endpoint, columns, since, now, skip)
      : await labelledRows(source, endpoint, columns, query, since, now, skip);
  measured.sort((a, b) => a.ts - b.ts);
  const chunks = chunkRows(measured, query.chunk, (r) => r.ts);
  const reference = referenceChunks(chunks, query.reference);
  const training = query.task === "anomaly" ? source.trainingErrors?.(endpoint) : undefined;
  const baselineErrors = training ?? reference.flatMap((i) => chunks[i]!.rows.map((r) => r.value));
  const baselineP99 = reconstructionMetrics(baselineErrors).p99;
  const metricsOf = (rows: readonly MeasuredRow[]): Metrics =>
    query.task === "anomaly"
      ? anomalyMetrics(rows, baselineP99)
      : labelledMetrics(query.task, rows, query.threshold);
  const chunkMetrics = chunks.map((chunk) => metricsOf(chunk.rows));
  const bands = alertBands(
    chunkMetrics.map((m) => pick(m, BANDED[query.task])),
    reference,
    query.reference.sigma,
  ) as Record<string, AlertBand>;
  const isReference = new Set(reference);
  return {
    endpoint,
    task: query.task,
    taskSource: query.taskSource,
    window: { duration: query.window, from: iso(since), to: iso(now) },
    chunking:
      "rows" in query.chunk
        ? { rows: query.chunk.rows }
        : { period: periodText(query.chunk.periodMs) },
    rows: measured.length,
    skipped,
    metrics: metricsOf(measured),
    reference: { chunks: reference.length, sigma: query.reference.sigma, bands },
    ...(query.task === "anomaly"
      ? {
          baseline: {
            rows: baselineErrors.length,
            ...reconstructionMetrics(baselineErrors),
            std: standardDeviation(baselineErrors),
            source: training ? ("training" as const) : ("reference-chunks" as const),
          },
        }
      : {}),
    chunks: chunks.map((chunk: Chunk<MeasuredRow>, i) => {
      const alerts = isReference.has(i) ? [] : alertsOf(chunkMetrics[i]!, bands);
      return {
        start: iso(chunk.start),
        end: iso(chunk.end),
        rows: chunk.rows.length,
        reference: isReference.has(i),
        metrics: chunkMetrics[i]!,
        alerts,
        alert: alerts.length > 0,
      };
    }),
  };
}

/** A measured row: its prediction's time, and the prediction and label (or the reconstruction error). */
type MeasuredRow = { ts: number; value: number; label: number };

async function labelledRows(
  source: PerformanceSource,
  endpoint: string,
  columns: readonly string[],
  query: PerformanceQuery,
  since: number,
  now: number,
  skip: (reason: string) => void,
): Promise<MeasuredRow[]> {
  const output = `${OUTPUT_PREFIX}${query.output}`;
  if (columns.length > 0 && !columns.includes(output)) {
    const outputs = columns.filter((c) => c.startsWith(OUTPUT_PREFIX));
    throw new KilnHttpError(
      400,
      "UNKNOWN_OUTPUT",
      `The prediction log of "${endpoint}" has no ${output}; it logs ${outputs.join(", ") || "no outputs"}.`,
      `Pick the prediction with output=<index> (0 to ${Math.max(outputs.length - 1, 0)}).`,
    );
  }
  const labels = await source.labels(endpoint);
  if (labels.size === 0 || columns.length === 0) return [];
  // A request id a client reused matches several rows: the newest prediction takes the label.
  const matched = new Map<string, MeasuredRow>();
  await source.reader.scan(
    monitoringTables(endpoint).predictions,
    ["request_id", "row", "ts", output],
    (batch) => {
      const [ids, rows, times, values] = [
        batch["request_id"]!,
        batch["row"]!,
        batch["ts"]!,
        batch[output]!,
      ];
      for (let i = 0; i < ids.length; i++) {
        const key = rowKey(ids[i] as string, rows[i] as number);
        const stored = labels.get(key);
        const ts = times[i] as number;
        if (!stored || ts > now) continue;
        const earlier = matched.get(key);
        if (earlier && earlier.ts >= ts) continue;
        const value = values[i];
        matched.set(key, {
          ts,
          value: typeof value === "number" ? value : NaN,
          label: stored.label,
        });
      }
    },
    since,
  );
  const rows: MeasuredRow[] = [];
  for (const row of matched.values()) {
    if (!Number.isFinite(row.value)) skip("noPrediction");
    else if (query.task === "classification" && row.label !== 0 && row.label !== 1) {
      skip("labelNotZeroOrOne");
    } else rows.push(row);
  }
  return rows;
}

async function reconstructionRows(
  source: PerformanceSource,
  endpoint: string,
  columns: readonly string[],
  since: number,
  now: number,
  skip: (reason: string) => void,
): Promise<MeasuredRow[]> {
  if (columns.length === 0) return [];
  const features =
    source.features(endpoint) ??
    columns.filter((c) => c.startsWith(INPUT_PREFIX)).map((c) => c.slice(INPUT_PREFIX.length));
  const inputs = features.map((f) => `${INPUT_PREFIX}${f}`);
  const outputs = features.map((_, k) => `${OUTPUT_PREFIX}${k}`);
  const absent = [...inputs, ...outputs].filter((c) => !columns.includes(c));
  if (features.length === 0 || absent.length > 0) {
    const logged = columns.filter((c) => c.startsWith(OUTPUT_PREFIX)).length;
    throw new KilnHttpError(
      400,
      "NOT_AN_AUTOENCODER",
      `Anomaly detection measures reconstruction errors, so the model needs one output per input: "${endpoint}" has ${features.length} inputs, and its log ${logged} outputs${absent.length > 0 ? ` (missing ${absent.slice(0, 5).join(", ")})` : ""}.`,
      "Use task=regression or task=classification for this endpoint, or serve an autoencoder.",
    );
  }
  const rows: MeasuredRow[] = [];
  const rowInputs = new Array<number>(features.length);
  const rowOutputs = new Array<number>(features.length);
  await source.reader.scan(
    monitoringTables(endpoint).predictions,
    ["ts", "fallback", ...inputs, ...outputs],
    (batch) => {
      const inputValues = inputs.map((c) => batch[c]!);
      const outputValues = outputs.map((c) => batch[c]!);
      const [times, fallback] = [batch["ts"]!, batch["fallback"]!];
      for (let i = 0; i < times.length; i++) {
        if ((times[i] as number) > now) continue;
        // The fallback model is no autoencoder of these inputs: its rows say nothing here.
        if (fallback[i]) {
          skip("fallback");
          continue;
        }
        if (!fill(rowInputs, inputValues, i) || !fill(rowOutputs, outputValues, i)) {
          skip("missingValue");
          continue;
        }
        rows.push({
          ts: times[i] as number,
          value: reconstructionError(rowInputs, rowOutputs),
          label: NaN,
        });
      }
    },
    since,
  );
  return rows;
}

/** Copies row `i` of `columns` into `into`; false when a value is missing. */
function fill(into: number[], columns: readonly ColumnValues[], i: number): boolean {
  for (let j = 0; j < columns.length; j++) {
    const value = columns[j]![i];
    if (typeof value !== "number") return false;
    into[j] = value;
  }
  return true;
}

function labelledMetrics(
  task: Exclude<PerformanceTask, "anomaly">,
  rows: readonly MeasuredRow[],
  threshold: number,
): Metrics {
  const labels = rows.map((r) => r.label);
  const predictions = rows.map((r) => r.value);
  return task === "regression"
    ? regressionMetrics(labels, predictions)
    : classificationMetrics(labels, predictions, threshold);
}

function anomalyMetrics(rows: readonly MeasuredRow[], baselineP99: number | null): Metrics {
  const errors = rows.map((r) => r.value);
  return {
    ...reconstructionMetrics(errors),
    above_baseline_p99:
      baselineP99 === null || errors.length === 0
        ? null
        : errors.filter((e) => e > baselineP99).length / errors.length,
  };
}

function pick(metrics: Metrics, names: readonly string[]): Metrics {
  return Object.fromEntries(names.map((name) => [name, metrics[name] ?? null]));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function periodText(ms: number): string {
  for (const [unit, size] of [
    ["w", 604_800_000],
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms / 60_000}m`;
}
