// Annotating cells as a user does it, in a real JupyterLab (the extension as setup installed it) in
// Debian's Chromium, against a real Kiln server that analyzes the notebook as it is edited.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKilnServer, type KilnServer } from "../../server/src/kiln-server";
import { startLabInBrowser, type LabInBrowser } from "../support/jupyterlab-browser";
import { realMlflowUri } from "../support/real-mlflow";
import { tslabNotebook } from "../support/tslab-notebook";

const NOTEBOOK = "annotate.ipynb";
const PANEL = "#kiln-pipeline-panel";
const DIALOG = "dialog.jp-KilnAnnotationDialog";
const SIDEBAR_FORM = `${PANEL} .jp-KilnAnnotationForm`;
const dataflowOf = (cell: number) =>
  `.jp-KilnCellNotes[data-cell-index="${cell}"] .jp-KilnCellNotes-dataflow`;
const problemsOf = (cell: number) =>
  `.jp-KilnCellNotes[data-cell-index="${cell}"] .jp-KilnCellNotes-problemMessage`;

type SavedCell = { source: string | string[]; metadata: { kiln?: unknown } };

describe("annotating cells in JupyterLab", () => {
  let dir: string;
  let kiln: KilnServer | undefined;
  let lab: LabInBrowser | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "kiln-e2e-annotate-"));
    const notebookDir = join(dir, "notebooks");
    mkdirSync(notebookDir);
    const apiKey = `kiln_e2e_${randomBytes(16).toString("hex")}`;
    kiln = await startKilnServer({
      stateDir: join(dir, "state"),
      notebooksRoot: notebookDir,
      trackingUri: realMlflowUri(),
      sessionAdminKey: apiKey,
    });
    lab = await startLabInBrowser({
      notebookDir,
      notebooks: {
        [NOTEBOOK]: tslabNotebook([
          "const scale = 2;",
          "// @kiln step=load\nconst xs = [1, 2, 3].map((x) => x * scale);",
          "const total = xs.length;",
          "// @kiln step=evaluate\nconst score = total / 2;",
        ]),
      },
      settingDefaults: { "@kiln/jupyterlab:plugin": { serverUrl: kiln.url, apiKey } },
    });
    await lab.openNotebook(NOTEBOOK);
    await lab.openSidebarPanel("kiln-pipeline-panel");
  });

  afterAll(async () => {
    await lab?.stop();
    await kiln?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Makes cell `index` the active cell, as a click in its editor does. */
  async function clickCell(index: number): Promise<void> {
    const editors = await lab!.page.$$(".jp-NotebookPanel .jp-Notebook .jp-Cell .cm-content");
    await editors[index]!.click();
  }

  /** Saves the notebook (Ctrl+S) and waits until cell `index` on disk passes `check`. */
  async function expectSavedCell(index: number, check: (cell: SavedCell) => void): Promise<void> {
    const page = lab!.page;
    await page.keyboard.down("Control");
    await page.keyboard.press("s");
    await page.keyboard.up("Control");
    await expect
      .poll(
        () => {
          const saved = JSON.parse(readFileSync(join(lab!.notebookDir, NOTEBOOK), "utf8")) as {
            cells: SavedCell[];
          };
          const cell = saved.cells[index]!;
          check({ ...cell, source: [cell.source].flat().join("") });
          return true;
        },
        { timeout: 30_000 },
      )
      .toBe(true);
  }

  it("shows on each step cell the inputs and outputs Kiln inferred", async () => {
    await lab!.waitForTexts(dataflowOf(1), ["inputs: none · outputs: total"]);
    await lab!.waitForTexts(dataflowOf(3), ["inputs: total (from load) · outputs: none"]);
  });

  it("marks a plain cell as a step with `after` from the cell toolbar, in the cell's metadata", async () => {
    const page = lab!.page;
    await clickCell(2);
    await page.click(`.jp-Cell.jp-mod-active [data-command="kiln:annotate-cell"]`);
    await page.waitForSelector(DIALOG, { visible: true });
    await page.select(`${DIALOG} select[name=kind]`, "step");
    await page.type(`${DIALOG} input[name=step]`, "Train");
    await lab!.waitForTexts(
      `${DIALOG} .jp-KilnAnnotationForm-error[data-field=step]`,
      /^Invalid step name Train/,
    );
    await page.click(`${DIALOG} input[name=step]`, { count: 3 });
    await page.type(`${DIALOG} input[name=step]`, "train");
    await page.click(`${DIALOG} input[name=after][value=load]`);
    await page.click(`${DIALOG} .jp-KilnAnnotationForm-save`);
    await page.waitForSelector(DIALOG, { hidden: true });

    await lab!.waitForTexts(dataflowOf(2), ["inputs: xs (from load) · outputs: total"]);
    await lab!.waitForTexts(dataflowOf(3), ["inputs: total (from train) · outputs: none"]);
    await lab!.waitForTexts(`${PANEL} .jp-KilnAnnotationSection-step`, [
      "loadinputs: none · outputs: xs",
      "traininputs: xs (from load) · outputs: total",
      "evaluateinputs: total (from train) · outputs: none",
    ]);
    await expectSavedCell(2, (cell) => {
      expect(cell.metadata.kiln).toEqual({ kind: "step", step: "train", after: ["load"] });
      expect(cell.source).toBe("const total = xs.length;");
    });
  });

  it("rewrites a cell's `// @kiln` comment with its metadata from the sidebar form", async () => {
    const page = lab!.page;
    await clickCell(3);
    const name = `${SIDEBAR_FORM} input[name=step]`;
    // The sidebar's form follows the active cell.
    await expect
      .poll(() => page.$eval(name, (input) => (input as unknown as { value: string }).value))
      .toBe("evaluate");
    await page.click(name, { count: 3 });
    await page.type(name, "score");
    await page.click(`${SIDEBAR_FORM} input[name=after][value=train]`);
    await page.click(`${SIDEBAR_FORM} .jp-KilnAnnotationForm-save`);
    await expectSavedCell(3, (cell) => {
      expect(cell.source).toBe("// @kiln step=score after=train\nconst score = total / 2;");
      expect(cell.metadata.kiln).toEqual({ kind: "step", step: "score", after: ["train"] });
    });
  });

  it("shows a problem on the cell it concerns as the code is typed, and clears it once fixed", async () => {
    await lab!.replaceCellSource(
      3,
      "// @kiln step=score after=train\nconst score = total / missing;",
    );
    await lab!.waitForTexts(
      problemsOf(3),
      /^Step score reads missing, which is used but defined nowhere upstream/,
    );
    await lab!.replaceCellSource(3, "// @kiln step=score after=train\nconst score = total / 2;");
    await lab!.waitForTexts(problemsOf(3), []);
    await lab!.waitForTexts(dataflowOf(3), ["inputs: total (from train) · outputs: none"]);
  });

  it("shows at once a comment that disagrees with the metadata, with no server needed", async () => {
    await lab!.replaceCellSource(3, "// @kiln step=score after=nothing\nconst score = total / 2;");
    await lab!.waitForTexts(
      problemsOf(3),
      /^Its metadata says \/\/ @kiln step=score after=train but/,
    );
    await lab!.replaceCellSource(3, "// @kiln step=score after=train\nconst score = total / 2;");
    await lab!.waitForTexts(problemsOf(3), []);
  });
});
