// notebooks/semiconductor-anomaly.ipynb end to end, as a user runs it: top to bottom in JupyterLab's
// tslab kernel (simulated readings of 10 drilling machines ingested into the lake, a data-quality
// suite, an autoencoder and its core-sensor fallback trained in tfjs-node and logged to the real
// MLflow server, the notebook run as a pipeline on a real Kiln server and its model promoted, live
// readings with a dead sensor answered by the fallback, a recipe change that the endpoint's policy
// detects as drift and answers by retraining through the server), then as a pipeline with the CLI
// against the same servers and the same lake, where each step is its own process.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRuns, stepLogFile } from "@kiln/kernel-lib";
import { startKilnServer, type KilnServer } from "../../server/src/kiln-server";
import {
  executeNotebook,
  htmlOf,
  platformEnv as kilnPlatformEnv,
  printed,
  runNotebookPipeline,
} from "../support/example-notebook";
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

type Served = {
  name: string;
  current: { model: string; version: string };
  pipeline?: { name: string; version: string };
};

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
const platformEnv = (): NodeJS.ProcessEnv =>
  kilnPlatformEnv({ serverUrl: server.url, adminKey, lake });

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
    const { outputs, text } = await executeNotebook(notebook, {
      outputDir: work,
      env: { ...platformEnv(), KILN_EXPERIMENT: experiment },
      cellTimeoutSeconds: 300,
    });
    expect(outputs.filter((o) => o.output_type === "error")).toEqual([]);

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
    const stdout = await runNotebookPipeline(notebook, {
      ...platformEnv(),
      KILN_STATE_DIR: stateDir,
    });
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
