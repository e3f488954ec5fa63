// kiln.dq on real LanceDB lake tables, the semiconductor continuous-learning case: a suite built
// from reference data (range rules per sensor, a k-means novelty model) and stored as JSON passes
// a good batch and fails a bad one (too many events, a sensor out of range, duplicate keys, a
// novel operating point); kiln.dq.validate throws a DataQualityError naming the failed checks,
// also as the error of a pipeline step run against the real MLflow server.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as kiln from "@kiln/kernel-lib";
import { compileNotebookFile } from "../../kernel-lib/src/pipeline/compiler";
import { runPipeline } from "../../kernel-lib/src/pipeline/executor";
import { realMlflowUri } from "../support/real-mlflow";
import { tslabNotebook } from "../support/tslab-notebook";

const root = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "kiln-dq-"));
const lake = join(work, "lake");
const suiteFile = join(work, "etch-batch.suite.json");
afterAll(() => rmSync(work, { recursive: true, force: true }));

const NOW = "2026-11-01T12:00:00Z";
const SENSORS = ["chamber_temp", "pressure", "rf_power"];

/** mulberry32: reproducible noise for the fixtures. */
function noise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5; // in [-0.5, 0.5)
  };
}

// Two etch recipes: (chamber_temp °C, pressure Torr, rf_power W).
const RECIPE_A = [60, 1.2, 300] as const;
const RECIPE_B = [75, 0.8, 450] as const;

type Reading = {
  wafer_id: string;
  step: number;
  measured_at: Date;
  chamber_temp: number;
  pressure: number;
  rf_power: number;
  is_event: boolean;
  thickness_pred: number;
  thickness_label: number;
};

/** `count` readings, alternating recipes unless `at` is given; every `eventEvery`-th is an event. */
function readings(
  count: number,
  init: { seed: number; firstWafer: number; eventEvery: number; at?: readonly number[] },
): Reading[] {
  const random = noise(init.seed);
  return Array.from({ length: count }, (_, i) => {
    const [temp, pressure, power] = init.at ?? (i % 2 === 0 ? RECIPE_A : RECIPE_B);
    const label = 100 + random() * 10;
    return {
      wafer_id: `W${String(init.firstWafer + Math.floor(i / 2)).padStart(4, "0")}`,
      step: i % 2,
      measured_at: new Date(Date.parse(NOW) - (count - i) * 10_000),
      chamber_temp: temp! + random() * 3,
      pressure: pressure! + random() * 0.06,
      rf_power: power! + random() * 15,
      is_event: (i + 1) % init.eventEvery === 0,
      thickness_pred: label + random() * 0.8,
      thickness_label: label,
    };
  });
}

const reference = readings(400, { seed: 1, firstWafer: 1, eventEvery: 50 });
const goodBatch = readings(100, { seed: 2, firstWafer: 1000, eventEvery: 50 });
const badBatch: Reading[] = [
  // 20% events (the suite allows 5%).
  ...readings(80, { seed: 3, firstWafer: 2000, eventEvery: 5 }),
  // A novel operating point between the recipes: inside every sensor's range.
  ...readings(15, { seed: 4, firstWafer: 3000, eventEvery: 1000, at: [67.5, 1.0, 375] }),
];
badBatch[10] = { ...badBatch[10]!, chamber_temp: 95 }; // out of range (and novel)
badBatch[20] = { ...badBatch[20]!, wafer_id: badBatch[21]!.wafer_id, step: badBatch[21]!.step }; // duplicate key

beforeAll(async () => {
  await kiln.data.ingest(reference, { table: "etch_reference", lake, tag: "reference" });
  await kiln.data.ingest(goodBatch, {
    table: "etch_batch",
    lake,
    eventTime: "measured_at",
    tag: "batch-001",
  });
  await kiln.data.ingest(badBatch, {
    table: "etch_batch",
    lake,
    mode: "overwrite",
    tag: "batch-002",
  });

  // The suite, built from the reference and stored as a file, as a team would keep it.
  const ref = await kiln.data.read("etch_reference", { lake, tag: "reference", lineage: false });
  const suite: kiln.dq.ExpectationSuite = {
    name: "etch-batch",
    dataset: "etch_batch",
    expectations: [
      ...SENSORS.map((column) => ({ type: "not_null" as const, column })),
      { type: "share", column: "is_event", max: 0.05, description: "abnormal-state share" },
      ...kiln.dq.rangeRulesFromReference(ref, SENSORS, { margin: 0.1 }),
      { type: "unique", columns: ["wafer_id", "step"] },
      { type: "freshness", column: "measured_at", maxAgeMs: 2 * 3_600_000 },
      { type: "agreement", column: "thickness_pred", reference: "thickness_label", tolerance: 0.5 },
      {
        type: "novelty",
        model: kiln.dq.fitNoveltyModel(ref, { columns: SENSORS, k: 2, seed: 7 }),
        // Past the reference's 0.99 quantile lie ~1% of reference rows, and a few % of a small
        // batch like it: 0.9 tolerates that, not a novel operating point.
        mostly: 0.9,
      },
    ],
  };
  writeFileSync(suiteFile, JSON.stringify(suite, null, 2));
}, 180_000);

