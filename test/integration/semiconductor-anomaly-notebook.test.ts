// notebooks/semiconductor-anomaly.ipynb end to end, as a user runs it: top to bottom in JupyterLab's
// tslab kernel (simulated readings of 10 drilling machines ingested into the lake, a data-quality
// suite, an autoencoder and its core-sensor fallback trained in tfjs-node and logged to the real
// MLflow server, the notebook run as a pipeline on a real Kiln server and its model promoted, live
// readings with a dead sensor answered by the fallback, a recipe change that the endpoint's policy
// detects as drift and answers by retraining through the server), then as a pipeline with the CLI
// against the same servers and the same lake, where each step is its own process.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRuns, stepLogFile } from "@kiln/kernel-lib";
import { startKilnServer, type KilnServer } from "../../server/src/kiln-server";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";

const root = join(__dirname, "..", "..");
const notebooks = join(root, "notebooks");
const notebook = join(notebooks, "semiconductor-anomaly.ipynb");
const adminKey = "kiln_session_admin_key_for_semiconductor_anomaly_tests";
const experiment = "semiconductor-anomaly-interactive";
const epochs = 30; // the notebook's default
const work = mkdtempSync(join(tmpdir(), "kiln-semiconductor-anomaly-"));
// One lake for the kernel, the CLI's steps and the server, whose retraining runs read it.
const lake = join(work, "lake");
const lakeBefore = process.env["KILN_LAKE_URI"];
const mlflow = realMlflowClient();
let server: KilnServer;

type Output = {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
};
type Served = {
  name: string;
  current: { model: string; version: string };
  pipeline?: { name: string; version: string };
};

const textOf = (o: Output) => [o.text, o.data?.["text/plain"]].flat().filter(Boolean).join("");
const htmlOf = (o: Output) => [o.data?.["text/html"]].flat().filter(Boolean).join("");

/** The groups of `pattern` in what the notebook printed; throws with the whole text when absent. */
function printed(text: string, pattern: RegExp): string[] {
  const match = pattern.exec(text);
  if (!match) throw new Error(`The notebook did not print ${pattern}; it printed:\n${text}`);
  return match.slice(1);
}

/** The endpoint `drill` as the test's Kiln server lists it. */
async function drillEndpoint(): Promise<Served | undefined> {
  const response = await fetch(`${server.url}/api/endpoints`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  return ((await response.json()) as { endpoints: Served[] }).endpoints.find(
    (e) => e.name === "drill",
  );
}

/** The kernel's and the pipeline steps' environment, as `kiln start` gives JupyterLab. */
function platformEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MLFLOW_TRACKING_URI: realMlflowUri(),
    KILN_SERVER_URL: server.url,
    KILN_ADMIN_KEY: adminKey,
    KILN_LAKE_URI: lake,
  };
}

/** Checks the numbers a run of the notebook (or its steps' logs) printed. */
function expectMonitoringStory(text: string): void {
  const [caught, sent] = printed(text, /dead-sensor rows served by the fallback: (\d+) of (\d+)/);
  expect(Number(sent)).toBeGreaterThan(0);
  expect(caught).toBe(sent);
  expect(printed(text, /drift detected: (\w+)/)).toEqual(["true"]);
  const [decision, candidate, champion] = printed(
    text,
    /retraining decision: (promoted|kept-champion|failed)\b.*?candidate version (\d+) reconstruction_mse [\d.]+ vs champion version (\d+)/,
  );
  // The champion learnt the old recipe; the candidate, retrained on the new one, reconstructs
  // its holdout better.
  expect(decision).toBe("promoted");
  expect(Number(candidate)).toBeGreaterThan(Number(champion));
}

