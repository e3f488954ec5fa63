// Point-in-time training sets on real lake tables: each entity row gets the latest feature
// values at or before its time (event time decides, not ingestion order), within the TTL, and
// the set names the table version it read so it can be rebuilt exactly.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Table, TimestampMillisecond, vectorFromArray } from "apache-arrow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as kiln from "@kiln/kernel-lib";

const lake = mkdtempSync(join(tmpdir(), "kiln-features-training-set-"));
afterAll(() => rmSync(lake, { recursive: true, force: true }));

const at = (time: string) => `2026-11-01T${time}:00Z`;
const HOUR = 3_600_000;
const table = "sensor_features";

// Hand-checked fixture. Version 1 holds s1's 12:00 row before its 10:00 row, and s2 at 09:00;
// version 2 brings s1's 11:00 reading late, and a second s2 reading at the same 09:00.
const entities = [
  { sensor_id: 1, ts: at("09:30"), label: 0 }, // before s1's first reading → null
  { sensor_id: 1, ts: at("10:00"), label: 1 }, // a reading at exactly that time → 20
  { sensor_id: 1, ts: at("11:30"), label: 0 }, // the late 11:00 reading → 21
  { sensor_id: 1, ts: at("13:00"), label: 1 }, // 12:00, though ingested first → 22
  { sensor_id: 2, ts: at("09:00"), label: 0 }, // two readings at 09:00: the one written last → 31
  { sensor_id: 2, ts: at("11:00"), label: 1 }, // 09:00 is exactly the 2 h TTL old → 31
  { sensor_id: 2, ts: at("12:00"), label: 0 }, // 09:00 is 3 h old: past the TTL → null
  { sensor_id: 3, ts: at("12:00"), label: 1 }, // a sensor without features → null
];

const column = (set: kiln.TrainingSet, name: string) => set.table.getChild(name)!.toArray();
const temps = (set: kiln.TrainingSet) => [...set.table.getChild("temp")!].map((v) => v as unknown);

