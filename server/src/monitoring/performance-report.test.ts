import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rowKey, type StoredLabel } from "./feedback-store";
import { alertBands, alertsOf, chunkRows, referenceChunks } from "./performance-chunks";
import { parsePerformanceQuery } from "./performance-query";
import { performanceReport, type PerformanceSource } from "./performance-report";
import type { QueuedRequest } from "./prediction-log";
import { PredictionLake } from "./prediction-log-lake";
import { PredictionLogReader } from "./prediction-log-reader";
import { PredictionLogTables } from "./prediction-log-table";

const DAY = 86_400_000;
const day0 = Date.parse("2026-11-01T00:00:00Z");
const now = day0 + 7 * DAY;

describe("chunks and alert bands", () => {
  const rows = [0.5, 0.7, 1.2, 2.1, 2.9, 3.5].map((d) => ({ ts: day0 + d * DAY }));

  it("cuts rows by period (UTC days with rows) or by count", () => {
    expect(
      chunkRows(rows, { periodMs: DAY }, (r) => r.ts).map((c) => [c.start, c.rows.length]),
    ).toEqual([
      [day0, 2],
      [day0 + DAY, 1],
      [day0 + 2 * DAY, 2],
      [day0 + 3 * DAY, 1],
    ]);
    expect(chunkRows(rows, { rows: 4 }, (r) => r.ts).map((c) => c.rows.length)).toEqual([4, 2]);
  });

  it("takes the first K chunks, or those ending by a time, as the reference", () => {
    const chunks = chunkRows(rows, { periodMs: DAY }, (r) => r.ts);
    expect(referenceChunks(chunks, { chunks: 2, sigma: 3 })).toEqual([0, 1]);
    expect(referenceChunks(chunks, { chunks: 2, until: day0 + 3 * DAY, sigma: 3 })).toEqual([
      0, 1, 2,
    ]);
  });

  it("bands each metric at mean ± sigma·std of the reference chunks (population std)", () => {
    const metrics = [{ mae: 1 }, { mae: 1.2 }, { mae: 0.8 }, { mae: 1.3 }, { mae: 2 }];
    const bands = alertBands(metrics, [0, 1, 2], 3);
    const std = Math.sqrt((0 ** 2 + 0.2 ** 2 + 0.2 ** 2) / 3);
    expect(bands.mae!.mean).toBeCloseTo(1, 12);
    expect(bands.mae!.std).toBeCloseTo(std, 12);
    expect(bands.mae!.upper).toBeCloseTo(1 + 3 * std, 12);
    expect(alertsOf(metrics[3]!, bands)).toEqual([]); // 1.3 < 1.49
    expect(alertsOf(metrics[4]!, bands)).toEqual(["mae"]);
    expect(alertBands([{ mae: 1 }, { mae: null }], [0, 1], 3)).toEqual({}); // one value: no band
  });
});

