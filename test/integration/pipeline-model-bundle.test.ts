// A model logged from a pipeline step carries the notebook's own transform cell (so serving runs
// the same preprocessing) and the pipeline's lineage on its registered version, which binds the
// endpoint it is promoted to to that pipeline version.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileNotebookFile, runPipeline } from "@kiln/kernel-lib";
import { downloadBundle, loadBundle } from "../../kernel-lib/src/serving/bundle";
import { loadTensorflow } from "../../kernel-lib/src/tf/backend";
import { EndpointRegistry } from "../../server/src/serving";
import { EndpointManager } from "../../server/src/serving/endpoint-manager";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";
import { tslabNotebook } from "../support/tslab-notebook";

const mlflow = realMlflowClient();
const work = mkdtempSync(join(tmpdir(), "kiln-step-bundle-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const modelName = `step-scaled-${Date.now()}`;
const notebook = join(work, "scaled.ipynb");
writeFileSync(
  notebook,
  tslabNotebook([
    'import * as tf from "@tensorflow/tfjs-node";\nimport * as kiln from "@kiln/kernel-lib";',
    "// @kiln transform\nfunction scale(row: Record<string, number | null>) {\n  return { ...row, x: row.x === null || row.x === undefined ? null : row.x / 10 };\n}",
    [
      "// @kiln step=train",
      "const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });",
      "model.setWeights([tf.tensor2d([[2]]), tf.tensor1d([1])]);",
      `await kiln.log.model(model, {`,
      `  name: ${JSON.stringify(modelName)},`,
      '  inputSchema: { features: [{ name: "x", dtype: "float32", min: 0, max: 100 }] },',
      '  transform: { entry: "scale" },',
      "});",
    ].join("\n"),
  ]),
);

describe("kiln.log.model in a pipeline step", () => {
  it("bundles the notebook's transform cell and tags the version with the pipeline's lineage", async () => {
    const stateDir = join(work, ".kiln");
    const pipeline = await compileNotebookFile(notebook, { stateDir });
    const record = await runPipeline(pipeline, { stateDir, trackingUri: realMlflowUri() });
    expect(record.status).toBe("succeeded");

    const version = await mlflow.getModelVersion(modelName, "1");
    expect(version.tags).toMatchObject({
      "kiln.pipeline": "scaled",
      "kiln.pipeline.version": pipeline.version,
    });
    expect(version.runId).toBe(record.steps.train!.mlflowRunId);

    const dir = join(work, "bundle");
    await downloadBundle(mlflow, modelName, "1", dir);
    const { tf } = await loadTensorflow();
    const bundle = await loadBundle(dir, tf);
    // 2 * (50 / 10) + 1: the transform ran before the model, as in the notebook.
    expect(bundle.predict([{ x: 50 }]).outputs[0]![0]).toBeCloseTo(11, 4);
    bundle.dispose();
  });

  it("binds the endpoint it is promoted to to the pipeline version that produced it", async () => {
    const registry = new EndpointRegistry();
    const endpoints = new EndpointManager({
      registry,
      stateDir: join(work, "serving"),
      trackingUri: realMlflowUri(),
    });
    const pipeline = await compileNotebookFile(notebook, { stateDir: join(work, ".kiln") });
    const state = await endpoints.promote("scaled", { model: modelName, version: "1" });
    expect(state.pipeline).toEqual({
      name: "scaled",
      version: pipeline.version,
      runId: expect.any(String) as string,
    });
    expect(endpoints.list()[0]!.pipeline).toEqual(state.pipeline);
  });
});
