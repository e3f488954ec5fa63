import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { data } from "@kiln/kernel-lib";
import type { QueuedRequest, ScoringRecord } from "./prediction-log";
import { loadArrow, PredictionLake } from "./prediction-log-lake";
import { PredictionLogReader } from "./prediction-log-reader";
import { PredictionLogTables } from "./prediction-log-table";

let dir: string;
let lake: PredictionLake;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kiln-prediction-log-"));
  lake = new PredictionLake(join(dir, "lake"));
});
afterEach(async () => {
  lake.close();
  await rm(dir, { recursive: true, force: true });
});

const v1 = {
  modelName: "drill-model",
  version: "1",
  inputs: [
    { name: "vibration", datatype: "FP32" as const, required: true },
    { name: "running", datatype: "BOOL" as const, required: false },
  ],
  outputs: [{ name: "output", datatype: "FP32" as const, shape: [1] }],
};
const v2 = {
  ...v1,
  version: "2",
  inputs: [
    { name: "vibration", datatype: "FP32" as const, required: true },
    { name: "temperature", datatype: "FP32" as const, required: true },
  ],
  outputs: [{ name: "output", datatype: "FP32" as const, shape: [2] }],
};

const queued = (record: Partial<ScoringRecord>, rowLog: QueuedRequest["rowLog"] = "logged") => ({
  record: {
    requestId: "r-1",
    endpoint: "drill",
    protocol: "mlflow" as const,
    time: Date.parse("2026-11-02T08:00:00Z"),
    status: 200,
    latencyMs: 4.5,
    model: v1,
    ...record,
  },
  rowLog,
});

const readRows = (table: string) =>
  data.readRows(table, { lake: lake.uri, lineage: false }) as Promise<Record<string, unknown>[]>;

describe("PredictionLogTables", () => {
  it("writes one prediction row per scored row and one request row per request, readable with kiln.data", async () => {
    const tables = new PredictionLogTables(lake);
    await tables.write("drill", [
      queued({
        requestId: "rows-1",
        scored: {
          inputs: [
            { vibration: 1.5, running: true },
            { vibration: null, running: false },
          ],
          outputs: [[0.25], [-1]],
          usedFallback: [false, true],
        },
      }),
      queued({
        requestId: "matrix-1",
        protocol: "v2",
        model: { ...v1, inputs: [v1.inputs[0]!] },
        scored: {
          inputs: { rows: 2, values: new Float32Array([3, Number.NaN]) },
          outputs: new Float32Array([0.5, 0.75]),
          usedFallback: [false, false],
        },
      }),
      queued(
        { requestId: "sampled", scored: { inputs: [{}], outputs: [[1]], usedFallback: [false] } },
        "sampled-out",
      ),
      queued({ requestId: "failed", status: 400 }, "none"),
    ]);
    const predictions = await readRows("predictions__drill");
    expect(predictions).toEqual([
      {
        request_id: "rows-1",
        row: 0,
        ts: Date.parse("2026-11-02T08:00:00Z"),
        endpoint: "drill",
        model_name: "drill-model",
        model_version: "1",
        protocol: "mlflow",
        fallback: false,
        latency_ms: 4.5,
        input_vibration: 1.5,
        input_running: 1,
        output_0: 0.25,
      },
      expect.objectContaining({
        request_id: "rows-1",
        row: 1,
        fallback: true,
        input_vibration: null,
        input_running: 0,
        output_0: -1,
      }),
      expect.objectContaining({
        request_id: "matrix-1",
        row: 0,
        protocol: "v2",
        input_vibration: 3,
        input_running: null,
        output_0: 0.5,
      }),
      expect.objectContaining({
        request_id: "matrix-1",
        row: 1,
        input_vibration: null,
        output_0: 0.75,
      }),
    ]);
    const requests = await readRows("requests__drill");
    expect(
      requests.map((r) => [
        r["request_id"],
        r["status"],
        r["rows"],
        r["fallback_rows"],
        r["row_log"],
      ]),
    ).toEqual([
      ["rows-1", 200, 2, 1, "logged"],
      ["matrix-1", 200, 2, 0, "logged"],
      ["sampled", 200, 1, 0, "sampled-out"],
      ["failed", 400, 0, 0, "none"],
    ]);
    // One LanceDB version per write: a batch is visible whole or not at all.
    expect((await data.versions("predictions__drill", { lake: lake.uri })).length).toBe(1);
  });

  it("adds columns for a new feature and a wider output, leaving older rows null there", async () => {
    const tables = new PredictionLogTables(lake);
    const scored = (inputs: Record<string, number>[], outputs: number[][]) => ({
      inputs,
      outputs,
      usedFallback: inputs.map(() => false),
    });
    await tables.write("drill", [
      queued({ requestId: "old", scored: scored([{ vibration: 1 }], [[5]]) }),
    ]);
    await tables.write("drill", [
      queued({
        requestId: "new",
        model: v2,
        scored: scored([{ vibration: 2, temperature: 40 }], [[6, 7]]),
      }),
    ]);
    const rows = await readRows("predictions__drill");
    expect(
      rows.map((r) => [
        r["request_id"],
        r["model_version"],
        r["input_vibration"],
        r["input_running"],
        r["input_temperature"],
        r["output_0"],
        r["output_1"],
      ]),
    ).toEqual([
      ["old", "1", 1, null, null, 5, null],
      ["new", "2", 2, null, 40, 6, 7],
    ]);
  });

  it("still writes the request summaries when the rows cannot be written, marking them dropped", async () => {
    const arrow = loadArrow();
    // A table someone else made, with a required column the log does not fill.
    const schema = new arrow.Schema([new arrow.Field("owner", new arrow.Utf8(), false)]);
    const owner = arrow.vectorFromArray(["me"], new arrow.Utf8());
    await lake.createTable(
      "predictions__drill",
      new arrow.Table(schema, [
        new arrow.RecordBatch(
          schema,
          arrow.makeData({
            type: new arrow.Struct(schema.fields),
            length: 1,
            nullCount: 0,
            children: [owner.data[0]!],
          }),
        ),
      ]),
    );
    const onError = vi.fn();
    const tables = new PredictionLogTables(lake, { onError });
    const request = queued({
      scored: { inputs: [{ vibration: 1 }], outputs: [[1]], usedFallback: [false] },
    });
    await tables.write("drill", [request]);
    expect(request.rowLog).toBe("dropped");
    expect(onError).toHaveBeenCalledWith(
      expect.stringContaining('rows of "drill"'),
      expect.anything(),
    );
    expect((await readRows("requests__drill"))[0]).toMatchObject({
      request_id: "r-1",
      row_log: "dropped",
    });
  });

  it("compacts a table every optimizeEvery writes", async () => {
    const tables = new PredictionLogTables(lake, { optimizeEvery: 3, keepVersionsMs: 0 });
    for (let i = 0; i < 3; i++)
      await tables.write("drill", [queued({ requestId: `r${i}` }, "none")]);
    expect((await data.versions("requests__drill", { lake: lake.uri })).length).toBe(1);
    expect(await readRows("requests__drill")).toHaveLength(3);
  });
});

