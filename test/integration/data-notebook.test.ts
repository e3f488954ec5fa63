// kiln.data in JupyterLab's kernel: tslab compiles cells to CommonJS and loads @kiln/kernel-lib
// (its dist build) with require; an ingest and a read work there, and the read is recorded on
// the notebook's interactive MLflow run.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";
import { tslabNotebook } from "../support/tslab-notebook";

const root = join(__dirname, "..", "..");
// Inside the checkout (under the ignored .kiln/), so the kernel resolves @kiln/kernel-lib.
mkdirSync(join(root, ".kiln"), { recursive: true });
const work = mkdtempSync(join(root, ".kiln", "test-data-notebook-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const mlflow = realMlflowClient();

describe("kiln.data in a tslab notebook", () => {
  it("ingests, reads, and records the read on the interactive run", async () => {
    const notebook = join(work, "lake.ipynb");
    writeFileSync(
      notebook,
      tslabNotebook([
        'import * as kiln from "@kiln/kernel-lib";',
        [
          'const ingested = await kiln.data.ingest([{ id: 1, temp: 20.5 }, { id: 2, temp: 21 }], { table: "plant", key: "id" });',
          'const table = await kiln.data.read("plant");',
          "await kiln.log.flush();",
          'console.log(`version ${ingested.version}, ${table.numRows} rows, ${table.schema.fields.map((f) => f.name).join(",")}`);',
        ].join("\n"),
      ]),
    );
    await promisify(execFile)(
      join(root, ".venv", "bin", "jupyter"),
      [
        "nbconvert",
        "--to=notebook",
        "--execute",
        "--ExecutePreprocessor.kernel_name=tslab",
        "--ExecutePreprocessor.timeout=120",
        `--output-dir=${work}`,
        "--output=executed.ipynb",
        notebook,
      ],
      {
        cwd: work,
        env: {
          ...process.env,
          MLFLOW_TRACKING_URI: realMlflowUri(),
          KILN_EXPERIMENT: "data-notebook",
          KILN_STATE_DIR: join(work, "state"),
          KILN_LAKE_URI: "",
        },
      },
    );
    const executed = JSON.parse(readFileSync(join(work, "executed.ipynb"), "utf8")) as {
      cells: { outputs?: { output_type: string; text?: string | string[] }[] }[];
    };
    const outputs = executed.cells.flatMap((c) => c.outputs ?? []);
    expect(outputs.filter((o) => o.output_type === "error")).toEqual([]);
    expect(outputs.map((o) => [o.text].flat().join("")).join("")).toContain(
      "version 1, 2 rows, id,temp",
    );

    const experiment = await mlflow.getExperimentByName("data-notebook");
    const { items } = await mlflow.searchRuns({ experimentIds: [experiment!.experimentId] });
    const sources = items.flatMap((run) =>
      run.inputs.datasetInputs.map((input) => JSON.parse(input.dataset.source) as unknown),
    );
    expect(sources).toEqual([{ uri: join(work, "state", "lake"), table: "plant", version: 1 }]);
  });
});
