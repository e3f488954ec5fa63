// A model bundle end to end against the real MLflow server: a 4-feature tfjs-node regressor and
// a fallback on 2 core sensors are trained here, logged with kiln.log.model from an interactive
// run (registered with lineage tags, MLmodel read back by MLflow's Python client), downloaded
// by version and alias, verified, loaded and served; a tampered copy fails verification.
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayersModel } from "@tensorflow/tfjs";
import { log, type LoggedModelBundle } from "../../kernel-lib/src/pipeline/runtime/log";
import {
  BundleInputError,
  BundleIntegrityError,
  downloadBundle,
  loadBundle,
  verifyBundle,
  type InputRow,
  type LoadedBundle,
} from "../../kernel-lib/src/serving/bundle";
import { loadTensorflow, type Tensorflow } from "../../kernel-lib/src/tf/backend";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";

const root = join(__dirname, "..", "..");
const client = realMlflowClient();
const name = `sensor-regressor-${Date.now()}`;
const features = ["a", "b", "c", "d"] as const;
let tf: Tensorflow;
let work: string;
let main: LayersModel;
let fallback: LayersModel;
let logged: LoggedModelBundle;
let bundle: LoadedBundle;

// Serving runs this unchanged: it must be self-contained (it is stored via .toString()).
const scaleC = (row: Record<string, number | null>) => ({
  ...row,
  c: row["c"] === null || row["c"] === undefined ? null : row["c"] / 10,
});

function dense(inputs: number): LayersModel {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 1, inputShape: [inputs] }));
  model.compile({ optimizer: tf.train.adam(0.1), loss: "meanSquaredError" });
  return model;
}

function predictInProcess(model: LayersModel, matrix: number[][]): number[][] {
  return tf.tidy(
    () =>
      (
        model.predict(tf.tensor2d(matrix)) as ReturnType<typeof tf.tensor2d>
      ).arraySync() as number[][],
  );
}

beforeAll(async () => {
  process.env["MLFLOW_TRACKING_URI"] = realMlflowUri();
  process.env["KILN_EXPERIMENT"] = "model-bundle-test";
  ({ tf } = await loadTensorflow());
  work = await mkdtemp(join(tmpdir(), "kiln-bundle-test-"));
  const rows = Array.from({ length: 64 }, (_, i) => ({
    a: i % 7,
    b: (i * 3) % 5,
    c: (i * 13) % 100,
    d: i % 2,
  }));
  const target = rows.map((r) => [2 * r.a - r.b + 0.05 * r.c + r.d]);
  main = dense(4);
  await main.fit(tf.tensor2d(rows.map((r) => [r.a, r.b, r.c / 10, r.d])), tf.tensor2d(target), {
    epochs: 20,
    verbose: 0,
  });
  fallback = dense(2);
  await fallback.fit(tf.tensor2d(rows.map((r) => [r.a, r.b])), tf.tensor2d(target), {
    epochs: 20,
    verbose: 0,
  });

  logged = await log.model(main, {
    name,
    inputSchema: {
      features: [
        { name: "a", dtype: "float32", min: 0, max: 10 },
        { name: "b", dtype: "float32", min: 0, max: 10 },
        { name: "c", dtype: "float32", min: 0, max: 100 },
        { name: "d", dtype: "int32", min: 0, max: 1 },
      ],
    },
    transform: scaleC,
    reference: rows,
    fallback: { model: fallback, features: ["a", "b"] },
    dataset: { table: "sensors", version: 7 },
  });
}, 180_000);

afterAll(async () => {
  bundle?.dispose();
  await log.flush();
  await rm(work, { recursive: true, force: true });
});