describe("PredictionLogReader", () => {
  it("finds logged rows and row logs by request id, and scans a time window", async () => {
    const tables = new PredictionLogTables(lake);
    const at = (iso: string) => Date.parse(iso);
    await tables.write("drill", [
      queued({
        requestId: "a",
        time: at("2026-11-01T00:00:00Z"),
        scored: {
          inputs: [{ vibration: 1 }, { vibration: 2 }],
          outputs: [[1], [2]],
          usedFallback: [false, false],
        },
      }),
      queued({
        requestId: "b",
        time: at("2026-11-03T00:00:00Z"),
        scored: { inputs: [{ vibration: 3 }], outputs: [[3]], usedFallback: [false] },
      }),
      queued(
        {
          requestId: "c",
          scored: { inputs: [{ vibration: 3 }], outputs: [[3]], usedFallback: [false] },
        },
        "sampled-out",
      ),
    ]);
    const reader = new PredictionLogReader(lake);
    const rows = await reader.loggedRows("predictions__drill", ["a", "b", "c", "x'; DROP"]);
    expect([...rows].map(([id, set]) => [id, [...set].sort()])).toEqual([
      ["a", [0, 1]],
      ["b", [0]],
    ]);
    expect(Object.fromEntries(await reader.rowLogs("requests__drill", ["a", "c", "zzz"]))).toEqual({
      a: "logged",
      c: "sampled-out",
    });
    const seen: unknown[] = [];
    const exists = await reader.scan(
      "predictions__drill",
      ["request_id", "ts", "input_vibration"],
      (batch) =>
        seen.push(
          ...batch["request_id"]!.map((id, i) => [
            id,
            batch["ts"]![i],
            batch["input_vibration"]![i],
          ]),
        ),
      at("2026-11-02T00:00:00Z"),
    );
    expect(exists).toBe(true);
    expect(seen).toEqual([["b", at("2026-11-03T00:00:00Z"), 3]]);
    expect(await reader.recent("predictions__drill", 2, ["request_id", "row"])).toEqual({
      request_id: ["a", "b"],
      row: [1, 0],
    });
    expect((await reader.recent("predictions__drill", 10))?.["input_vibration"]).toEqual([1, 2, 3]);
    expect(await reader.recent("predictions__nothing", 10)).toBeUndefined();
    expect(await reader.scan("predictions__nothing", ["ts"], () => {})).toBe(false);
    expect(await reader.columns("predictions__nothing")).toBeUndefined();
  });
});
