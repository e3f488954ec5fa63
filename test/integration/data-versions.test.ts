// Versions and tags of lake tables: every ingest is a version, reads pin one by number or tag,
// and unknown tables, versions and tags are errors that name what exists.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@lancedb/lancedb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as kiln from "@kiln/kernel-lib";

const lake = mkdtempSync(join(tmpdir(), "kiln-data-versions-"));
afterAll(() => rmSync(lake, { recursive: true, force: true }));

const ids = async ({ table = "batches", ...options }: kiln.ReadOptions & { table?: string } = {}) =>
  (await kiln.data.readRows(table, { lake, lineage: false, ...options })).map((r) => r["id"]);

describe("versions and tags", () => {
  beforeAll(async () => {
    await kiln.data.ingest([{ id: 1 }], { table: "batches", lake, tag: "raw-2026-11-01" });
    await kiln.data.ingest([{ id: 2 }], { table: "batches", lake, tag: "raw-2026-11-02" });
    await kiln.data.ingest([{ id: 3 }], { table: "batches", lake });
  });

  it("reads the newest version by default", async () => {
    expect(await ids()).toEqual([1n, 2n, 3n]);
  });

  it("travels back by version number and by tag", async () => {
    expect(await ids({ version: 1 })).toEqual([1n]);
    expect(await ids({ tag: "raw-2026-11-02" })).toEqual([1n, 2n]);
  });

  it("lists versions with their time, row count and tags", async () => {
    const versions = await kiln.data.versions("batches", { lake });
    expect(versions.map(({ version, rows, tags }) => ({ version, rows, tags }))).toEqual([
      { version: 1, rows: 1, tags: ["raw-2026-11-01"] },
      { version: 2, rows: 2, tags: ["raw-2026-11-02"] },
      { version: 3, rows: 3, tags: [] },
    ]);
    expect(versions.every((v) => v.time instanceof Date)).toBe(true);
  });

  it("tags an existing version later, and keeps tag names for good", async () => {
    expect(await kiln.data.tag("batches", "golden", 2, { lake })).toBe(2);
    expect(await ids({ tag: "golden" })).toEqual([1n, 2n]);
    await expect(kiln.data.tag("batches", "golden", 3, { lake })).rejects.toThrow(
      /already has a tag "golden" \(version 2\)/,
    );
    await expect(
      kiln.data.ingest([{ id: 4 }], { table: "batches", lake, tag: "raw-2026-11-01" }),
    ).rejects.toThrow(kiln.IngestOptionsError);
    expect((await kiln.data.versions("batches", { lake })).at(-1)!.version).toBe(3);
  });

  it("names what exists when a table, version or tag does not", async () => {
    const table = await kiln.data.read("sensorz", { lake }).catch((e: unknown) => e);
    expect(table).toBeInstanceOf(kiln.TableNotFoundError);
    expect(table).toMatchObject({ table: "sensorz", tables: ["batches"] });

    const version = await kiln.data.read("batches", { lake, version: 7 }).catch((e: unknown) => e);
    expect(version).toBeInstanceOf(kiln.VersionNotFoundError);
    expect((version as Error).message).toMatch(/no version 7; its versions are: 1, 2, 3/);

    const tag = await kiln.data.read("batches", { lake, tag: "raw-1999" }).catch((e: unknown) => e);
    expect(tag).toBeInstanceOf(kiln.TagNotFoundError);
    expect((tag as kiln.TagNotFoundError).tags).toEqual([
      "golden",
      "raw-2026-11-01",
      "raw-2026-11-02",
    ]);
  });
});

describe("an ingest that did not finish", () => {
  it("stays invisible, and the next ingest continues from the last committed version", async () => {
    await kiln.data.ingest([{ id: 1 }, { id: 2 }], { table: "unfinished", lake });
    // What a crash between two groups leaves: LanceDB versions after the last commit.
    const table = await (await connect(lake)).openTable("unfinished");
    await table.add([{ id: 99 }]);
    expect(await table.countRows()).toBe(3);

    expect(await ids({ table: "unfinished" })).toEqual([1n, 2n]);
    expect((await kiln.data.versions("unfinished", { lake })).map((v) => v.version)).toEqual([1]);

    const next = await kiln.data.ingest([{ id: 3 }], { table: "unfinished", lake });
    expect(next.rowCount).toBe(3);
    expect(await ids({ table: "unfinished" })).toEqual([1n, 2n, 3n]);
  });
});
