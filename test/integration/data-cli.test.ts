// `kiln data`: the CLI ingests files with progress output, refuses bad files with the row and
// column (exit code 1, nothing written), shows versions with the runs that read them, and streams
// a file larger than its own heap limit.
import { execFile } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import * as kiln from "@kiln/kernel-lib";
import { realMlflowUri } from "../support/real-mlflow";

const root = join(__dirname, "..", "..");
const fixtures = join(root, "test", "fixtures", "data");
const stateDir = mkdtempSync(join(tmpdir(), "kiln-data-cli-"));
const lake = join(stateDir, "lake");
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

async function cli(
  args: string[],
  options: { nodeOptions?: string[]; env?: Record<string, string> } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const result = await promisify(execFile)(
      process.execPath,
      [...(options.nodeOptions ?? []), join(root, "server", "dist", "cli.js"), ...args],
      {
        env: { ...process.env, KILN_STATE_DIR: stateDir, KILN_LAKE_URI: "", ...options.env },
        cwd: stateDir,
        maxBuffer: 16 << 20,
      },
    );
    return { code: 0, ...result };
  } catch (error) {
    return error as { code: number; stdout: string; stderr: string };
  }
}

describe("kiln data", () => {
  it("ingests a file into the state dir's lake, printing progress and the new version", async () => {
    const ingested = await cli([
      "data",
      "ingest",
      join(fixtures, "sensors.csv"),
      "--table",
      "sensors",
      "--key",
      "sensor_id",
      "--event-time",
      "measured_at",
      "--tag",
      "raw-2026-11-01",
    ]);
    expect(ingested.stderr).toMatch(/^validating +3 rows +[\d,]+ rows\/s +0\.0 MB \/ 0\.0 MB$/m);
    expect(ingested.stderr).toMatch(/^writing +3 rows/m);
    expect(ingested.stdout.trim()).toBe(
      "sensors version 1: 3 rows appended, 3 rows in the table, tagged raw-2026-11-01",
    );
    expect(ingested.code).toBe(0);
  });

  it("exits non-zero on a bad file, naming the row, line and column, and writes nothing", async () => {
    const bad = await cli([
      "data",
      "ingest",
      join(fixtures, "bad-mixed-types.jsonl"),
      "--table",
      "readings",
      "--key",
      "sensor_id",
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /bad-mixed-types\.jsonl, row 2 \(line 2\), column "temperature": the column holds numbers, but this value is text: "twenty"\. Nothing was written\./,
    );
    expect(await kiln.data.tables({ lake })).toEqual(["sensors"]);
  });

  it("shows versions with their rows, tags and the MLflow runs that read them", async () => {
    const run = await kiln.startRun({ experiment: "data-cli", trackingUri: realMlflowUri() });
    await kiln.data.read("sensors", { lake, lineage: { run } });
    await run.end();
    const shown = await cli(["data", "show", "sensors"], {
      env: { MLFLOW_TRACKING_URI: realMlflowUri() },
    });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("key: sensor_id");
    expect(shown.stdout).toMatch(
      new RegExp(
        `^ +1 +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +3 +raw-2026-11-01 +${run.id} \\(`,
        "m",
      ),
    );
  });

  it("streams a CSV larger than the heap limit of its process", async () => {
    const path = join(stateDir, "large.csv");
    const out = createWriteStream(path);
    out.write(`id,${Array.from({ length: 20 }, (_, j) => `feature_${j}`).join(",")}\n`);
    let bytes = 0;
    for (let i = 0; bytes < 64e6; i++) {
      const line = `${i},${Array.from({ length: 20 }, (_, j) => ((i * 7919 + j * 104729) % 100000) / 1000).join(",")}\n`;
      bytes += line.length;
      if (!out.write(line))
        await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
    await new Promise<void>((resolve) => out.end(() => resolve()));

    const ingested = await cli(["data", "ingest", path, "--table", "large"], {
      // Ingesting by loading the file would need well over 64 MB of heap.
      nodeOptions: ["--max-old-space-size=48"],
    });
    expect(ingested.stderr).not.toMatch(/heap out of memory/);
    expect(ingested.code).toBe(0);
    expect(ingested.stdout).toMatch(/^large version \d+: [\d,]+ rows appended/);
  });
});
