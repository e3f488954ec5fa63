// One-click promotion as a user meets it: a real JupyterLab in Chromium with Kiln's extension, a
// real Kiln server on the same notebooks folder, a pipeline whose step logs a tfjs model to the
// real MLflow server. The runs are started through the server's API, so this test does not
// depend on the run UI. One JupyterLab and one Chromium; the tests follow one another like a
// session.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../server/src/auth/api-keys";
import { startKilnServer, type KilnServer } from "../../server/src/kiln-server";
import { startLabInBrowser, type LabInBrowser } from "../support/jupyterlab-browser";
import { realMlflowUri } from "../support/real-mlflow";
import { tslabNotebook } from "../support/tslab-notebook";

const PANEL = "#kiln-pipeline-panel";
const MODELS = `${PANEL} .jp-KilnModels`;
const CARD = `${PANEL} .jp-KilnEndpointCard`;
// The pipeline (and its MLflow experiment) is named after the notebook, the model after the
// pipeline: one of each per run of this file, as the MLflow server serves the whole test run.
const pipeline = `promote-${randomBytes(3).toString("hex")}`;
const modelName = `${pipeline}-sensor`;
// The promote dialog's default endpoint name: the model's name as a slug.
const endpoint = modelName;
const ENDPOINT = `${PANEL} .jp-KilnEndpoints-item[data-endpoint="${endpoint}"]`;
// The endpoint's monitoring report, in the main area.
const REPORT = `#kiln-endpoint-report-${endpoint}`;
const NO_POLICY = `not monitored: no policy (set one with PUT /api/endpoints/${endpoint}/policy, see docs/monitoring.md)`;

// `retrained`: the notebook after an edit of its training step, a new version of the pipeline.
const notebook = (retrained: boolean) =>
  tslabNotebook([
    'import * as tf from "@tensorflow/tfjs-node";\nimport * as kiln from "@kiln/kernel-lib";',
    [
      "// @kiln step=train",
      `const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2], useBias: ${!retrained} })] });`,
      "await kiln.log.model(model, {",
      `  name: ${JSON.stringify(modelName)},`,
      "  inputSchema: {",
      "    features: [",
      '      { name: "vibration", dtype: "float32", min: 0, max: 10 },',
      '      { name: "temperature", dtype: "float32", min: 20, max: 90 },',
      "    ],",
      "  },",
      "});",
    ].join("\n"),
  ]);

