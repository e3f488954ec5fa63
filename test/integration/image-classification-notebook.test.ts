// notebooks/image-classification.ipynb end to end, as a user runs it: top to bottom in JupyterLab's
// tslab kernel (lake ingest, CNN training, the bundle logged to the real MLflow server, promotion
// on a real Kiln server, one image over HTTP, 1,000 images as an async job), then as a pipeline
// with the CLI against the same servers, where each step is its own process.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
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
const notebook = join(root, "notebooks", "image-classification.ipynb");
const digitsCsv = join(root, "notebooks", "data", "digits.csv");
const adminKey = "kiln_session_admin_key_for_image_classification_tests";
const experiment = "image-classification-interactive";
const epochs = 20; // the notebook's default
const work = mkdtempSync(join(tmpdir(), "kiln-image-classification-"));
const mlflow = realMlflowClient();
let server: KilnServer;

type Served = { name: string; current: { model: string; version: string }; pipeline?: unknown };

/** The endpoints the test's Kiln server lists. */
async function endpoints(): Promise<Served[]> {
  const response = await fetch(`${server.url}/api/endpoints`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  return ((await response.json()) as { endpoints: Served[] }).endpoints;
}

/** The kernel's and the pipeline steps' environment, as `kiln start` gives JupyterLab. */
const platformEnv = (lake: string): NodeJS.ProcessEnv =>
  kilnPlatformEnv({ serverUrl: server.url, adminKey, lake });

beforeAll(async () => {
  if (!existsSync(digitsCsv)) {
    throw new Error(`${digitsCsv} is missing: run \`npm run setup\` (its digits-data step).`);
  }
  server = await startKilnServer({
    stateDir: join(work, "server"),
    trackingUri: realMlflowUri(),
    sessionAdminKey: adminKey,
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("notebooks/image-classification.ipynb", () => {
  let notebookVersion: string;

  it("runs top to bottom under tslab: trains, promotes, classifies over HTTP and in a batch job", async () => {
    const { outputs, text } = await executeNotebook(notebook, {
      outputDir: work,
      env: { ...platformEnv(join(work, "lake")), KILN_EXPERIMENT: experiment },
      cellTimeoutSeconds: 180,
    });
    expect(outputs.filter((o) => o.output_type === "error")).toEqual([]);

    expect(Number(printed(text, /test accuracy: (\d\.\d+)/)[0])).toBeGreaterThanOrEqual(0.9);
    const [digit, probability, label] = printed(
      text,
      /HTTP prediction: image \d+ is a (\d) \(probability (\d\.\d+); label (\d)/,
    );
    expect(digit).toBe(label);
    expect(Number(probability)).toBeGreaterThan(0.5);
    expect(Number(printed(text, /job accuracy: (\d\.\d+)/)[0])).toBeGreaterThanOrEqual(0.9);
    // Serving ran the notebook's transform and model: the same answers (float rounding aside).
    const [agreeing] = printed(text, /served predictions equal to the notebook's: (\d+) of 1000/);
    expect(Number(agreeing)).toBeGreaterThanOrEqual(995);

    // Inline plots: the first training images, the training curves, predictions, the HTTP image.
    const svgs = outputs.filter((o) => htmlOf(o).includes("<svg"));
    expect(svgs.length).toBeGreaterThanOrEqual(4);

    [notebookVersion] = printed(text, /registered digits-cnn version (\d+)/) as [string];
    const { experimentId } = (await mlflow.getExperimentByName(experiment))!;
    const { items: runs } = await mlflow.searchRuns({ experimentIds: [experimentId] });
    expect(runs).toHaveLength(1);
    const history = await mlflow.getMetricHistory(runs[0]!.info.runId, "val_accuracy");
    expect(history.map((m) => m.step).sort((a, b) => a - b)).toEqual([...Array(epochs).keys()]);
    expect(runs[0]!.data.metrics["test_accuracy"]).toBeGreaterThanOrEqual(0.9);
    expect((await mlflow.getModelVersion("digits-cnn", notebookVersion)).runId).toBe(
      runs[0]!.info.runId,
    );
    expect((await endpoints()).find((e) => e.name === "digits")?.current).toEqual(
      expect.objectContaining({ model: "digits-cnn", version: notebookVersion }),
    );
  }, 240_000);

  it("runs as a pipeline with `kiln run`, each step in its own process, and serves its model", async () => {
    const stateDir = join(work, "state");
    const stdout = await runNotebookPipeline(notebook, {
      ...platformEnv(join(work, "pipeline-lake")),
      KILN_STATE_DIR: stateDir,
    });
    for (const step of ["ingest", "prepare", "train", "promote", "classify", "batch"])
      expect(stdout).toMatch(new RegExp(`✓ ${step}\\s+succeeded`));
    expect(stdout).toMatch(/Run succeeded in/);

    const [run] = await listRuns(stateDir, "image-classification");
    expect(run?.status).toBe("succeeded");
    const log = (step: string) => readFileSync(stepLogFile(stateDir, run!.runId, step), "utf8");
    expect(log("ingest")).toMatch(/lake table digits, version 1 \(ingested now/);
    expect(Number(printed(log("train"), /test accuracy: (\d\.\d+)/)[0])).toBeGreaterThanOrEqual(
      0.9,
    );
    const [pipelineVersion] = printed(log("train"), /registered digits-cnn version (\d+)/);
    expect(pipelineVersion).not.toBe(notebookVersion);
    const [digit, , label] = printed(
      log("classify"),
      /HTTP prediction: image \d+ is a (\d) \(probability (\d\.\d+); label (\d)/,
    );
    expect(digit).toBe(label);
    expect(Number(printed(log("batch"), /job accuracy: (\d\.\d+)/)[0])).toBeGreaterThanOrEqual(0.9);

    // The endpoint now serves the pipeline's version, bound to the pipeline version that made it.
    expect((await endpoints()).find((e) => e.name === "digits")).toMatchObject({
      current: { model: "digits-cnn", version: pipelineVersion },
      pipeline: { name: "image-classification" },
    });
  }, 180_000);
});
