// notebooks/process-quality.ipynb end to end, as a user runs it: top to bottom in JupyterLab's
// tslab kernel (simulated plant data, the data-quality gate, the lake and a point-in-time training
// set, a regression model with its fallback logged to the real MLflow server, promotion, a
// retraining policy, traffic, late labels, performance and usage on a real Kiln server), then as a
// pipeline with the CLI against the same servers and lake, where each step is its own process.
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
const notebook = join(root, "notebooks", "process-quality.ipynb");
const adminKey = "kiln_session_admin_key_for_process_quality_tests";
const experiment = "process-quality-interactive";
const epochs = 40; // the notebook's default
const trafficRequests = 40; // one request per 90-minute cycle of the live period
const trafficRows = 240; // six reactors per cycle
const labelledRows = 216; // the lab is four cycles behind
const work = mkdtempSync(join(tmpdir(), "kiln-process-quality-"));
// One lake for the server (its prediction log, the retraining holdout), the kernel and the steps,
// as under `kiln start`.
const lake = join(work, "lake");
const lakeBefore = process.env["KILN_LAKE_URI"];
const mlflow = realMlflowClient();
let server: KilnServer;

type Served = { name: string; current: { model: string; version: string }; pipeline?: unknown };

/** GET of the test's Kiln server with the admin key. */
async function adminGet<T>(path: string): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

const endpoints = async () => (await adminGet<{ endpoints: Served[] }>("/api/endpoints")).endpoints;

/** The kernel's and the pipeline steps' environment, as `kiln start` gives JupyterLab. */
const platformEnv = (): NodeJS.ProcessEnv =>
  kilnPlatformEnv({ serverUrl: server.url, adminKey, lake });

