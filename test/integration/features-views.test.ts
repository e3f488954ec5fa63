// Feature views on real lake tables: materialization transforms only the source rows not yet
// processed, remembers how far it got in the lake, starts over for a new definition version,
// and training sets read the view point-in-time with its key, event time and TTL.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as kiln from "@kiln/kernel-lib";

const lake = mkdtempSync(join(tmpdir(), "kiln-features-views-"));
afterAll(() => rmSync(lake, { recursive: true, force: true }));

const at = (time: string) => `2026-11-01T${time}:00Z`;
const HOUR = 3_600_000;

// What the transform was handed, call by call, so the tests can see what was reprocessed.
const seen: number[][] = [];
const fahrenheit = (version: number) =>
  kiln.data.defineFeatureView({
    name: "sensor_health",
    version,
    key: "sensor_id",
    eventTime: "ts",
    sources: ["readings"],
    ttl: 2 * HOUR,
    schema: { temp_f: "float64" },
    transform: (rows) => {
      seen.push(rows.map((row) => Number(row["temp"])));
      return rows.map((row) => ({
        sensor_id: row["sensor_id"],
        ts: row["ts"],
        temp_f: (Number(row["temp"]) * 9) / 5 + 32 + (version - 1) * 1000,
      }));
    },
  });

const temps = (set: kiln.TrainingSet) =>
  [...set.table.getChild("temp_f")!].map((v) => v as unknown);

describe("feature views", () => {
  beforeAll(async () => {
    await kiln.data.ingest(
      [
        { sensor_id: 1, ts: at("10:00"), temp: 20 },
        { sensor_id: 2, ts: at("10:00"), temp: 30 },
        { sensor_id: 1, ts: at("12:00"), temp: 25 },
      ],
      { table: "readings", lake, key: "sensor_id", eventTime: "ts", schema: { temp: "float64" } },
    );
  });

  it("materializes every source row the first time", async () => {
    const result = await kiln.data.materialize(fahrenheit(1), { lake, lineage: false });
    expect(result).toMatchObject({ view: "sensor_health", version: 1, rows: 3 });
    expect(result.sources).toEqual([{ table: "readings", from: undefined, to: 1, rows: 3 }]);
    expect(seen.at(-1)).toEqual([20, 30, 25]);
    const rows = await kiln.data.readRows("sensor_health", { lake, lineage: false });
    expect(rows.map((r) => r["temp_f"])).toEqual([68, 86, 77]);
  });

  it("does nothing when no source has a new version", async () => {
    const calls = seen.length;
    const result = await kiln.data.materialize(fahrenheit(1), { lake, lineage: false });
    expect(result).toMatchObject({ version: undefined, rows: 0 });
    expect(result.sources).toEqual([{ table: "readings", from: 1, to: 1, rows: 0 }]);
    expect(seen.length).toBe(calls);
  });

  it("transforms only the rows of new source versions, late ones included", async () => {
    await kiln.data.ingest([{ sensor_id: 1, ts: at("11:00"), temp: 22.5 }], {
      table: "readings",
      lake,
    });
    await kiln.data.ingest([{ sensor_id: 2, ts: at("13:00"), temp: 35 }], {
      table: "readings",
      lake,
    });
    const result = await kiln.data.materialize(fahrenheit(1), { lake, lineage: false });
    expect(result.sources).toEqual([{ table: "readings", from: 1, to: 3, rows: 2 }]);
    expect(seen.at(-1)).toEqual([22.5, 35]);
    expect(result.version).toBe(2);
    expect(await kiln.data.versions("sensor_health", { lake })).toHaveLength(2);
  });

  it("serves point-in-time training sets with the view's key, event time and TTL", async () => {
    const entities = [
      { sensor_id: 1, ts: at("11:30") }, // the late 11:00 reading: 22.5 °C
      { sensor_id: 1, ts: at("12:00") }, // 25 °C
      { sensor_id: 2, ts: at("12:30") }, // 10:00 is 2.5 h old, past the view's 2 h TTL
      { sensor_id: 2, ts: at("13:00") }, // 35 °C
    ];
    const view = fahrenheit(1);
    const set = await kiln.data.getTrainingSet(entities, {
      view,
      features: ["temp_f"],
      lake,
      lineage: false,
    });
    expect(temps(set)).toEqual([72.5, 77, null, 95]);
    expect(set.reads).toEqual([{ lake, table: "sensor_health", version: 2 }]);
    const noTtl = await kiln.data.getTrainingSet(entities, {
      view,
      features: ["temp_f"],
      ttl: 24 * HOUR,
      lake,
      lineage: false,
    });
    expect(temps(noTtl)[2]).toBe(86);
  });

  it("looks up the latest values per key online, and sees new versions", async () => {
    const view = fahrenheit(1);
    const now = at("13:30"); // within the view's 2 h TTL of every key's latest reading
    const first = await kiln.data.getOnlineFeatures(view, [{ sensor_id: 1 }, 2, 3n, [1]], {
      lake,
      now,
    });
    expect(first).toEqual({
      version: 2,
      rows: [{ temp_f: 77 }, { temp_f: 95 }, null, { temp_f: 77 }],
      expired: [],
    });
    await kiln.data.ingest([{ sensor_id: 3, ts: at("14:00"), temp: 10 }], {
      table: "readings",
      lake,
    });
    await kiln.data.materialize(view, { lake, lineage: false });
    const cached = await kiln.data.getOnlineFeatures(view, [3], { lake, now });
    expect(cached).toEqual({ version: 2, rows: [null], expired: [] });
    const fresh = await kiln.data.getOnlineFeatures(view, [3], {
      lake,
      maxStalenessMs: 0,
      now: at("14:00"),
    });
    expect(fresh).toEqual({ version: 3, rows: [{ temp_f: 50 }], expired: [] });
  });

  it("serves no online value older than the view's TTL: a sensor that stopped reporting is null", async () => {
    const view = fahrenheit(1);
    // At 14:30 sensor 1's latest reading (12:00) is 2.5 h old, past the 2 h TTL; sensor 2's
    // (13:00) and sensor 3's (14:00) are not.
    const late = await kiln.data.getOnlineFeatures(view, [1, 2, 3], { lake, now: at("14:30") });
    expect(late).toMatchObject({ rows: [null, { temp_f: 95 }, { temp_f: 50 }], expired: [0] });
    const longer = await kiln.data.getOnlineFeatures(view, [1], {
      lake,
      now: at("14:30"),
      ttl: 3 * HOUR,
    });
    expect(longer).toMatchObject({ rows: [{ temp_f: 77 }], expired: [] });
    await expect(kiln.data.getOnlineFeatures(view, [1], { lake, ttl: -1 })).rejects.toThrow(
      /ttl -1 is not a duration/,
    );
  });

  it("starts over for a new definition version", async () => {
    const result = await kiln.data.materialize(fahrenheit(2), { lake, lineage: false });
    expect(result.sources).toEqual([{ table: "readings", from: undefined, to: 4, rows: 6 }]);
    expect(seen.at(-1)).toEqual([20, 30, 25, 22.5, 35, 10]);
    const rows = await kiln.data.readRows("sensor_health", { lake, lineage: false });
    expect(rows.map((r) => r["temp_f"])).toEqual([1068, 1086, 1077, 1072.5, 1095, 1050]);
  });

  it("refuses a definition it cannot materialize, and a training set of a view and a table", async () => {
    expect(() =>
      kiln.data.defineFeatureView({
        name: "loop",
        key: [],
        eventTime: "ts",
        sources: ["loop"],
        transform: (rows) => rows,
      }),
    ).toThrow(/"loop" cannot be defined: it has no key column; it reads its own table/);
    await expect(
      kiln.data.getTrainingSet([], {
        view: fahrenheit(1),
        table: "readings",
        features: ["temp"],
        lake,
      }),
    ).rejects.toThrow(/one feature view or one table; both were given/);
  });
});

