// kiln.data.ingest on real LanceDB tables: every source format, schema rejection that leaves the
// table untouched, upserts that keep the newest event, and batching (bounded memory is shown by
// data-cli.test.ts, which ingests a file larger than its process's heap limit).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableFromArrays, tableToIPC, Table as ArrowTable } from "apache-arrow";
import { afterAll, describe, expect, it } from "vitest";
import * as kiln from "@kiln/kernel-lib";
import {
  Compression,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from "parquet-wasm";

const fixtures = join(__dirname, "..", "fixtures", "data");
const work = mkdtempSync(join(tmpdir(), "kiln-data-ingest-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let lakes = 0;
const newLake = () => join(work, `lake-${++lakes}`);

const sensorsTable = (): ArrowTable =>
  tableFromArrays({
    sensor_id: BigInt64Array.from([1n, 2n, 3n]),
    measured_at: Array.from({ length: 3 }, () => new Date("2026-11-01T08:00:00Z")),
    temperature: Float64Array.from([20, 21.5, NaN]),
    vibration: Float64Array.from([0.12, 0.4, 0.05]),
    running: [true, true, false],
    site: ["Plant A, hall 1", "Plant B", "Plant B"],
  });

const expectedRows = [
  { sensor_id: 1n, temperature: 20, vibration: 0.12, running: true, site: "Plant A, hall 1" },
  { sensor_id: 2n, temperature: 21.5, vibration: 0.4, running: true, site: "Plant B" },
  { sensor_id: 3n, vibration: 0.05, running: false, site: "Plant B" },
];

/** A table's state a failed ingest must leave alone. */
async function snapshot(table: string, lake: string) {
  const tables = await kiln.data.tables({ lake });
  if (!tables.includes(table)) return { exists: false };
  return { exists: true, versions: await kiln.data.versions(table, { lake }) };
}

describe("kiln.data.ingest: formats", () => {
  const sources: [string, () => kiln.IngestSource | Promise<kiln.IngestSource>][] = [
    ["a CSV file", () => join(fixtures, "sensors.csv")],
    ["a JSON Lines file", () => join(fixtures, "sensors.jsonl")],
    [
      "a Parquet file",
      () => {
        const path = join(work, "sensors.parquet");
        const properties = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
        const table = WasmTable.fromIPCStream(tableToIPC(sensorsTable(), "stream"));
        writeFileSync(path, writeParquet(table, properties));
        return path;
      },
    ],
    [
      "an Arrow IPC file",
      () => {
        const path = join(work, "sensors.arrow");
        writeFileSync(path, tableToIPC(sensorsTable(), "file"));
        return path;
      },
    ],
    [
      "in-memory records",
      () => [
        {
          sensor_id: 1,
          measured_at: new Date("2026-11-01T08:00:00Z"),
          temperature: 20,
          vibration: 0.12,
          running: true,
          site: "Plant A, hall 1",
        },
        {
          sensor_id: 2,
          measured_at: "2026-11-01T08:00:00Z",
          temperature: 21.5,
          vibration: 0.4,
          running: true,
          site: "Plant B",
        },
        {
          sensor_id: 3,
          measured_at: "2026-11-01T08:00:00Z",
          vibration: 0.05,
          running: false,
          site: "Plant B",
        },
      ],
    ],
    ["an Arrow table", sensorsTable],
  ];

  for (const [name, makeSource] of sources) {
    it(`loads ${name} into a new table as version 1, typed and readable`, async () => {
      const lake = newLake();
      const source = await makeSource();
      const result = await kiln.data.ingest(source, {
        table: "sensors",
        lake,
        key: "sensor_id",
        eventTime: "measured_at",
        // NaN in the Arrow fixtures stands for the missing temperature: declare nothing, compare values.
      });
      expect(result).toMatchObject({ version: 1, rowsIngested: 3, rowCount: 3, mode: "append" });
      const types = Object.fromEntries(result.columns.map((c) => [c.name, c.type]));
      expect(types).toEqual({
        sensor_id: "int64",
        measured_at: "timestamp",
        temperature: "float64",
        vibration: "float64",
        running: "bool",
        site: "string",
      });
      const rows = await kiln.data.readRows("sensors", { lake, lineage: false });
      expect(rows).toHaveLength(3);
      rows.forEach((row, i) => {
        expect(row).toMatchObject(expectedRows[i]!);
        expect(row["measured_at"]).toBe(Date.parse("2026-11-01T08:00:00Z"));
      });
      const temperature = rows[2]!["temperature"];
      expect(temperature === null || Number.isNaN(temperature)).toBe(true);
    });
  }
});

describe("kiln.data.ingest: rejected input leaves the lake as it was", () => {
  const rejections: {
    name: string;
    source: () => kiln.IngestSource;
    options?: Partial<kiln.IngestOptions>;
    error: new (...args: never[]) => Error;
    fields: Record<string, unknown>;
  }[] = [
    {
      name: "a malformed CSV line (by row and line)",
      source: () => join(fixtures, "bad-malformed.csv"),
      error: kiln.MalformedLineError,
      fields: { row: 2, line: 3 },
    },
    {
      name: "mixed types in a column",
      source: () => join(fixtures, "bad-mixed-types.csv"),
      options: { inferRows: 2 },
      error: kiln.MixedTypesError,
      fields: { row: 3, line: 4, column: "temperature" },
    },
    {
      name: "a value of the wrong declared type",
      source: () => join(fixtures, "sensors.csv"),
      options: { schema: { site: "int64" } },
      error: kiln.TypeMismatchError,
      fields: { row: 1, line: 2, column: "site" },
    },
    {
      name: "a missing key column",
      source: () => join(fixtures, "sensors.csv"),
      options: { key: "asset_id" },
      error: kiln.MissingColumnError,
      fields: { column: "asset_id" },
    },
    {
      name: "a missing required value",
      source: () => [{ sensor_id: 1 }, { sensor_id: null }],
      options: { key: "sensor_id" },
      error: kiln.MissingValueError,
      fields: { row: 2, column: "sensor_id" },
    },
  ];

  for (const { name, source, options, error, fields } of rejections) {
    it(`rejects ${name}: no new table`, async () => {
      const lake = newLake();
      const failure = await kiln.data
        .ingest(source(), { table: "sensors", lake, ...options })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(error);
      expect(failure).toMatchObject(fields);
      expect(await snapshot("sensors", lake)).toEqual({ exists: false });
    });
  }

  it("rejects a bad row in the last batch of a large file: no new version, same rows", async () => {
    const lake = newLake();
    await kiln.data.ingest(join(fixtures, "sensors.csv"), { table: "sensors", lake });
    const before = await snapshot("sensors", lake);
    const path = join(work, "late-bad-row.csv");
    const lines = ["sensor_id,measured_at,temperature,vibration,running,site"];
    for (let i = 0; i < 5000; i++) lines.push(`${i},2026-11-02T00:00:00Z,${i % 50},0.1,true,x`);
    lines.push("5000,2026-11-02T00:00:00Z,hot,0.1,true,x");
    writeFileSync(path, lines.join("\n"));
    const failure = await kiln.data
      .ingest(path, { table: "sensors", lake, batchRows: 1000 })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(kiln.TypeMismatchError);
    expect(failure).toMatchObject({ row: 5001, line: 5002, column: "temperature" });
    expect(await snapshot("sensors", lake)).toEqual(before);
    expect(await kiln.data.readRows("sensors", { lake, lineage: false })).toHaveLength(3);
  });

  it("refuses columns the table does not have, and a key that differs from the table's", async () => {
    const lake = newLake();
    await kiln.data.ingest([{ id: 1, v: 1.5 }], { table: "t", lake, key: "id" });
    await expect(kiln.data.ingest([{ id: 2, w: 1 }], { table: "t", lake })).rejects.toThrow(
      kiln.UnknownColumnError,
    );
    await expect(
      kiln.data.ingest([{ id: 2, v: 1 }], { table: "t", lake, key: "v" }),
    ).rejects.toThrow(/has the key \["id"\], not \["v"\]/);
    expect((await kiln.data.versions("t", { lake })).map((v) => v.version)).toEqual([1]);
  });
});

describe("kiln.data.ingest: modes", () => {
  it("appends, and overwrites as a new version that time travel can still go behind", async () => {
    const lake = newLake();
    await kiln.data.ingest([{ id: 1 }, { id: 2 }], { table: "t", lake });
    const appended = await kiln.data.ingest([{ id: 3 }], { table: "t", lake });
    expect(appended).toMatchObject({ version: 2, rowCount: 3 });
    const overwritten = await kiln.data.ingest([{ id: 9 }], {
      table: "t",
      lake,
      mode: "overwrite",
    });
    expect(overwritten).toMatchObject({ version: 3, rowCount: 1 });
    expect(await kiln.data.readRows("t", { lake, lineage: false })).toEqual([{ id: 9n }]);
    expect(await kiln.data.readRows("t", { lake, version: 2, lineage: false })).toHaveLength(3);
  });

  it("upserts by key keeping the newest event time, whatever order events arrive in", async () => {
    const lake = newLake();
    const at = (hour: number) => `2026-11-01T${String(hour).padStart(2, "0")}:00:00Z`;
    await kiln.data.ingest(
      [
        { sensor: "a", at: at(10), value: 1 },
        { sensor: "b", at: at(10), value: 1 },
      ],
      { table: "readings", lake, key: "sensor", eventTime: "at" },
    );
    const result = await kiln.data.ingest(
      [
        { sensor: "a", at: at(8), value: 2 }, // older than the stored row: ignored
        { sensor: "b", at: at(12), value: 3 }, // newer: replaces it
        { sensor: "c", at: at(9), value: 4 }, // new key: inserted
        { sensor: "c", at: at(11), value: 5 }, // a newer duplicate in the same ingest wins…
        { sensor: "c", at: at(7), value: 6 }, // …over an older one that arrives after it
      ],
      { table: "readings", lake, mode: "upsert" },
    );
    expect(result).toMatchObject({ version: 2, rowCount: 3, rowsIngested: 5 });
    const rows = await kiln.data.readRows("readings", { lake, lineage: false });
    const byKey = Object.fromEntries(rows.map((r) => [r["sensor"], [r["at"], r["value"]]]));
    expect(byKey).toEqual({
      a: [Date.parse(at(10)), 1n],
      b: [Date.parse(at(12)), 3n],
      c: [Date.parse(at(11)), 5n],
    });
  });

  it("needs a key to upsert", async () => {
    await expect(
      kiln.data.ingest([{ id: 1 }], { table: "t", lake: newLake(), mode: "upsert" }),
    ).rejects.toThrow(kiln.IngestOptionsError);
  });
});

describe("kiln.data.ingest: large sources", () => {
  it("widens an integer column that meets a decimal late, in rows already converted too", async () => {
    const lake = newLake();
    const path = join(work, "late-decimal.csv");
    const lines = ["id,reading"];
    for (let i = 0; i < 3000; i++) lines.push(`${i},${i % 7}`);
    lines.push("3000,2.5");
    writeFileSync(path, lines.join("\n"));
    const result = await kiln.data.ingest(path, {
      table: "late",
      lake,
      batchRows: 1000,
      inferRows: 10,
    });
    expect(result.columns).toContainEqual({ name: "reading", type: "float64", nullable: true });
    const rows = await kiln.data.readRows("late", { lake, lineage: false });
    expect(rows.map((r) => r["reading"]).slice(-3)).toEqual([2998 % 7, 2999 % 7, 2.5]);
  });

  it("writes a source larger than one batch as one committed version", async () => {
    const lake = newLake();
    const path = join(work, "batched.csv");
    const lines = ["id,value"];
    for (let i = 0; i < 2500; i++) lines.push(`${i},${i / 4}`);
    writeFileSync(path, lines.join("\n"));
    const phases = new Set<string>();
    const result = await kiln.data.ingest(path, {
      table: "batched",
      lake,
      batchRows: 1000,
      onProgress: (p) => phases.add(p.phase),
    });
    expect(phases).toEqual(new Set(["validating", "writing"]));
    // Three LanceDB writes, one committed version: readers never see a partial ingest.
    expect(result.version).toBe(3);
    expect(await kiln.data.versions("batched", { lake })).toEqual([
      expect.objectContaining({ version: 3, rows: 2500 }),
    ]);
    await expect(kiln.data.read("batched", { lake, version: 2, lineage: false })).rejects.toThrow(
      kiln.VersionNotFoundError,
    );
  });
});