describe("promoting a pipeline's model from JupyterLab", () => {
  const adminKey = `e2e-${randomBytes(16).toString("hex")}`;
  const work = mkdtempSync(join(tmpdir(), "kiln-e2e-promote-"));
  let kiln: KilnServer | undefined;
  let lab: LabInBrowser | undefined;
  let predictKey: string;
  let secondRun: Promise<void> | undefined;

  const api = async (path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${kiln!.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return response.headers.get("content-type")?.includes("json")
      ? response.json()
      : response.text();
  };
  // Runs the notebook's pipeline to the end, as the extension's run button would.
  const runPipeline = async () => {
    const { runId, events } = (await api("/api/pipelines/runs", {
      notebook: `${pipeline}.ipynb`,
    })) as { runId: string; events: string };
    await api(events); // the event stream ends after run-finished
    expect(await api(`/api/pipelines/runs/${runId}`)).toMatchObject({ status: "succeeded" });
  };
  const click = (selector: string) => lab!.page.click(selector);
  const promoteWithDefaults = async () => {
    await click(`${MODELS} .jp-KilnModels-promote`);
    await lab!.page.waitForSelector(".jp-Dialog .jp-KilnPromoteForm", { visible: true });
    await click(".jp-Dialog .jp-mod-accept");
    await lab!.page.waitForSelector(".jp-Dialog", { hidden: true });
  };

  beforeAll(async () => {
    const notebookDir = join(work, "notebooks");
    kiln = await startKilnServer({
      stateDir: join(work, "state"),
      notebooksRoot: notebookDir,
      trackingUri: realMlflowUri(),
      sessionAdminKey: adminKey,
    });
    predictKey = createApiKey(kiln.keysFile, "predict").key;
    lab = await startLabInBrowser({
      notebookDir,
      notebooks: { [`${pipeline}.ipynb`]: notebook(false) },
      settingDefaults: { "@kiln/jupyterlab:plugin": { serverUrl: kiln.url, apiKey: adminKey } },
    });
    await runPipeline();
    await lab.openNotebook(`${pipeline}.ipynb`);
    await lab.openSidebarPanel("kiln-pipeline-panel");
  });

  afterAll(async () => {
    await secondRun?.catch(() => undefined);
    await lab?.stop();
    await kiln?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("lists the model version the pipeline's run registered", async () => {
    await lab!.waitForTexts(`${MODELS} .jp-KilnModels-name`, [`${modelName} v1`]);
    await lab!.waitForTexts(`${MODELS} .jp-KilnModels-details`, ["step train"]);
  });

  it("promotes it with the dialog's defaults and shows where and what the endpoint serves", async () => {
    await promoteWithDefaults();
    await lab!.waitForTexts(`${CARD}-title`, [`Endpoint ${endpoint}`]);
    await lab!.waitForTexts(`${CARD}-status`, ["ready"]);
    await lab!.waitForTexts(`${CARD}-version`, [`${modelName} v1`]);
    await lab!.waitForTexts(`${CARD}-infer-url`, [`${kiln!.url}/v2/models/${endpoint}/infer`]);
    await lab!.waitForTexts(`${CARD}-invocations-url`, [
      `${kiln!.url}/endpoints/${endpoint}/invocations`,
    ]);
    await lab!.waitForTexts(
      `${CARD}-pipeline`,
      new RegExp(`^${pipeline} v1, run \\S+ \\(retraining re-runs it\\)$`),
    );
    // The server bound the endpoint to the pipeline version too, and set the alias.
    const { endpoints } = (await api("/api/endpoints")) as {
      endpoints: { name: string; pipeline?: { name: string } }[];
    };
    expect(endpoints.find((e) => e.name === endpoint)?.pipeline?.name).toBe(pipeline);
    // Retrained meanwhile, from an edited notebook: a second model and pipeline version.
    writeFileSync(join(lab!.notebookDir, `${pipeline}.ipynb`), notebook(true));
    secondRun = runPipeline();
  });

  it("gives a curl example that scores a row when pasted into a shell with a predict key", async () => {
    const page = lab!.page;
    await page
      .browser()
      .defaultBrowserContext()
      .overridePermissions(new URL(page.url()).origin, ["clipboard-read"]);
    await click(`${CARD}-copy`);
    await lab!.waitForTexts(`${CARD}-copied`, ["Copied"]);
    // A string, evaluated in the page: this file is compiled without the DOM's types.
    const command = (await page.evaluate("navigator.clipboard.readText()")) as string;
    expect([command]).toEqual(await lab!.textsOf(`${CARD}-curl`));
    expect(command).toContain("$KILN_PREDICT_KEY");
    expect(command).not.toContain(adminKey);
    const { stdout } = await promisify(execFile)("bash", ["-c", command], {
      env: { PATH: process.env["PATH"] ?? "", KILN_PREDICT_KEY: predictKey },
    });
    const answer = JSON.parse(stdout) as {
      model_name: string;
      model_version: string;
      outputs: { name: string; data: number[] }[];
    };
    expect(answer).toMatchObject({ model_name: endpoint, model_version: "1" });
    expect(answer.outputs[0]!.data).toHaveLength(1);
    expect(Number.isFinite(answer.outputs[0]!.data[0])).toBe(true);
  });

  it("lists the endpoint in the endpoints view with its version and pipeline", async () => {
    await lab!.waitForTexts(`${ENDPOINT} .jp-KilnEndpoints-version`, [`${modelName} v1`]);
    await lab!.waitForTexts(`${ENDPOINT} .jp-KilnEndpoints-pipeline`, [`${pipeline} v1`]);
    await lab!.waitForTexts(`${ENDPOINT} .jp-KilnEndpoints-fallback`, [
      "none: a row missing a required feature is refused",
    ]);
    await lab!.waitForTexts(`${ENDPOINT} .jp-KilnEndpoints-drift`, [NO_POLICY]);
    // The curl's prediction is counted once the view lists again.
    await click(`${PANEL} .jp-KilnEndpoints-refresh`);
    await lab!.waitForTexts(`${ENDPOINT} .jp-KilnEndpoints-traffic`, /(^|· )1 prediction since /);
  });

  it("promotes the version of a newer pipeline version, then rolls back to the first from the endpoints view", async () => {
    await secondRun;
    await click(`${MODELS} .jp-KilnModels-refresh`);
    await lab!.waitForTexts(`${MODELS} .jp-KilnModels-name`, [`${modelName} v2`]);
    await promoteWithDefaults();
    await lab!.waitForTexts(`${CARD}-version`, [`${modelName} v2`]);
    await lab!.waitForTexts(`${ENDPOINT} .jp-KilnEndpoints-version`, [`${modelName} v2`]);
    await lab!.waitForTexts(`${ENDPOINT} .jp-KilnEndpoints-previous`, [`${modelName} v1`]);
    // The newer pipeline version replaced the endpoint's binding: retraining re-runs it now.
    await lab!.waitForTexts(`${ENDPOINT} .jp-KilnEndpoints-pipeline`, [`${pipeline} v2`]);

    await click(`${ENDPOINT} .jp-KilnEndpoints-rollback`);
    await lab!.page.waitForSelector(".jp-Dialog", { visible: true });
    await click(".jp-Dialog .jp-mod-accept");
    await lab!.waitForTexts(`${ENDPOINT} .jp-KilnEndpoints-version`, [`${modelName} v1`]);
    await lab!.waitForTexts(`${ENDPOINT} .jp-KilnEndpoints-previous`, [`${modelName} v2`]);
    await lab!.waitForTexts(`${ENDPOINT} .jp-KilnEndpoints-pipeline`, [`${pipeline} v1`]);
    // The promotion's card follows the endpoint it describes.
    await lab!.waitForTexts(`${CARD}-version`, [`${modelName} v1`]);
    const ready = (await api(`/v2/models/${endpoint}/ready`)) as { version: string };
    expect(ready.version).toBe("1");
  });

  it("says the endpoint has no monitoring policy, and opens its monitoring report in the main area", async () => {
    const page = lab!.page;
    await lab!.waitForTexts(`${ENDPOINT} .jp-KilnEndpoints-drift`, [NO_POLICY]);
    await click(`${ENDPOINT} .jp-KilnEndpoints-report`);
    await lab!.waitForTexts(".lm-DockPanel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel", [
      `Report: ${endpoint}`,
    ]);
    await page.waitForSelector(`${REPORT} .jp-KilnReport[data-state="loaded"]`, { visible: true });
    const frame = `${REPORT} iframe.jp-KilnReport-frame`;
    // Strings, evaluated in the page: this file is compiled without the DOM's types.
    const attribute = (name: string) =>
      page.evaluate(
        `document.querySelector(${JSON.stringify(frame)}).getAttribute(${JSON.stringify(name)})`,
      ) as Promise<string | null>;
    const report = await attribute("srcdoc");
    expect(report).toContain(`<h1>Monitoring report: ${endpoint}</h1>`);
    // The server's page runs with every restriction: no scripts, an origin of its own.
    expect(await attribute("sandbox")).toBe("");
    // Chromium renders it: the header is in the frame's document.
    const content = await (await page.$(frame))!.contentFrame();
    expect(await content.$eval("h1", (h1) => h1.textContent)).toBe(
      `Monitoring report: ${endpoint}`,
    );

    // Refresh asks the server again (the page may read the same: it is dated to the minute).
    const refetched = page.waitForResponse(
      (response) =>
        response.url() === `${kiln!.url}/api/endpoints/${endpoint}/report` &&
        response.request().method() === "GET",
    );
    await click(`${REPORT} .jp-KilnReport-refresh`);
    expect((await refetched).status()).toBe(200);
    await page.waitForSelector(`${REPORT} .jp-KilnReport[data-state="loaded"]`);
    expect(await attribute("srcdoc")).toContain(`<h1>Monitoring report: ${endpoint}</h1>`);

    // Back on the notebook, a second click shows the open report again rather than a second one.
    const currentTab = ".lm-DockPanel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel";
    await click(".lm-DockPanel .lm-TabBar-tab:not(.lm-mod-current)");
    await lab!.waitForTexts(currentTab, [`${pipeline}.ipynb`]);
    await click(`${ENDPOINT} .jp-KilnEndpoints-report`);
    await lab!.waitForTexts(currentTab, [`Report: ${endpoint}`]);
    expect(await page.$$(REPORT)).toHaveLength(1);
  });
});