describe("materializing an upserted source", () => {
  it("transforms the rows an upsert changed or added, not the ones it left alone", async () => {
    await kiln.data.ingest(
      [
        { machine_id: "m1", ts: at("08:00"), rpm: 1000 },
        { machine_id: "m2", ts: at("08:00"), rpm: 2000 },
      ],
      { table: "machines", lake, key: "machine_id", eventTime: "ts", schema: { rpm: "float64" } },
    );
    const handed: string[][] = [];
    const view = kiln.data.defineFeatureView({
      name: "machine_load",
      key: "machine_id",
      eventTime: "ts",
      sources: ["machines"],
      transform: (rows) => {
        handed.push(rows.map((row) => `${String(row["machine_id"])}:${Number(row["rpm"])}`));
        return rows.map((row) => ({ ...row, load: Number(row["rpm"]) / 3000 }));
      },
    });
    await kiln.data.materialize(view, { lake, lineage: false });
    await kiln.data.ingest(
      [
        { machine_id: "m1", ts: at("09:00"), rpm: 1500 },
        { machine_id: "m3", ts: at("09:00"), rpm: 3000 },
      ],
      { table: "machines", lake, mode: "upsert" },
    );
    await kiln.data.materialize(view, { lake, lineage: false });
    expect(handed).toEqual([
      ["m1:1000", "m2:2000"],
      ["m1:1500", "m3:3000"],
    ]);
    const history = await kiln.data.readRows("machine_load", { lake, lineage: false });
    expect(
      history.map((row) => `${String(row["machine_id"])}:${Number(row["rpm"])}`).sort(),
    ).toEqual(["m1:1000", "m1:1500", "m2:2000", "m3:3000"]);
  });
});

describe("a large source", () => {
  it("materializes more rows than a call could take as arguments (200,000)", async () => {
    const start = Date.UTC(2026, 10, 1);
    await kiln.data.ingest(
      Array.from({ length: 200_000 }, (_, i) => ({
        id: i,
        ts: new Date(start + i * 1000).toISOString(),
        x: i % 7,
      })),
      { table: "big_source", lake, key: "id", eventTime: "ts", schema: { x: "float64" } },
    );
    const view = kiln.data.defineFeatureView({
      name: "big_view",
      key: "id",
      eventTime: "ts",
      sources: ["big_source"],
      transform: (rows) => rows,
    });
    const result = await kiln.data.materialize(view, { lake, lineage: false });
    expect(result.rows).toBe(200_000);
  });
});