describe("kiln.log.model with an input schema", () => {
  it("uploads the bundle and registers a version with lineage tags", async () => {
    expect(logged.registeredModel).toBe(name);
    expect(logged.version).toBe("1");
    expect(logged.artifactUri).toMatch(
      new RegExp(`^mlflow-artifacts:/.+/artifacts/models/${name}$`),
    );
    const version = await client.getModelVersion(name, "1");
    const run = await client.getRun(version.runId);
    expect(version.source).toBe(`${run.info.artifactUri}/models/${name}`);
    expect(run.data.tags["kiln.interactive"]).toBe("true");
    expect(version.tags).toEqual({
      "kiln.run_id": version.runId,
      "kiln.dataset.table": "sensors",
      "kiln.dataset.version": "7",
    });
    const files = (await client.listArtifacts(version.runId, `models/${name}`)).map((e) =>
      e.path.split("/").pop(),
    );
    expect(files.sort()).toEqual([
      "MLmodel",
      "bundle.json",
      "fallback",
      "input-schema.json",
      "model.json",
      "reference.json",
      "transform.js",
      "transform.json",
      "weights.bin",
    ]);
    expect(Object.keys(logged.manifest.checksums).sort()).toEqual([
      "MLmodel",
      "fallback/model.json",
      "fallback/weights.bin",
      "input-schema.json",
      "model.json",
      "reference.json",
      "transform.js",
      "transform.json",
      "weights.bin",
    ]);
  });

  it("writes an MLmodel file that MLflow's Python client reads, with the kiln flavor", async () => {
    const script = [
      "import json, sys",
      "from mlflow.models import Model",
      "m = Model.load(sys.argv[1])",
      "print(json.dumps({'flavors': m.flavors, 'run_id': m.run_id, 'artifact_path': m.artifact_path, 'uuid': m.model_uuid, 'created': m.utc_time_created}))",
    ].join("\n");
    const { stdout } = await promisify(execFile)(
      join(root, ".venv", "bin", "python"),
      ["-c", script, `models:/${name}/1`],
      { env: { ...process.env, MLFLOW_TRACKING_URI: realMlflowUri() } },
    );
    const seen = JSON.parse(stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(seen).toMatchObject({
      run_id: (await client.getModelVersion(name, "1")).runId,
      artifact_path: `models/${name}`,
      flavors: {
        kiln: {
          bundle_format: "kiln.bundle/v1",
          framework: "tfjs-layers",
          model: "model.json",
          input_schema: "input-schema.json",
          fallback: "fallback/model.json",
          transform: "transform.json",
          reference: "reference.json",
        },
      },
    });
    expect(seen["uuid"]).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("downloadBundle + loadBundle", () => {
  it("downloads by alias, verifies and serves what the in-process models predict", async () => {
    await client.setAlias(name, "champion", "1");
    const downloaded = await downloadBundle(client, name, "champion", join(work, "champion"));
    expect(downloaded.modelVersion.version).toBe("1");
    expect(downloaded.manifest.fallback?.features).toEqual(["a", "b"]);
    bundle = await loadBundle(downloaded.dir, tf);
    expect(bundle.schema.features.map((f) => f.name)).toEqual(features);
    expect(bundle.reference?.features["c"]).toMatchObject({ count: 64, min: 0, max: 99 });

    const rows: InputRow[] = [
      { a: 1, b: 2, c: 30, d: 1 },
      { a: 4, b: 0, c: NaN, d: 0 }, // c unusable → fallback
      { a: 6, b: 4, c: 55, d: 0 },
      { a: 2, b: 3, d: 1 }, // c missing → fallback
      { a: 3, b: 1, c: 250, d: 1 }, // c out of range → fallback
    ];
    const { outputs, usedFallback, fallbackReasons } = bundle.predict(rows);
    expect(usedFallback).toEqual([false, true, false, true, true]);
    expect(fallbackReasons[1]).toBe('"c" is NaN');
    expect(fallbackReasons[4]).toBe('"c" is 250, above max 100');
    const expectedMain = predictInProcess(main, [
      [1, 2, 3, 1],
      [6, 4, 5.5, 0],
    ]);
    const expectedFallback = predictInProcess(fallback, [
      [4, 0],
      [2, 3],
      [3, 1],
    ]);
    const expected = [
      expectedMain[0],
      expectedFallback[0],
      expectedMain[1],
      expectedFallback[1],
      expectedFallback[2],
    ];
    outputs.forEach((output, i) => {
      expect(output).toHaveLength(1);
      expect(output[0]).toBeCloseTo(expected[i]![0]!, 5);
    });
  });

  it("rejects rows no model can serve, and malformed rows, naming the field", () => {
    expect(() =>
      bundle.predict([
        { a: 1, b: 2, c: 3, d: 1 },
        { b: 2, c: 3, d: 1 },
      ]),
    ).toThrow(BundleInputError);
    expect(() => bundle.predict([{ b: 2, c: 3, d: 1 }])).toThrow(
      /Row 0: field "a" expected a float32 number in \[0, 10\] \(the fallback model needs it\), got nothing/,
    );
    expect(() => bundle.predict([{ a: 1, b: 2, c: 3, d: 1, e: 5 }])).toThrow(
      /field "e" expected one of the features a, b, c, d/,
    );
    expect(() => bundle.predict([{ a: 1, b: 2, c: 3, d: 0.5 }])).toThrow(
      /field "d" expected an int32 integer in \[0, 1\], got 0.5/,
    );
  });

  it("fails verification of a tampered bundle with a clear error", async () => {
    const tampered = join(work, "tampered");
    const downloaded = await downloadBundle(client, name, "1", join(work, "v1"));
    await cp(downloaded.dir, tampered, { recursive: true });
    const weights = await readFile(join(tampered, "fallback", "weights.bin"));
    weights[0] = (weights[0] ?? 0) ^ 0xff;
    await writeFile(join(tampered, "fallback", "weights.bin"), weights);
    const error = await verifyBundle(tampered).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BundleIntegrityError);
    expect((error as BundleIntegrityError).file).toBe("fallback/weights.bin");
    expect((error as Error).message).toMatch(
      /Bundle file fallback\/weights.bin in .* has sha256 [0-9a-f]{64}, expected sha256 [0-9a-f]{64} as listed in bundle.json\. .*download it again/,
    );
    await expect(loadBundle(tampered, tf)).rejects.toThrow(BundleIntegrityError);
  });
});

describe("LoadedBundle.predictMatrix", () => {
  it("answers a matrix as predict answers its rows, with or without the fallback", async () => {
    const plain = dense(4);
    const logged = await log.model(plain, {
      name: `${name}-plain`,
      inputSchema: {
        features: [
          { name: "a", dtype: "float32", min: 0, max: 10 },
          { name: "b", dtype: "float32", min: 0, max: 10 },
          { name: "c", dtype: "float32", min: 0, max: 100 },
          { name: "e", dtype: "float32", required: false, default: 2 },
        ],
      },
      fallback: { model: fallback, features: ["a", "b"] },
    });
    const downloaded = await downloadBundle(
      client,
      `${name}-plain`,
      logged.version!,
      join(work, "plain"),
    );
    const loaded = await loadBundle(downloaded.dir, tf);
    try {
      const rowsOf = (values: number[]) =>
        Array.from({ length: values.length / 4 }, (_, i) => {
          const [a, b, c, e] = values
            .slice(i * 4, i * 4 + 4)
            .map((v) => (Number.isNaN(v) ? null : v));
          return { a, b, c, e } as InputRow;
        });
      // Every row usable (e missing → its default): the matrix goes to the model as it is.
      const usable = [1, 2, 30, NaN, 6, 4, 55, 7, 10, 0, 100, 2];
      // c missing and c out of range: those rows go to the fallback.
      const degraded = [1, 2, NaN, 3, 4, 0, 55, 1, 3, 1, 250, 0];
      for (const values of [usable, degraded]) {
        const byMatrix = loaded.predictMatrix(Float32Array.from(values), 3);
        const byRows = loaded.predict(rowsOf(values));
        expect(byMatrix.width).toBe(1);
        expect(byMatrix.usedFallback).toEqual(byRows.usedFallback);
        expect(byMatrix.fallbackReasons).toEqual(byRows.fallbackReasons);
        Array.from(byMatrix.outputs).forEach((value, i) =>
          expect(value).toBeCloseTo(byRows.outputs[i]![0]!, 5),
        );
      }
      expect(loaded.predictMatrix(Float32Array.from(degraded), 3).usedFallback).toEqual([
        true,
        false,
        true,
      ]);
      expect(() => loaded.predictMatrix(Float32Array.from([NaN, 1, 1, 1]), 1)).toThrow(
        /Row 0: field "a" expected a float32 number in \[0, 10\] \(the fallback model needs it\), got nothing/,
      );
      expect(() => loaded.predictMatrix(new Float32Array(5), 1)).toThrow(
        /expects rows × 4 values .* got 5 values for 1 rows/,
      );
    } finally {
      loaded.dispose();
    }
  });

  it("takes the row path for a bundle with a transform, with the same answers", () => {
    const values = [1, 2, 30, 1, 4, 0, NaN, 0];
    const byMatrix = bundle.predictMatrix(Float32Array.from(values), 2);
    const byRows = bundle.predict([
      { a: 1, b: 2, c: 30, d: 1 },
      { a: 4, b: 0, c: null, d: 0 },
    ]);
    expect(byMatrix.usedFallback).toEqual([false, true]);
    Array.from(byMatrix.outputs).forEach((value, i) =>
      expect(value).toBeCloseTo(byRows.outputs[i]![0]!, 5),
    );
  });
});

describe("the same model logged twice in one run", () => {
  it("keeps the first version's files: the second goes to models/<name>-2", async () => {
    const oneInput = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    const again = await log.model(oneInput, {
      name,
      inputSchema: { features: [{ name: "a", dtype: "float32" }] },
    });
    expect(again.artifactUri).toMatch(new RegExp(`/models/${name}-2$`));
    expect(again.artifactUri).not.toBe(logged.artifactUri);
    // Version 1 downloads and verifies as it was registered (2 features, a fallback).
    const first = await downloadBundle(client, name, "1", join(work, "first-again"));
    expect(first.manifest.fallback).toBeDefined();
    const second = await downloadBundle(client, name, again.version!, join(work, "second"));
    expect(second.manifest.fallback).toBeUndefined();
  });
});
