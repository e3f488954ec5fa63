// A pipeline step that reads a lake table records the read on its own nested MLflow run: the
// model trained there points to the exact table version it saw.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as kiln from "@kiln/kernel-lib";
import { compileNotebookFile } from "../../kernel-lib/src/pipeline/compiler";
import { runPipeline } from "../../kernel-lib/src/pipeline/executor";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";
import { tslabNotebook } from "../support/tslab-notebook";

const root = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "kiln-data-pipeline-"));
const lake = join(work, "lake");
const mlflow = realMlflowClient();
afterAll(() => rmSync(work, { recursive: true, force: true }));

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

describe("lineage from a pipeline step", () => {
  it("records the table version a step read on the step's nested run", async () => {
    await kiln.data.ingest([{ id: 1 }, { id: 2 }], { table: "plant", lake, tag: "raw-2026-11-01" });
    await kiln.data.ingest([{ id: 3 }], { table: "plant", lake });
    const notebook = join(work, "train.ipynb");
    writeFileSync(
      notebook,
      tslabNotebook([
        'import * as kiln from "@kiln/kernel-lib";',
        [
          "// @kiln step=train",
          `const rows = await kiln.data.read("plant", { lake: ${JSON.stringify(lake)}, tag: "raw-2026-11-01" });`,
          'kiln.log.metric("rows", rows.numRows);',
        ].join("\n"),
      ]),
    );
    const pipeline = await compileNotebookFile(notebook, { stateDir: join(work, ".kiln") });
    const record = await runPipeline(pipeline, {
      stateDir: join(work, ".kiln"),
      trackingUri: realMlflowUri(),
    });
    expect(record.status).toBe("succeeded");

    const parent = await mlflow.getRun(record.mlflowRunId!);
    const { items } = await mlflow.searchRuns({
      experimentIds: [parent.info.experimentId],
      filter: `tags.mlflow.parentRunId = '${parent.info.runId}'`,
    });
    const step = items.find((run) => run.data.tags["kiln.step"] === "train")!;
    expect(step.data.metrics["rows"]).toBe(2);
    expect(
      step.inputs.datasetInputs.map((input) => JSON.parse(input.dataset.source) as unknown),
    ).toEqual([{ uri: lake, table: "plant", version: 1, tag: "raw-2026-11-01" }]);

    const description = await kiln.data.describe("plant", { lake, trackingUri: realMlflowUri() });
    expect(description.versions.map((v) => v.runs?.map((r) => r.runId))).toEqual([
      [step.info.runId],
      [],
    ]);
  });
});
