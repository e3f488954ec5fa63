// The example notebook is both a notebook and a pipeline: it runs top to bottom in the tslab
// kernel registered in .venv (loading @kiln/kernel-lib with require, as tslab compiles cells to
// CommonJS; training on the native backend; kiln.log going to an interactive MLflow run).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { executeNotebook } from "../support/example-notebook";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";

const root = join(__dirname, "..", "..");
const mlflow = realMlflowClient();
const outDir = mkdtempSync(join(tmpdir(), "kiln-notebook-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("notebooks/getting-started.ipynb in JupyterLab's kernel", () => {
  it("runs top to bottom under tslab and logs to an interactive MLflow run", async () => {
    const { outputs, text } = await executeNotebook(
      join(root, "notebooks", "getting-started.ipynb"),
      {
        outputDir: outDir,
        env: {
          ...process.env,
          MLFLOW_TRACKING_URI: realMlflowUri(),
          KILN_EXPERIMENT: "getting-started-interactive",
        },
        cellTimeoutSeconds: 120,
      },
    );
    expect(outputs.filter((o) => o.output_type === "error")).toEqual([]);
    expect(text).toMatch(/y ≈ 3\.\d\dx \+ 2\.\d\d/);

    const experiment = await mlflow.getExperimentByName("getting-started-interactive");
    const { items: runs } = await mlflow.searchRuns({ experimentIds: [experiment!.experimentId] });
    expect(runs).toHaveLength(1);
    const loss = await mlflow.getMetricHistory(runs[0]!.info.runId, "loss");
    expect(loss.map((m) => m.step).sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    expect(runs[0]!.data.metrics["weight"]).toBeCloseTo(3, 0);
  });
});
