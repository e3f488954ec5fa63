// The pipeline graph as a user meets it: a real JupyterLab in Chromium with Kiln's extension, a
// real Kiln server on the same notebooks folder, runs tracked in the real MLflow server. One
// JupyterLab and one Chromium for the whole file; the tests follow one another like a session.
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKilnServer, type KilnServer } from "../../server/src/kiln-server";
import { startLabInBrowser, type LabInBrowser } from "../support/jupyterlab-browser";
import { realMlflowUri } from "../support/real-mlflow";
import { tslabNotebook } from "../support/tslab-notebook";

const GRAPH = ".jp-KilnGraphView";
const NODE_NAMES = `${GRAPH} .jp-KilnGraph-nodeName`;
const SUMMARY = `${GRAPH} .jp-KilnRunStatus-summary`;
// The pipeline (and its MLflow experiment) is named after the notebook: one of its own per run
// of this file, as the MLflow server serves the whole test run.
const pipeline = `graph-${randomBytes(3).toString("hex")}`;

describe("the pipeline graph in JupyterLab", () => {
  const adminKey = `e2e-${randomBytes(16).toString("hex")}`;
  const work = mkdtempSync(join(tmpdir(), "kiln-e2e-graph-"));
  let kiln: KilnServer | undefined;
  let lab: LabInBrowser | undefined;
  const consoleLines: string[] = [];

  beforeAll(async () => {
    const notebookDir = join(work, "notebooks");
    kiln = await startKilnServer({
      stateDir: join(work, "state"),
      notebooksRoot: notebookDir,
      trackingUri: realMlflowUri(),
      sessionAdminKey: adminKey,
    });
    lab = await startLabInBrowser({
      notebookDir,
      notebooks: {
        [`${pipeline}.ipynb`]: tslabNotebook([
          "// @kiln params\nconst count = 3;",
          [
            "// @kiln step=numbers",
            "if (count > 100) throw new Error(`count ${count} is too large`);",
            "const numbers = Array.from({ length: count }, (_, i) => i + 1);",
            "console.log(`made ${numbers.length} numbers`);",
          ].join("\n"),
          "// @kiln step=total\nconst total = numbers.reduce((a, b) => a + b, 0);\nconsole.log(`total is ${total}`);",
          '// @kiln step=report after=total\nconsole.log("report written");',
          // No annotation: joins the step above, so `report` has two cells.
          'console.log("report appendix");',
        ]),
      },
      settingDefaults: { "@kiln/jupyterlab:plugin": { serverUrl: kiln.url, apiKey: adminKey } },
    });
    lab.page.on("console", (message) => consoleLines.push(message.text()));
    await lab.openNotebook(`${pipeline}.ipynb`);
    await lab.openSidebarPanel("kiln-pipeline-panel");
    await lab.page.click("#kiln-pipeline-panel .jp-KilnPanel-openGraph");
    await lab.page.waitForSelector(GRAPH, { visible: true });
  });

  afterAll(async () => {
    await lab?.stop();
    await kiln?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** Each step node's status on the page now. */
  const nodeStatuses = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      await lab!.page.$$eval(`${GRAPH} .jp-KilnGraph-node[data-kind="step"]`, (nodes) =>
        nodes.map((n) => [n.getAttribute("data-node") ?? "", n.getAttribute("data-status") ?? ""]),
      ),
    );
  /** Waits for the nodes to show `expected`, noting in `seen` each status shown on the way. */
  async function waitForStatuses(
    expected: Record<string, string>,
    seen: Record<string, string[]> = {},
  ): Promise<void> {
    const poll = async () => {
      const statuses = await nodeStatuses();
      for (const [step, status] of Object.entries(statuses)) {
        const list = (seen[step] ??= []);
        if (status && list.at(-1) !== status) list.push(status);
      }
      return statuses;
    };
    await expect.poll(poll, { timeout: 60_000, interval: 100 }).toEqual(expected);
  }
  const setParam = (name: string, value: string) =>
    lab!.page.locator(`${GRAPH} .jp-KilnParamForm input[name="${name}"]`).fill(value);
  const clickNode = (name: string) =>
    lab!.page.click(`${GRAPH} .jp-KilnGraph-node[data-node="${name}"]`);
  const mlflowRun = async (href: string) => {
    const [, experimentId, runId] = /#\/experiments\/([^/]+)\/runs\/([^/]+)$/.exec(href) ?? [];
    const response = await fetch(`${realMlflowUri()}/api/2.0/mlflow/runs/get?run_id=${runId}`);
    expect(response.status).toBe(200);
    const { run } = (await response.json()) as {
      run: { info: { experiment_id: string }; data: { tags?: { key: string; value: string }[] } };
    };
    expect(run.info.experiment_id).toBe(experimentId);
    return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
  };

  it("draws the notebook's steps, the names passed on the edges, and orderings dashed apart", async () => {
    await lab!.waitForTexts(NODE_NAMES, ["params", "numbers", "total", "report"]);
    await lab!.waitForTexts(`${GRAPH} .jp-KilnGraph-edgeLabel`, ["numbers", "count"]);
    const edges = await lab!.page.$$eval(`${GRAPH} .jp-KilnGraph-edge`, (nodes) =>
      nodes.map((n) => {
        const [kind, from, to] = ["kind", "from", "to"].map((a) => n.getAttribute(`data-${a}`));
        return `${kind} ${from}→${to}`;
      }),
    );
    expect(edges).toEqual([
      "data step:numbers→step:total",
      "order step:total→step:report",
      "params params→step:numbers",
    ]);
    await lab!.waitForTexts(`${GRAPH} .jp-KilnGraphView-version`, [
      `${pipeline}.ipynb · version: not compiled yet`,
    ]);
    expect(await lab!.textsOf(".lm-DockPanel-tabBar .lm-TabBar-tabLabel")).toContain(
      `${pipeline} pipeline`,
    );
  });

  it("selects a step's cells in the notebook when its node is clicked", async () => {
    await clickNode("total");
    await expect
      .poll(() =>
        lab!.page.$$eval(".jp-NotebookPanel .jp-Notebook .jp-Cell", (cells) =>
          cells.flatMap((cell, i) => (cell.classList.contains("jp-mod-active") ? [i] : [])),
        ),
      )
      .toEqual([2]);
  });

  it("selects every cell of a step that spans several", async () => {
    await clickNode("report");
    await expect
      .poll(() =>
        lab!.page.$$eval(".jp-NotebookPanel .jp-Notebook .jp-Cell", (cells) =>
          cells.flatMap((cell, i) => (cell.classList.contains("jp-mod-selected") ? [i] : [])),
        ),
      )
      .toEqual([3, 4]);
  });

  it("runs with a param override and follows each step to succeeded, with its log and MLflow runs", async () => {
    await setParam("count", "4");
    const seen: Record<string, string[]> = {};
    await waitForStatuses({ numbers: "none", total: "none", report: "none" }, seen);
    await lab!.page.click(`${GRAPH} .jp-KilnGraphView-run`);
    await waitForStatuses({ numbers: "succeeded", total: "succeeded", report: "succeeded" }, seen);
    await lab!.waitForTexts(
      SUMMARY,
      new RegExp(`^Run \\S+ of ${pipeline} v1: succeeded in .* · MLflow run ↗$`),
    );
    // The states came live, from "not run" to succeeded; which of pending and running a step
    // is seen in depends on how fast it runs.
    for (const step of ["numbers", "total", "report"]) {
      expect(seen[step]?.[0], step).toBe("none");
      expect(seen[step]?.at(-1), step).toBe("succeeded");
      expect(seen[step]?.slice(1, -1).every((s) => s === "pending" || s === "running")).toBe(true);
    }

    await clickNode("total");
    await lab!.waitForTexts(`${GRAPH} .jp-KilnStepDetails-log`, /total is 10/);
    const parentHref = await lab!.page.$eval(
      `${GRAPH} .jp-KilnRunStatus-mlflow`,
      (a) => a.getAttribute("href") ?? "",
    );
    expect(await mlflowRun(parentHref)).toMatchObject({
      "kiln.pipeline": pipeline,
      "kiln.pipeline.version": "v1",
    });
    const stepHref = await lab!.page.$eval(
      `${GRAPH} .jp-KilnStepDetails-mlflow`,
      (a) => a.getAttribute("href") ?? "",
    );
    expect(await mlflowRun(stepHref)).toMatchObject({ "kiln.step": "total" });

    // The run registered v1: the graph and the versions list say the notebook is it now.
    await lab!.waitForTexts(`${GRAPH} .jp-KilnGraphView-version`, [
      `${pipeline}.ipynb · version: v1`,
    ]);
    await lab!.waitForTexts(
      `${GRAPH} .jp-KilnRunHistory-version.jp-mod-current .jp-KilnRunHistory-versionName`,
      ["v1"],
    );
  });

  it("shows the steps cached when run again with the same params", async () => {
    const firstRun = await lab!.textsOf(SUMMARY);
    await lab!.page.click(`${GRAPH} .jp-KilnGraphView-run`);
    await expect.poll(() => lab!.textsOf(SUMMARY), { timeout: 60_000 }).not.toEqual(firstRun);
    await waitForStatuses({ numbers: "cached", total: "cached", report: "cached" });
    await lab!.waitForTexts(SUMMARY, /: succeeded in /);
    await lab!.waitForTexts(`${GRAPH} .jp-KilnRunHistory-run .jp-KilnRunHistory-status`, [
      "succeeded",
      "succeeded",
    ]);
  });

  it("shows a step that throws as failed, with its error, and the steps after it skipped", async () => {
    await setParam("count", "1000");
    await lab!.page.click(`${GRAPH} .jp-KilnGraphView-run`);
    await waitForStatuses({ numbers: "failed", total: "skipped", report: "skipped" });
    await lab!.waitForTexts(SUMMARY, new RegExp(`^Run \\S+ of ${pipeline} v1: failed in `));
    await clickNode("numbers");
    await lab!.waitForTexts(`${GRAPH} .jp-KilnStepDetails-error`, /count 1000 is too large/);
  });

  it("keeps the API key out of the notebook, the step logs and the browser console", () => {
    const files = readdirSync(work, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.(ipynb|log)$/.test(entry.name))
      .map((entry) => join(entry.parentPath, entry.name));
    expect(files.filter((file) => file.endsWith(".ipynb")).length).toBeGreaterThan(0);
    expect(files.filter((file) => file.endsWith(".log")).length).toBeGreaterThan(0);
    for (const file of files) expect(readFileSync(file, "utf8")).not.toContain(adminKey);
    expect(consoleLines.length).toBeGreaterThan(0);
    expect(consoleLines.filter((line) => line.includes(adminKey))).toEqual([]);
  });
});