beforeAll(async () => {
  // The server's pipeline runs (the notebook's and the retrainings) start step processes that
  // inherit this environment: they read and write this lake.
  process.env["KILN_LAKE_URI"] = lake;
  server = await startKilnServer({
    stateDir: join(work, "server"),
    notebooksRoot: notebooks,
    trackingUri: realMlflowUri(),
    sessionAdminKey: adminKey,
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  if (lakeBefore === undefined) delete process.env["KILN_LAKE_URI"];
  else process.env["KILN_LAKE_URI"] = lakeBefore;
  rmSync(work, { recursive: true, force: true });
});

describe("notebooks/semiconductor-anomaly.ipynb", () => {
  let retrainedVersion: string;

  it("runs top to bottom under tslab: validates, trains, serves with a fallback, detects drift and retrains", async () => {
    await promisify(execFile)(
      join(root, ".venv", "bin", "jupyter"),
      [
        "nbconvert",
        "--to=notebook",
        "--execute",
        "--ExecutePreprocessor.kernel_name=tslab",
        "--ExecutePreprocessor.timeout=300",
        `--output-dir=${work}`,
        notebook,
      ],
      { env: { ...platformEnv(), KILN_EXPERIMENT: experiment }, cwd: notebooks },
    );
    const executed = JSON.parse(
      readFileSync(join(work, "semiconductor-anomaly.ipynb"), "utf8"),
    ) as {
      cells: { outputs?: Output[] }[];
    };
    const outputs = executed.cells.flatMap((c) => c.outputs ?? []);
    expect(outputs.filter((o) => o.output_type === "error")).toEqual([]);
    const text = outputs.map(textOf).join("\n");

    expect(text).toMatch(/Suite "drill-training-data" on \d+ records: passed/);
    const [recall, precision] = printed(text, /recall: (\d\.\d+) precision: (\d\.\d+)/);
    expect(Number(recall)).toBeGreaterThanOrEqual(0.9);
    expect(Number(precision)).toBeGreaterThanOrEqual(0.8);
    expectMonitoringStory(text);

    // Inline plots: the data, the training curves, the scores and threshold, drift, the report.
    expect(outputs.filter((o) => htmlOf(o).includes("<svg")).length).toBeGreaterThanOrEqual(5);

    const [notebookVersion] = printed(text, /registered drill-anomaly version (\d+)/);
    const { experimentId } = (await mlflow.getExperimentByName(experiment))!;
    const { items: runs } = await mlflow.searchRuns({ experimentIds: [experimentId] });
    expect(runs).toHaveLength(1);
    const history = await mlflow.getMetricHistory(runs[0]!.info.runId, "val_loss");
    expect(history.map((m) => m.step).sort((a, b) => a - b)).toEqual([...Array(epochs).keys()]);
    expect(runs[0]!.data.metrics["test_recall"]).toBeGreaterThanOrEqual(0.9);
    expect((await mlflow.getModelVersion("drill-anomaly", notebookVersion!)).runId).toBe(
      runs[0]!.info.runId,
    );

    // The endpoint serves what the retraining registered, bound to the notebook's pipeline.
    [retrainedVersion] = printed(
      text,
      /retraining decision: promoted: candidate version (\d+)/,
    ) as [string];
    expect(await drillEndpoint()).toMatchObject({
      current: { model: "drill-anomaly", version: retrainedVersion },
      pipeline: { name: "semiconductor-anomaly" },
    });
    const [calledVersion] = printed(text, /answered by drill version (\d+)/);
    expect(calledVersion).toBe(retrainedVersion);
  }, 300_000);

  it("runs as a pipeline with `kiln run`, each step in its own process, and retrains through the server", async () => {
    const stateDir = join(work, "state");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(root, "server", "dist", "cli.js"), "run", notebook],
      { env: { ...platformEnv(), KILN_STATE_DIR: stateDir }, cwd: root },
    );
    for (const step of ["ingest", "quality", "train", "serve", "monitor", "call"])
      expect(stdout).toMatch(new RegExp(`✓ ${step}\\s+succeeded`));
    expect(stdout).toMatch(/Run succeeded in/);

    const [run] = await listRuns(stateDir, "semiconductor-anomaly");
    expect(run?.status).toBe("succeeded");
    const log = (step: string) => readFileSync(stepLogFile(stateDir, run!.runId, step), "utf8");
    // The lake now holds the recipe the notebook's run changed to: the pipeline learns that one.
    expect(log("quality")).toMatch(/recipe R2: \d+ readings/);
    const [pipelineVersion] = printed(log("train"), /registered drill-anomaly version (\d+)/);
    expect(Number(pipelineVersion)).toBeGreaterThan(Number(retrainedVersion));
    expect(log("serve")).toMatch(
      new RegExp(`endpoint drill serves drill-anomaly version ${pipelineVersion}`),
    );
    expectMonitoringStory(log("serve") + log("monitor"));
    expect(log("call")).toMatch(/reconstruction error: normal reading [\d.]+/);
  }, 240_000);
});
