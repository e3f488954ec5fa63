// The pipeline commands as a user types them: compile, run (with params and progress), pipelines,
// runs, and the Kubeflow export, which the KFP SDK must accept.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";

const root = join(__dirname, "..", "..");
const notebook = join(root, "notebooks", "getting-started.ipynb");
const work = mkdtempSync(join(tmpdir(), "kiln-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const mlflow = realMlflowClient();

async function kiln(...args: string[]): Promise<{ code: number; out: string }> {
  const env = {
    ...process.env,
    KILN_STATE_DIR: join(work, "state"),
    MLFLOW_TRACKING_URI: realMlflowUri(),
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(root, "server", "dist", "cli.js"), ...args],
      { env, cwd: root },
    );
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

describe("kiln compile, run, pipelines, runs", () => {
  it("compiles the example notebook into a versioned pipeline and writes its spec", async () => {
    const specFile = join(work, "spec.json");
    const { code, out } = await kiln("compile", notebook, "--out", specFile);
    expect(code).toBe(0);
    expect(out).toMatch(/getting-started v1 \([0-9a-f]{12}\): 3 steps/);
    expect(out).toContain("train ← data  (in: xs, ys; out: model)");
    const spec = JSON.parse(readFileSync(specFile, "utf8")) as { steps: { name: string }[] };
    expect(spec.steps.map((s) => s.name)).toEqual(["data", "train", "report"]);
  });

  it("runs it with a param, showing each step, tracked in MLflow", async () => {
    const { code, out } = await kiln("run", notebook, "--param", "epochs=12");
    expect(code).toBe(0);
    for (const step of ["data", "train", "report"])
      expect(out).toMatch(new RegExp(`✓ ${step}\\s+succeeded`));
    expect(out).toMatch(/Run succeeded in/);

    const experiment = await mlflow.getExperimentByName("getting-started");
    const { items } = await mlflow.searchRuns({
      experimentIds: [experiment!.experimentId],
      filter: "tags.`kiln.step` = 'train'",
    });
    expect(items).toHaveLength(1);
    expect(await mlflow.getMetricHistory(items[0]!.info.runId, "loss")).toHaveLength(12);
  });

  it("runs nothing again when nothing changed", async () => {
    const { code, out } = await kiln("run", notebook, "--param", "epochs=12");
    expect(code).toBe(0);
    for (const step of ["data", "train", "report"])
      expect(out).toMatch(new RegExp(`≡ ${step}\\s+cached`));
  });

  it("lists the pipeline's versions and its runs", async () => {
    const pipelines = await kiln("pipelines");
    expect(pipelines.out).toMatch(/getting-started\n\s+v1\s+[0-9a-f]{12}/);
    const runs = await kiln("runs", "getting-started");
    expect(runs.out.trim().split("\n")).toHaveLength(2);
    expect(runs.out).toMatch(/v1\s+succeeded .* 3 cached/);
    expect(runs.out).toMatch(/v1\s+succeeded .* 3 succeeded/);
  });

  it.each([
    [["run", notebook, "--param", "epochs=many"], /--param epochs=many: expected a number/],
    [
      ["run", notebook, "--param", "nope=1"],
      /no param "nope" \(params: samples, epochs, learningRate\)/,
    ],
    [["run", join(work, "missing.ipynb")], /cannot read the notebook file/],
    [["runs"], /Expected: kiln runs PIPELINE/],
    [["frobnicate"], /Unknown command "frobnicate"/],
  ])("explains a mistake: kiln %j", async (args, message) => {
    const { code, out } = await kiln(...args);
    expect(code).toBeGreaterThan(0);
    expect(out).toMatch(message);
  });
});

describe("kiln export kfp", () => {
  it("writes a Kubeflow Pipelines v2 pipeline that the KFP SDK loads", async () => {
    const yaml = join(work, "pipeline.yaml");
    const { code, out } = await kiln(
      "export",
      "kfp",
      notebook,
      "--image",
      "registry.local/kiln:1",
      "--out",
      yaml,
    );
    expect(code).toBe(0);
    expect(out).toContain(`written to ${yaml}`);
    const { stdout } = await promisify(execFile)(join(root, ".venv", "bin", "python"), [
      join(root, "test", "pipeline", "read_kfp_pipeline.py"),
      yaml,
      work,
    ]);
    const kfp = JSON.parse(stdout) as {
      problems: string[];
      exported: { tasks: Record<string, { dependentTasks: string[]; image: string }> };
    };
    expect(kfp.problems).toEqual([]);
    expect(Object.keys(kfp.exported.tasks).sort()).toEqual(["data", "report", "train"]);
    expect(kfp.exported.tasks.train!.dependentTasks).toEqual(["data"]);
    expect(kfp.exported.tasks.report!.image).toBe("registry.local/kiln:1");
  });

  it("says what is missing", async () => {
    const { code, out } = await kiln("export", "kfp", notebook, "--out", join(work, "x.yaml"));
    expect(code).toBe(2);
    expect(out).toMatch(/--image is required/);
  });
});