describe("getTrainingSet", () => {
  beforeAll(async () => {
    await kiln.data.ingest(
      [
        { sensor_id: 1, ts: at("12:00"), temp: 22.0, state: "hot" },
        { sensor_id: 1, ts: at("10:00"), temp: 20.0, state: "ok" },
        { sensor_id: 2, ts: at("09:00"), temp: 30.0, state: "ok" },
      ],
      { table, lake, key: "sensor_id", eventTime: "ts", schema: { temp: "float64" } },
    );
    await kiln.data.ingest(
      [
        { sensor_id: 1, ts: at("11:00"), temp: 21.0, state: "ok" },
        { sensor_id: 2, ts: at("09:00"), temp: 31.0, state: "warm" },
      ],
      { table, lake },
    );
  });

  it("joins the latest values at or before each entity's time, within the TTL", async () => {
    const set = await kiln.data.getTrainingSet(entities, {
      table,
      features: ["temp", "state"],
      ttl: 2 * HOUR,
      lake,
      lineage: false,
    });
    expect(temps(set)).toEqual([null, 20, 21, 22, 31, 31, null, null]);
    expect([...set.table.getChild("state")!]).toEqual([
      null,
      "ok",
      "ok",
      "hot",
      "warm",
      "warm",
      null,
      null,
    ]);
    expect(set.features).toEqual(["temp", "state"]);
  });

  it("keeps the entity columns, keys typed like the table's and times as UTC timestamps", async () => {
    const set = await kiln.data.getTrainingSet(entities, {
      table,
      features: ["temp"],
      lake,
      lineage: false,
    });
    expect(set.table.schema.fields.map((f) => f.name)).toEqual([
      "sensor_id",
      "ts",
      "label",
      "temp",
    ]);
    expect([...column(set, "sensor_id")]).toEqual([1n, 1n, 1n, 1n, 2n, 2n, 2n, 3n]);
    expect(set.table.getChild("ts")!.get(1)).toBe(Date.parse(at("10:00")));
    expect(String(set.table.getChild("temp")!.type)).toBe("Float64");
  });

  it("without a TTL, any older value counts", async () => {
    const set = await kiln.data.getTrainingSet(entities, {
      table,
      features: ["temp"],
      lake,
      lineage: false,
    });
    expect(temps(set)).toEqual([null, 20, 21, 22, 31, 31, 31, null]);
  });

  it("takes the entity rows as an Arrow table too", async () => {
    const arrowEntities = new Table({
      sensor_id: vectorFromArray([2n, 1n]),
      ts: vectorFromArray(
        [Date.parse(at("10:00")), Date.parse(at("11:59"))],
        new TimestampMillisecond(),
      ),
    });
    const set = await kiln.data.getTrainingSet(arrowEntities, {
      table,
      features: ["temp"],
      lake,
      lineage: false,
    });
    expect(temps(set)).toEqual([31, 21]);
  });

  it("records the version it read, and rebuilds the same set from it after new data", async () => {
    const first = await kiln.data.getTrainingSet(entities, {
      table,
      features: ["temp"],
      lake,
      lineage: false,
    });
    expect(first.reads).toEqual([{ lake, table, version: 2 }]);
    await kiln.data.ingest([{ sensor_id: 3, ts: at("11:00"), temp: 40.0, state: "ok" }], {
      table,
      lake,
    });
    const rebuilt = await kiln.data.getTrainingSet(entities, {
      table,
      features: ["temp"],
      version: first.reads[0]!.version,
      lake,
      lineage: false,
    });
    expect(temps(rebuilt)).toEqual(temps(first));
    const latest = await kiln.data.getTrainingSet(entities, {
      table,
      features: ["temp"],
      lake,
      lineage: false,
    });
    expect(latest.reads[0]!.version).toBe(3);
    expect(temps(latest).at(-1)).toBe(40);
  });

  it("reads a pinned version or tag: before the late reading arrived, 11:30 saw 10:00", async () => {
    await kiln.data.tag(table, "features-v1", 1, { lake });
    const set = await kiln.data.getTrainingSet(entities, {
      table,
      features: ["temp"],
      tag: "features-v1",
      lake,
      lineage: false,
    });
    expect(temps(set)).toEqual([null, 20, 20, 22, 30, 30, 30, null]);
    expect(set.reads).toEqual([{ lake, table, version: 1, tag: "features-v1" }]);
  });

  it("gives tensor input for tfjs", async () => {
    const set = await kiln.data.getTrainingSet(entities.slice(0, 3), {
      table,
      features: ["temp"],
      lake,
      lineage: false,
    });
    const { values, shape } = kiln.toTensorInput(set.table, [...set.features, "label"], {
      missing: -1,
    });
    expect(shape).toEqual([3, 2]);
    expect([...values]).toEqual([-1, 0, 20, 1, 21, 0]);
  });

  it("says what is wrong with the options or the entity rows", async () => {
    const attempt = (rows: Record<string, unknown>[], options: Partial<kiln.TrainingSetOptions>) =>
      kiln.data
        .getTrainingSet(rows, { table, features: ["temp"], lake, lineage: false, ...options })
        .catch((error: unknown) => error);

    const unknownFeature = await attempt(entities, { features: ["pressure"] });
    expect(unknownFeature).toBeInstanceOf(kiln.FeatureOptionsError);
    expect(String(unknownFeature)).toMatch(
      /no column "pressure"; its columns are: sensor_id, ts, temp, state/,
    );

    expect(await attempt(entities, { features: ["ts"] })).toMatchObject({
      message: expect.stringMatching(/"ts" is a join column/),
    });
    expect(await attempt(entities, { ttl: -1 })).toBeInstanceOf(kiln.FeatureOptionsError);
    expect(await attempt([{ ts: at("10:00") }], {})).toMatchObject({
      message: expect.stringMatching(/entity rows have no column "sensor_id"/),
    });
    const badTime = await attempt([{ sensor_id: 1, ts: "yesterday" }], {});
    expect(badTime).toBeInstanceOf(kiln.EntityRowError);
    expect(badTime).toMatchObject({ row: 0, column: "ts" });
    const missingKey = await attempt([{ sensor_id: 1, ts: at("10:00") }, { ts: at("10:00") }], {});
    expect(missingKey).toMatchObject({ row: 1, column: "sensor_id" });
    expect(await attempt(entities, { table: "sensorz" })).toBeInstanceOf(kiln.TableNotFoundError);
    expect(await attempt(entities, { version: 9 })).toBeInstanceOf(kiln.VersionNotFoundError);
  });
});