const storedSuite = () => kiln.dq.defineSuite(JSON.parse(readFileSync(suiteFile, "utf8")));

describe("kiln.dq on lake tables", () => {
  it("passes a good batch read by tag, naming the version it judged", async () => {
    const result = await kiln.dq.check(
      { table: "etch_batch", tag: "batch-001", lake },
      storedSuite(),
      {
        now: NOW,
        lineage: false,
      },
    );
    expect(result.results.filter((r) => !r.success)).toEqual([]);
    expect(result).toMatchObject({
      success: true,
      rowCount: 100,
      score: 1,
      source: { kind: "lake", lake, table: "etch_batch", version: 1, tag: "batch-001" },
      counts: { expectations: 11, succeeded: 11, failed: 0 },
    });
    expect(result.dimensions.validity).toEqual({
      score: 1,
      expectations: 4,
      succeeded: 4,
      failed: 0,
    });
  });

  it("fails a bad batch on exactly the event share, the out-of-range sensor, duplicates and novelty", async () => {
    const result = await kiln.dq.check({ table: "etch_batch", lake }, storedSuite(), {
      now: NOW,
      lineage: false,
      maxExamples: 95,
    });
    expect(result.source).toMatchObject({ kind: "lake", table: "etch_batch", version: 2 });
    const failed = result.results.filter((r) => !r.success);
    expect(failed.map((r) => [r.dimension, r.type, r.columns.join(",")])).toEqual([
      ["validity", "share", "is_event"],
      ["validity", "in_range", "chamber_temp"],
      ["uniqueness", "unique", "wafer_id,step"],
      ["consistency", "novelty", "chamber_temp,pressure,rf_power"],
    ]);
    const [share, range, unique, novelty] = failed;
    expect(share).toMatchObject({ observed: 16 / 95, details: { events: 16 } });
    expect(range).toMatchObject({
      unexpectedCount: 1,
      unexpectedExamples: [{ index: 10, value: 95 }],
    });
    expect(unique).toMatchObject({
      unexpectedCount: 2,
      unexpectedExamples: [
        { index: 20, value: { wafer_id: badBatch[21]!.wafer_id, step: badBatch[21]!.step } },
        { index: 21, value: { wafer_id: badBatch[21]!.wafer_id, step: badBatch[21]!.step } },
      ],
    });
    // The 15 rows of the novel operating point and the overheated row, besides the few
    // ordinary rows past the reference's 0.99 quantile.
    const novel = novelty!.unexpectedExamples.map((e) => e.index);
    expect(novel).toEqual(
      expect.arrayContaining([10, ...Array.from({ length: 15 }, (_, i) => 80 + i)]),
    );
    expect(novel.filter((index) => index < 80 && index !== 10).length).toBeLessThanOrEqual(8);
    expect(novelty!.unexpectedCount).toBe(novel.length);
    expect(result.dimensions).toMatchObject({
      completeness: { score: 1 },
      validity: { score: 0.5, failed: 2 },
      uniqueness: { score: 0 },
      consistency: { score: 0 },
      timeliness: { score: 1 },
      accuracy: { score: 1 },
    });
  });

  it("kiln.dq.validate throws a DataQualityError whose message names the failed checks", async () => {
    const error = await kiln.dq
      .validate({ table: "etch_batch", tag: "batch-002", lake }, storedSuite(), {
        now: NOW,
        lineage: false,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(kiln.dq.DataQualityError);
    expect(error).toBeInstanceOf(kiln.DataError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^Suite "etch-batch" failed 4 of 11 expectations on lake table etch_batch version 2 \(tag batch-002, 95 rows\):\n/,
    );
    expect(message).toContain(
      '  - validity share(is_event) "abnormal-state share": observed share 0.1684 (16 of 95 rows); expected share of rows where is_event is true or 1 at most 0.05\n',
    );
    expect(message).toMatch(
      / {2}- validity in_range\(chamber_temp\): observed 98\.95% met \(1 of 95 unexpected, e\.g\. 95 at row 10\); expected values in \[\d+\.\d+, \d+\.\d+\] for every value\n/,
    );
    expect(message).toContain(
      "  - uniqueness unique(wafer_id, step): observed 97.89% met (2 of 95 unexpected",
    );
    expect(message).toMatch(
      / {2}- consistency novelty\(chamber_temp, pressure, rf_power\): observed [\d.]+% met \(\d+ of 95 unexpected, e\.g\. distance [\d.]+ at row 10, .*\); expected distance to the nearest reference cluster <= [\d.]+ \(the reference's 0\.99 quantile\) for at least 90% of rows\n/,
    );
    expect((error as kiln.dq.DataQualityError).result.success).toBe(false);
  });

  it("resolves with the result when the batch passes; a table name alone means its newest version", async () => {
    const good = await kiln.dq.validate({ table: "etch_batch", version: 1, lake }, storedSuite(), {
      now: NOW,
      lineage: false,
    });
    expect(good.success).toBe(true);

    const defaultLake = process.env["KILN_LAKE_URI"];
    process.env["KILN_LAKE_URI"] = lake;
    try {
      const newest = await kiln.dq.check("etch_batch", storedSuite(), { now: NOW, lineage: false });
      expect(newest.source).toEqual({ kind: "lake", lake, table: "etch_batch", version: 2 });
    } finally {
      if (defaultLake === undefined) delete process.env["KILN_LAKE_URI"];
      else process.env["KILN_LAKE_URI"] = defaultLake;
    }
  });

  it("reports a missing lake table with the lake's error", async () => {
    await expect(kiln.dq.check({ table: "nope", lake }, storedSuite())).rejects.toThrow(
      kiln.TableNotFoundError,
    );
    await expect(
      kiln.dq.check({ table: "etch_batch", tag: "batch-999", lake }, storedSuite()),
    ).rejects.toThrow(kiln.TagNotFoundError);
  });
});

describe("kiln.dq.validate in a pipeline step", () => {
  beforeAll(async () => {
    // Step processes run plain Node on kernel-lib's dist/: make sure it is current.
    await promisify(execFile)(
      process.execPath,
      [require.resolve("typescript/bin/tsc"), "-b", "kernel-lib"],
      {
        cwd: root,
      },
    );
  }, 180_000);

  it("fails the step, and the run, with the data-quality message as the step's error", async () => {
    const notebook = join(work, "etch-quality.ipynb");
    writeFileSync(
      notebook,
      tslabNotebook([
        'import * as kiln from "@kiln/kernel-lib";\nimport { readFileSync } from "node:fs";',
        '// @kiln params\nconst batchTag = "batch-001";',
        [
          "// @kiln step=quality",
          `const suite = kiln.dq.defineSuite(JSON.parse(readFileSync(${JSON.stringify(suiteFile)}, "utf8")));`,
          `const report = await kiln.dq.validate({ table: "etch_batch", tag: batchTag, lake: ${JSON.stringify(lake)} }, suite, { now: ${JSON.stringify(NOW)} });`,
          "kiln.log.metrics({ dq_score: report.score });",
          "console.log(`data quality: ${report.counts.succeeded} of ${report.counts.expectations} passed`);",
        ].join("\n"),
      ]),
    );
    const stateDir = join(work, ".kiln");
    const pipeline = await compileNotebookFile(notebook, { stateDir });
    const run = (batchTag: string) =>
      runPipeline(pipeline, { stateDir, trackingUri: realMlflowUri(), params: { batchTag } });

    const good = await run("batch-001");
    expect(good.status).toBe("succeeded");

    const bad = await run("batch-002");
    expect(bad.status).toBe("failed");
    const error = bad.steps["quality"]?.error ?? "";
    expect(error).toMatch(
      /^DataQualityError: Suite "etch-batch" failed 4 of 11 expectations on lake table etch_batch version 2 \(tag batch-002, 95 rows\):/,
    );
    expect(error).toContain("validity share(is_event)");
    expect(error).toContain("validity in_range(chamber_temp)");
    expect(error).toContain("uniqueness unique(wafer_id, step)");
    expect(error).toContain("consistency novelty(chamber_temp, pressure, rf_power)");
  });
});
