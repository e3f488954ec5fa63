// What a step's process sees of the environment: everything the runner has, except what the
// run withholds (a server's retraining run withholds its URL and admin key, so the retrained
// model cannot promote itself past the champion comparison).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileNotebookFile, runPipeline, stepLogFile } from "@kiln/kernel-lib";
import { tslabNotebook } from "../support/tslab-notebook";

const work = mkdtempSync(join(tmpdir(), "kiln-step-env-"));
afterAll(() => {
  delete process.env["KILN_STEP_ENV_TEST_SECRET"];
  rmSync(work, { recursive: true, force: true });
});
const stateDir = join(work, ".kiln");
const notebook = join(work, "env.ipynb");
writeFileSync(
  notebook,
  tslabNotebook([
    '// @kiln step=show cache=false\nconsole.log(`secret: ${process.env["KILN_STEP_ENV_TEST_SECRET"] ?? "absent"}`);',
  ]),
);

async function stepSaw(withoutEnv?: string[]): Promise<string> {
  const pipeline = await compileNotebookFile(notebook, { stateDir, lockfileHash: "env-test" });
  const record = await runPipeline(pipeline, { stateDir, ...(withoutEnv ? { withoutEnv } : {}) });
  expect(record.status).toBe("succeeded");
  return readFileSync(stepLogFile(stateDir, record.runId, "show"), "utf8").trim();
}

describe("a step's environment", () => {
  it("is the runner's, less the variables the run withholds", async () => {
    process.env["KILN_STEP_ENV_TEST_SECRET"] = "admin-key";
    expect(await stepSaw()).toBe("secret: admin-key");
    expect(await stepSaw(["KILN_STEP_ENV_TEST_SECRET"])).toBe("secret: absent");
  });
});
