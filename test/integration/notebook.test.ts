// The example notebook runs top to bottom in the tslab kernel registered in .venv, loads
// @kiln/kernel-lib with require (tslab compiles cells to CommonJS), trains on the native
// TensorFlow backend and tracks its run in a real MLflow server.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { realMlflowUri } from "../support/real-mlflow";

const root = join(__dirname, "..", "..");
const mlflow = realMlflowUri();
const outDir = mkdtempSync(join(tmpdir(), "kiln-notebook-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

type Output = {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
};
const textOf = (o: Output) => [o.text, o.data?.["text/plain"]].flat().filter(Boolean).join("");

const api = async <T>(path: string, body?: unknown): Promise<T> => {
  const response = await fetch(`${mlflow}/api/2.0/mlflow/${path}`, {
    method: body ? "POST" : "GET",
    headers: { "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  expect(response.ok).toBe(true);
  return (await response.json()) as T;
};

describe("notebooks/getting-started.ipynb", () => {
  it("executes under tslab with the native backend and logs its run to MLflow", async () => {
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
      { env: { ...process.env, MLFLOW_TRACKING_URI: mlflow }, cwd: join(root, "notebooks") },
    );
    const executed = JSON.parse(readFileSync(join(outDir, "getting-started.ipynb"), "utf8")) as {
      cells: { cell_type: string; outputs?: Output[] }[];
    };
    const outputs = executed.cells.flatMap((c) => c.outputs ?? []);
    expect(outputs.filter((o) => o.output_type === "error")).toEqual([]);
    expect(outputs.map(textOf).join("\n")).toContain("tensorflow");

    const { experiment } = await api<{ experiment: { experiment_id: string } }>(
      "experiments/get-by-name?experiment_name=getting-started",
    );
    const { runs } = await api<{ runs: { info: { run_id: string; status: string } }[] }>(
      "runs/search",
      {
        experiment_ids: [experiment.experiment_id],
      },
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]!.info.status).toBe("FINISHED");
    const { metrics } = await api<{ metrics: { step: number; value: number }[] }>(
      `metrics/get-history?run_id=${runs[0]!.info.run_id}&metric_key=loss`,
    );
    expect(metrics.map((m) => m.step).sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    expect(metrics.find((m) => m.step === 29)!.value).toBeLessThan(0.05);
  });
});
