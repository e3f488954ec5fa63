// The example notebook is both a notebook and a pipeline: it runs top to bottom in the tslab
// kernel registered in .venv (loading @kiln/kernel-lib with require, as tslab compiles cells to
// CommonJS; training on the native backend; kiln.log going to an interactive MLflow run).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";

const root = join(__dirname, "..", "..");
const mlflow = realMlflowClient();
const outDir = mkdtempSync(join(tmpdir(), "kiln-notebook-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

type Output = {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
};
const textOf = (o: Output) => [o.text, o.data?.["text/plain"]].flat().filter(Boolean).join("");

describe("notebooks/getting-started.ipynb in JupyterLab's kernel", () => {
  it("runs top to bottom under tslab and logs to an interactive MLflow run", async () => {
    await promisify(execFile)(
      join(root, ".venv", "bin", "jupyter"),
      [
        "nbconvert",
        "--to=notebook",
        "--execute",
        "--ExecutePreprocessor.kernel_name=tslab",
        "--ExecutePreprocessor.timeout=120",
        `--output-dir=${outDir}`,
        join(root, "notebooks", "getting-started.ipynb"),
      ],
      {
        env: {
          ...process.env,
          MLFLOW_TRACKING_URI: realMlflowUri(),
          KILN_EXPERIMENT: "getting-started-interactive",
        },
        cwd: join(root, "notebooks"),
      },
    );
    const executed = JSON.parse(readFileSync(join(outDir, "getting-started.ipynb"), "utf8")) as {
      cells: { cell_type: string; outputs?: Output[] }[];
    };
    const outputs = executed.cells.flatMap((c) => c.outputs ?? []);
    expect(outputs.filter((o) => o.output_type === "error")).toEqual([]);
    expect(outputs.map(textOf).join("\n")).toMatch(/y ≈ 3\.\d\dx \+ 2\.\d\d/);

    const experiment = await mlflow.getExperimentByName("getting-started-interactive");
    const { items: runs } = await mlflow.searchRuns({ experimentIds: [experiment!.experimentId] });
    expect(runs).toHaveLength(1);
    const loss = await mlflow.getMetricHistory(runs[0]!.info.runId, "loss");
    expect(loss.map((m) => m.step).sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    expect(runs[0]!.data.metrics["weight"]).toBeCloseTo(3, 0);
  });
});