/** What the training, quality gate, monitoring and serving parts printed, checked against bounds. */
function expectHealthyRun(text: string): { version: string } {
  const r2 = Number(printed(text, /test R2: (\d\.\d+)/)[0]);
  const mae = Number(printed(text, /test MAE: (\d+\.\d+)/)[0]);
  expect(r2).toBeGreaterThanOrEqual(0.8);
  expect(mae).toBeGreaterThan(0);
  expect(mae).toBeLessThanOrEqual(1.5);

  const [accepted] = printed(text, /feedback accepted: (\d+) labels/);
  expect(Number(accepted)).toBe(labelledRows);
  const [liveMae, labelled] = printed(text, /performance: MAE (\d+\.\d+) over (\d+) labelled rows/);
  expect(Number(liveMae)).toBeGreaterThan(0);
  expect(Number(liveMae)).toBeLessThanOrEqual(2);
  expect(Number(labelled)).toBeGreaterThanOrEqual(labelledRows);

  const [sentRequests, sentRows, fallbackRows] = printed(
    text,
    /sent (\d+) requests, (\d+) rows \((\d+) answered by the fallback model\)/,
  ).map(Number);
  expect([sentRequests, sentRows]).toEqual([trafficRequests, trafficRows]);
  expect(fallbackRows).toBeGreaterThanOrEqual(12); // R6's analyzer in maintenance for 12 cycles
  const [version, requests, rows, p50, fallbackRate] = printed(
    text,
    /usage of version (\d+): (\d+) requests, (\d+) rows; all versions: \d+ requests, \d+ rows, p50 latency (\d+\.\d) ms, fallback rate (\d\.\d+)/,
  ) as [string, string, string, string, string];
  expect([Number(requests), Number(rows)]).toEqual([sentRequests, sentRows]);
  expect(Number(p50)).toBeGreaterThan(0);
  expect(Number(fallbackRate)).toBeCloseTo(fallbackRows! / sentRows!, 2);

  expect(text).toMatch(
    /policy stored for quality: retrainSchedule "0 3 \* \* 0", checks "0 \* \* \* \*"/,
  );
  expect(text).toMatch(/check: 0 of 4 conditions hold; actions: check/);

  const [predicted, truth, servedBy] = printed(
    text,
    /served prediction: batch B\d+ on R\d: yield (\d+\.\d+) % \(lab will measure (\d+\.\d+) %; model version (\d+)/,
  );
  expect(Math.abs(Number(predicted) - Number(truth))).toBeLessThan(4);
  expect(servedBy).toBe(version);
  return { version };
}

beforeAll(async () => {
  process.env["KILN_LAKE_URI"] = lake; // the server's prediction log and holdout reads use it
  server = await startKilnServer({
    stateDir: join(work, "server"),
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

describe("notebooks/process-quality.ipynb", () => {
  let notebookVersion: string;

  it("runs top to bottom under tslab: gates the data, trains, serves, monitors with late labels", async () => {
    const { outputs, text } = await executeNotebook(notebook, {
      outputDir: work,
      env: { ...platformEnv(), KILN_EXPERIMENT: experiment },
      cellTimeoutSeconds: 180,
    });
    expect(outputs.filter((o) => o.output_type === "error")).toEqual([]);

    // The quality gate: the broken delivery fails on all six dimensions, the history passes.
    expect(text).toMatch(
      /broken delivery: FAILED \d+ of \d+ expectations \(score 0\.\d+; dimensions failing: completeness, validity, uniqueness, consistency, timeliness, accuracy\)/,
    );
    expect(text).toMatch(/✗ validity in_range\(pressure\)/);
    expect(text).toMatch(
      /quality gate stopped the broken delivery \(DataQualityError\): Suite "process-batches" failed/,
    );
    expect(text).toMatch(/history delivery: PASSED (\d+) of \1 expectations/);
    // Lake and point-in-time join: every joined lab result got its own batch's conditions.
    expect(text).toMatch(/lake table process_batches, version \d+: \d+ rows \(ingested now/);
    expect(text).toMatch(/feature view reactor_conditions: \d+ feature rows written/);
    expect(text).toMatch(
      /point-in-time join: \d+ of \d+ lab results got their own batch's conditions, 0 another batch's/,
    );

    ({ version: notebookVersion } = expectHealthyRun(text));
    expect(text).toMatch(
      new RegExp(
        `usage of version ${notebookVersion}: ${trafficRequests} requests, ${trafficRows} rows; all versions: ${trafficRequests} requests, ${trafficRows} rows`,
      ),
    );

    // Inline plots: yield against temperature, DQ scores, training curves and predictions, the report.
    const svgs = outputs.filter((o) => htmlOf(o).includes("<svg"));
    expect(svgs.length).toBeGreaterThanOrEqual(4);

    expect(printed(text, /registered process-quality version (\d+)/)[0]).toBe(notebookVersion);
    const { experimentId } = (await mlflow.getExperimentByName(experiment))!;
    const { items: runs } = await mlflow.searchRuns({ experimentIds: [experimentId] });
    expect(runs).toHaveLength(1);
    const history = await mlflow.getMetricHistory(runs[0]!.info.runId, "val_mae");
    expect(history.map((m) => m.step).sort((a, b) => a - b)).toEqual([...Array(epochs).keys()]);
    expect(runs[0]!.data.metrics["test_r2"]).toBeGreaterThanOrEqual(0.8);
    expect(runs[0]!.data.metrics["dq_score"]).toBe(1);
    expect((await mlflow.getModelVersion("process-quality", notebookVersion)).runId).toBe(
      runs[0]!.info.runId,
    );
    expect((await endpoints()).find((e) => e.name === "quality")?.current).toEqual(
      expect.objectContaining({ model: "process-quality", version: notebookVersion }),
    );
    const { policy } = await adminGet<{ policy: Record<string, unknown> }>(
      "/api/endpoints/quality/policy",
    );
    expect(policy).toMatchObject({
      retrainSchedule: "0 3 * * 0",
      schedule: "0 * * * *",
      actions: [{ type: "alert" }, { type: "retrain" }],
      retrain: { holdout: { table: "process_holdout", label: "quality" }, metric: "mae" },
    });
  }, 240_000);

  it("runs as a pipeline with `kiln run`, each step in its own process, and serves its model", async () => {
    const stateDir = join(work, "state");
    const stdout = await runNotebookPipeline(notebook, {
      ...platformEnv(),
      KILN_STATE_DIR: stateDir,
    });
    const steps = ["simulate", "quality_gate", "ingest", "features", "train", "promote"];
    for (const step of [...steps, "policy", "traffic", "feedback", "serve"])
      expect(stdout).toMatch(new RegExp(`✓ ${step}\\s+succeeded`));
    expect(stdout).toMatch(/Run succeeded in/);

    const [run] = await listRuns(stateDir, "process-quality");
    expect(run?.status).toBe("succeeded");
    const log = (step: string) => readFileSync(stepLogFile(stateDir, run!.runId, step), "utf8");
    expect(log("quality_gate")).toMatch(/quality gate stopped the broken delivery/);
    expect(log("quality_gate")).toMatch(/history delivery: PASSED/);
    // The lake already holds the notebook's export: the step reuses it, the view is up to date.
    expect(log("ingest")).toMatch(
      /lake table process_batches, version \d+: \d+ rows \(already ingested/,
    );
    expect(log("features")).toMatch(/feature view reactor_conditions is up to date/);
    const logs = [...steps, "policy", "traffic", "feedback", "serve"].map(log).join("\n");
    const { version: pipelineVersion } = expectHealthyRun(logs);
    expect(pipelineVersion).not.toBe(notebookVersion);

    // The endpoint now serves the pipeline's version, bound to the pipeline version that made it.
    expect((await endpoints()).find((e) => e.name === "quality")).toMatchObject({
      current: { model: "process-quality", version: pipelineVersion },
      pipeline: { name: "process-quality" },
    });
  }, 180_000);
});
