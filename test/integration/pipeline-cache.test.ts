// What the cache reuses and what overrides it: `cache=false` on a step, and `force` on a run.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileNotebookFile, runPipeline, type PipelineRunRecord } from "@kiln/kernel-lib";
import { tslabNotebook } from "../support/tslab-notebook";

const work = mkdtempSync(join(tmpdir(), "kiln-cache-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const stateDir = join(work, ".kiln");
const notebook = join(work, "sensors.ipynb");
writeFileSync(
  notebook,
  tslabNotebook([
    // Reads "live" data, so it must run every time; what it reads did not change here.
    "// @kiln step=read cache=false\nconst readings = [3, 1, 2];",
    "// @kiln step=sort\nconst sorted = [...readings].sort((a, b) => a - b);",
  ]),
);

async function run(force = false): Promise<Record<string, string>> {
  const pipeline = await compileNotebookFile(notebook, { stateDir, lockfileHash: "cache-test" });
  const record: PipelineRunRecord = await runPipeline(pipeline, { stateDir, force });
  expect(record.status).toBe("succeeded");
  return Object.fromEntries(
    Object.entries(record.steps).map(([name, step]) => [name, step.status]),
  );
}

describe("the step cache", () => {
  it("always runs a cache=false step, and reuses downstream steps whose inputs did not change", async () => {
    expect(await run()).toEqual({ read: "succeeded", sort: "succeeded" });
    expect(await run()).toEqual({ read: "succeeded", sort: "cached" });
  });

  it("runs every step again with force", async () => {
    expect(await run(true)).toEqual({ read: "succeeded", sort: "succeeded" });
  });
});