describe("performanceReport", () => {
  let dir: string;
  let lake: PredictionLake;
  const labels = new Map<string, StoredLabel>();
  let features: string[] | undefined;
  const source = (): PerformanceSource => ({
    reader: new PredictionLogReader(lake),
    labels: async () => labels,
    features: () => features,
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kiln-performance-"));
    lake = new PredictionLake(join(dir, "lake"));
    labels.clear();
    features = undefined;
  });
  afterEach(async () => {
    lake.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Logs one request per entry: `rows` rows at `time`, inputs [x, y], outputs as given. */
  async function logRequests(
    entries: {
      id: string;
      time: number;
      inputs: number[][];
      outputs: number[][];
      fallback?: boolean[];
    }[],
  ) {
    const model = {
      modelName: "m",
      version: "1",
      inputs: [
        { name: "x", datatype: "FP32" as const, required: true },
        { name: "y", datatype: "FP32" as const, required: true },
      ],
      outputs: [
        { name: "output", datatype: "FP32" as const, shape: [entries[0]!.outputs[0]!.length] },
      ],
    };
    const requests: QueuedRequest[] = entries.map((e) => ({
      rowLog: "logged",
      record: {
        requestId: e.id,
        endpoint: "drill",
        protocol: "v2",
        time: e.time,
        status: 200,
        latencyMs: 1,
        model,
        scored: {
          inputs: e.inputs.map(([x, y]) => ({ x: x!, y: y! })),
          outputs: e.outputs,
          usedFallback: e.fallback ?? e.inputs.map(() => false),
        },
      },
    }));
    await new PredictionLogTables(lake).write("drill", requests);
  }

  it("computes regression metrics per day, and alerts on a day outside the reference band", async () => {
    // Days 0–3: errors ±1 → MAE 1 (days 0 and 2 also have a 0.5 error, so the band has width).
    // Day 5: errors of 4 → outside the band.
    const days: [number, number[]][] = [
      [0, [1, -1, 0.5]],
      [1, [1, -1]],
      [2, [1, -1, 0.5]],
      [3, [1, -1]],
      [5, [4, -4]],
    ];
    await logRequests(
      days.map(([d, errors]) => ({
        id: `day-${d}`,
        time: day0 + d * DAY + 3_600_000,
        inputs: errors.map(() => [0, 0]),
        outputs: errors.map((e) => [10 + e]),
      })),
    );
    for (const [d, errors] of days) {
      errors.forEach((_, row) =>
        labels.set(rowKey(`day-${d}`, row), { label: 10, receivedAt: now }),
      );
    }
    labels.set(rowKey("not-logged", 0), { label: 1, receivedAt: now });
    const report = await performanceReport(
      source(),
      "drill",
      parsePerformanceQuery({ window: "30d", referenceChunks: "4" }),
      now,
    );
    expect(report).toMatchObject({
      task: "regression",
      taskSource: "default",
      rows: 12,
      chunking: { period: "1d" },
    });
    expect(report.chunks.map((c) => [c.start.slice(0, 10), c.rows, c.reference, c.alert])).toEqual([
      ["2026-11-01", 3, true, false],
      ["2026-11-02", 2, true, false],
      ["2026-11-03", 3, true, false],
      ["2026-11-04", 2, true, false],
      ["2026-11-06", 2, false, true],
    ]);
    expect(report.chunks[0]!.metrics.mae).toBeCloseTo(2.5 / 3, 12);
    expect(report.chunks[4]!.metrics).toEqual({ mae: 4, rmse: 4 });
    expect(report.chunks[4]!.alerts).toEqual(["mae", "rmse"]);
    expect(report.reference.bands["mae"]!.mean).toBeCloseTo((2.5 / 3 + 1 + 2.5 / 3 + 1) / 4, 12);

    // A window that starts after day 2 keeps only days 3 and 5; chunks of 2 labelled rows.
    const recent = await performanceReport(
      source(),
      "drill",
      parsePerformanceQuery({ window: "4d", chunkRows: "2" }),
      now,
    );
    expect(recent.rows).toBe(4);
    expect(recent.chunks.map((c) => c.rows)).toEqual([2, 2]);
    expect(recent.chunking).toEqual({ rows: 2 });
  });

  it("computes classification metrics at the threshold, leaving out labels other than 0/1", async () => {
    await logRequests([
      {
        id: "c",
        time: day0,
        inputs: [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, 0],
          [0, 0],
        ],
        outputs: [[0.9], [0.3], [0.6], [0.2], [0.8]],
      },
    ]);
    [1, 1, 0, 0, 7].forEach((label, row) =>
      labels.set(rowKey("c", row), { label, receivedAt: now }),
    );
    const report = await performanceReport(
      source(),
      "drill",
      parsePerformanceQuery({ task: "classification", threshold: "0.5" }),
      now,
    );
    // Rows 0–3: predicted 1, 0, 1, 0 for labels 1, 1, 0, 0 → accuracy 0.5, F1 0.5, AUC 0.75.
    expect(report.metrics).toEqual({ accuracy: 0.5, f1: 0.5, auc: 0.75 });
    expect(report.skipped).toEqual({ labelNotZeroOrOne: 1 });
  });

  it("measures an autoencoder's reconstruction errors against the reference chunks, without labels", async () => {
    features = ["x", "y"];
    const day = (d: number, error: number, id = `a-${d}`) => ({
      id,
      time: day0 + d * DAY,
      // Outputs off by `error` on x only: row error = error² / 2.
      inputs: [
        [1, 2],
        [3, 4],
      ],
      outputs: [
        [1 + error, 2],
        [3 + error, 4],
      ],
    });
    await logRequests([day(0, 1), day(1, 1.2), day(2, 0.8), day(3, 3)]);
    await logRequests([{ ...day(3, 0, "fallback"), fallback: [true, true] }]);
    const report = await performanceReport(
      source(),
      "drill",
      parsePerformanceQuery({ task: "anomaly" }),
      now,
    );
    expect(report.rows).toBe(8);
    expect(report.skipped).toEqual({ fallback: 2 });
    const expected = [0.5, 0.72, 0.32, 4.5];
    report.chunks.forEach((c, i) =>
      expect(c.metrics.reconstruction_mse).toBeCloseTo(expected[i]!, 12),
    );
    expect(report.chunks.map((c) => c.alert)).toEqual([false, false, false, true]);
    expect(report.chunks[3]!.metrics.above_baseline_p99).toBe(1);
    expect(report.baseline).toMatchObject({
      rows: 6,
      reconstruction_mse: expect.closeTo((0.5 + 0.72 + 0.32) / 3, 12),
    });
  });

  it("answers an empty report before anything was logged", async () => {
    const report = await performanceReport(source(), "drill", parsePerformanceQuery({}), now);
    expect(report).toMatchObject({ rows: 0, chunks: [], metrics: { mae: null, rmse: null } });
  });
});

describe("parsePerformanceQuery", () => {
  it.each([
    [{ window: "7" }, /window is "7", not a duration/],
    [{ task: "ranking" }, /task is "ranking"/],
    [{ chunk: "1d", chunkRows: "5" }, /both given/],
    [{ referenceChunks: "1" }, /referenceChunks is "1"/],
    [{ referenceEnd: "yesterday" }, /referenceEnd is "yesterday", not a time/],
    [{ foo: "1" }, /Unknown query parameter "foo"/],
  ])("refuses %j", (query, message) => {
    expect(() => parsePerformanceQuery(query)).toThrow(message);
  });

  it("takes the task from the query, else the bundle, else regression", () => {
    expect(parsePerformanceQuery({ task: "anomaly" }, "classification")).toMatchObject({
      task: "anomaly",
      taskSource: "query",
    });
    expect(parsePerformanceQuery({}, "classification")).toMatchObject({
      task: "classification",
      taskSource: "bundle",
    });
    expect(parsePerformanceQuery({})).toMatchObject({
      task: "regression",
      taskSource: "default",
      windowMs: 30 * DAY,
    });
  });
});
