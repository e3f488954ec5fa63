// Kiln's JupyterLab extension as a user meets it: a real JupyterLab from .venv (the extension
// installed there by setup, as `pip install ./extension` does) in Debian's Chromium.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../kernel-lib/src/mlflow/server";
import { startKilnServer, type KilnServer } from "../../server/src/kiln-server";
import { startLabInBrowser, type LabInBrowser } from "../support/jupyterlab-browser";
import { tslabNotebook } from "../support/tslab-notebook";

const root = join(__dirname, "..", "..");
const PANEL = "#kiln-pipeline-panel";
const STEP_NAMES = `${PANEL} .jp-KilnCellList-item[data-kind="step"] .jp-KilnCellList-name`;
const STATUS = `${PANEL} .jp-KilnServerStatus-text`;

describe("the Kiln sidebar in JupyterLab", () => {
  let lab: LabInBrowser | undefined;
  let kiln: KilnServer | undefined;
  let kilnPort: number;
  let kilnStateDir: string;

  beforeAll(async () => {
    // No Kiln server listens on this port until the last test starts one there.
    kilnPort = await freePort();
    kilnStateDir = mkdtempSync(join(tmpdir(), "kiln-e2e-server-"));
    lab = await startLabInBrowser({
      notebooks: {
        "pipeline.ipynb": tslabNotebook([
          "const scale = 2;",
          "// @kiln params\nconst epochs = 3;",
          "// @kiln step=prepare\nconst xs = [1, 2, 3].map((x) => x * scale);",
          "// @kiln step=train after=prepare\nconst total = xs.length * epochs;",
        ]),
      },
      settingDefaults: {
        "@kiln/jupyterlab:plugin": { serverUrl: `http://127.0.0.1:${kilnPort}` },
      },
    });
    await lab.openNotebook("pipeline.ipynb");
    await lab.openSidebarPanel("kiln-pipeline-panel");
  });

  afterAll(async () => {
    await lab?.stop();
    await kiln?.stop();
    rmSync(kilnStateDir, { recursive: true, force: true });
  });

  it("lists the open notebook's annotated cells", async () => {
    await lab!.waitForTexts(`${PANEL} .jp-KilnCellList-notebook`, ["pipeline.ipynb"]);
    await lab!.waitForTexts(`${PANEL} .jp-KilnCellList-kind`, ["params", "step", "step"]);
    await lab!.waitForTexts(`${PANEL} .jp-KilnCellList-name`, [
      "pipeline parameters",
      "prepare",
      "train",
    ]);
    await lab!.waitForTexts(`${PANEL} .jp-KilnCellList-details`, ["after prepare"]);
  });

  it("follows an edit of a cell's `// @kiln` comment", async () => {
    await lab!.replaceCellSource(3, "// @kiln step=fit after=prepare\nconst total = xs.length;");
    await lab!.waitForTexts(STEP_NAMES, ["prepare", "fit"]);
  });

  it("shows an invalid annotation as a problem, with how to fix it", async () => {
    await lab!.replaceCellSource(3, "// @kiln step=Fit\nconst total = xs.length;");
    await lab!.waitForTexts(STEP_NAMES, ["prepare"]);
    await lab!.waitForTexts(
      `${PANEL} .jp-KilnCellList-problemMessage`,
      /^cell 3 \(\/\/ @kiln step=Fit\): .*invalid step name Fit/,
    );
  });

  it("says the Kiln server is unreachable and how to start it, until one answers", async () => {
    await lab!.waitForTexts(
      STATUS,
      new RegExp(
        `^Kiln server unreachable at http://127\\.0\\.0\\.1:${kilnPort}: start it with npm start or kiln serve`,
      ),
    );
    kiln = await startKilnServer({
      port: kilnPort,
      stateDir: kilnStateDir,
      notebooksRoot: kilnStateDir,
    });
    await lab!.page.click(`${PANEL} .jp-KilnServerStatus-retry`);
    await lab!.waitForTexts(STATUS, [`Kiln server reachable at http://127.0.0.1:${kilnPort}`]);
  });
});

describe("the extension's installation", () => {
  it("is listed by `jupyter labextension list` as enabled and OK", () => {
    const listed = spawnSync(join(root, ".venv", "bin", "jupyter"), ["labextension", "list"], {
      encoding: "utf8",
    });
    expect(listed.status).toBe(0);
    // The list goes to stderr, in colour.
    const output = stripVTControlCharacters(listed.stdout + listed.stderr);
    expect(output).toMatch(/@kiln\/jupyterlab v0\.1\.0 enabled OK \(python, kiln_jupyterlab\)/);
  });
});
