/**
 * Writes a model bundle into a local directory: the tfjs model (`model.json` + `weights.bin`),
 * `input-schema.json`, optionally the transform, `reference.json` and a `fallback/` model, the
 * `MLmodel` file and last `bundle.json` with the checksums of all of them. Uploading and
 * registering are the caller's job (see `register-bundle.ts`).
 *
 * @example
 * ```ts
 * const manifest = await writeBundle("/tmp/bundle", {
 *   name: "regressor", model, inputSchema: { features: [{ name: "x", dtype: "float32" }] },
 *   artifactPath: "models/regressor",
 * });
 * ```
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { io } from "@tensorflow/tfjs";
import type { FeatureViewRef } from "../../features/online-features";
import { fileModelHandler } from "../../tf/file-io";
import { BundleDefinitionError } from "./errors";
import {
  BUNDLE_FORMAT,
  MANIFEST_FILE,
  checksumDirectory,
  type BundleManifest,
  type BundleModelEntry,
  type BundleOnlineFeaturesEntry,
  MODEL_TASKS,
  type ModelTask,
} from "./manifest";
import { mlmodelYaml } from "./mlmodel-file";
import { computeReferenceStats } from "./reference-stats";
import { defineInputSchema, type InputRow, type InputSchema, type InputSchemaInit } from "./schema";
import {
  TRANSFORM_FORMAT,
  compileTransform,
  type TransformManifest,
  type TransformSource,
} from "./transform-code";

/** Anything with tfjs' `save(handler)`; `outputs` (as on a LayersModel) gives the output shape. */
export interface BundleModel {
  save(handler: io.IOHandler): Promise<io.SaveResult>;
  readonly outputs?: readonly { shape: readonly (number | null)[] }[];
}

/** A second model on a subset of the features, serving rows the main model cannot. */
export type BundleFallback = { model: BundleModel; features: string[] };

/**
 * Schema features serving does not receive but looks up by entity key in a materialized feature
 * view (its latest values within the view's TTL): requests send the key columns instead.
 */
export type BundleOnlineFeatures = { view: FeatureViewRef; features: string[] };

/** Input of {@link writeBundle}. */
export type WriteBundleInput = {
  name: string;
  model: BundleModel;
  inputSchema: InputSchemaInit | InputSchema;
  transform?: TransformSource;
  /** Sample of the training data for `reference.json`. */
  reference?: readonly InputRow[];
  fallback?: BundleFallback;
  onlineFeatures?: BundleOnlineFeatures;
  /** What the model does: how monitoring measures its performance. */
  task?: ModelTask;
  /** Run-relative directory the bundle is uploaded to (for `MLmodel`). */
  artifactPath: string;
  runId?: string;
  mlflowVersion?: string;
  tfjsVersion?: string;
  lineage?: Record<string, string>;
};

/** Writes the bundle into `dir` (created) and returns its manifest. Throws BundleDefinitionError. */
export async function writeBundle(dir: string, input: WriteBundleInput): Promise<BundleManifest> {
  const schema = defineInputSchema(input.inputSchema);
  const features = schema.features.map((f) => f.name);
  const fallbackFeatures = input.fallback
    ? checkFallbackFeatures(schema, input.fallback.features)
    : undefined;
  if (input.task !== undefined && !MODEL_TASKS.includes(input.task)) {
    throw new BundleDefinitionError(
      `task is ${JSON.stringify(input.task)}; use one of ${MODEL_TASKS.join(", ")} or leave it out.`,
    );
  }
  const onlineFeatures = input.onlineFeatures
    ? checkOnlineFeatures(schema, input.onlineFeatures)
    : undefined;
  // Fail before anything is written when the transform would not load in serving.
  if (input.transform) compileTransform(input.transform);

  await mkdir(dir, { recursive: true });
  await input.model.save(fileModelHandler(dir));
  const model: BundleModelEntry = {
    path: "model.json",
    features,
    outputShape: outputShape(input.model),
  };
  let fallback: BundleModelEntry | undefined;
  if (input.fallback && fallbackFeatures) {
    await input.fallback.model.save(fileModelHandler(join(dir, "fallback")));
    fallback = {
      path: "fallback/model.json",
      features: fallbackFeatures,
      outputShape: outputShape(input.fallback.model),
    };
    checkOutputShapes(model, fallback);
  }
  await writeJson(join(dir, "input-schema.json"), schema);
  if (input.transform) {
    const file = input.transform.language === "typescript" ? "transform.ts" : "transform.js";
    await writeFile(join(dir, file), input.transform.code);
    const transform: TransformManifest = {
      format: TRANSFORM_FORMAT,
      entry: input.transform.entry,
      language: input.transform.language,
      file,
    };
    await writeJson(join(dir, "transform.json"), transform);
  }
  if (input.reference) {
    await writeJson(join(dir, "reference.json"), computeReferenceStats(schema, input.reference));
  }
  await writeFile(
    join(dir, "MLmodel"),
    mlmodelYaml({
      artifactPath: input.artifactPath,
      bundleFormat: BUNDLE_FORMAT,
      hasFallback: fallback !== undefined,
      hasTransform: input.transform !== undefined,
      hasReference: input.reference !== undefined,
      ...(input.runId ? { runId: input.runId } : {}),
      ...(input.mlflowVersion ? { mlflowVersion: input.mlflowVersion } : {}),
      ...(input.tfjsVersion ? { tfjsVersion: input.tfjsVersion } : {}),
    }),
  );
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    name: input.name,
    createdAt: new Date().toISOString(),
    model,
    inputSchema: "input-schema.json",
    ...(input.transform ? { transform: "transform.json" } : {}),
    ...(input.reference ? { reference: "reference.json" } : {}),
    ...(fallback ? { fallback } : {}),
    ...(input.task ? { task: input.task } : {}),
    ...(onlineFeatures ? { onlineFeatures } : {}),
    lineage: input.lineage ?? {},
    checksums: await checksumDirectory(dir),
  };
  await writeJson(join(dir, MANIFEST_FILE), manifest);
  return manifest;
}

function checkFallbackFeatures(schema: InputSchema, features: unknown): string[] {
  const known = new Set(schema.features.map((f) => f.name));
  if (
    !Array.isArray(features) ||
    features.length === 0 ||
    !features.every((f) => typeof f === "string")
  ) {
    throw new BundleDefinitionError(
      "fallback.features must be a non-empty array of feature names from inputSchema (the core features the fallback model reads, in its input order).",
    );
  }
  const unknown = features.filter((f) => !known.has(f));
  if (unknown.length > 0) {
    throw new BundleDefinitionError(
      `fallback.features names ${unknown.join(", ")}, which inputSchema does not define (it defines ${[...known].join(", ")}). Add them to the schema or drop them.`,
    );
  }
  return features;
}

function outputShape(model: BundleModel): (number | null)[] | null {
  const shape = model.outputs?.[0]?.shape;
  return shape ? [...shape] : null;
}

function checkOnlineFeatures(
  schema: InputSchema,
  online: BundleOnlineFeatures,
): BundleOnlineFeaturesEntry {
  const known = new Set(schema.features.map((f) => f.name));
  const { view, features } = online;
  const problem =
    !view || typeof view.name !== "string" || !Array.isArray(view.key) || !view.eventTime
      ? "onlineFeatures.view must be a feature view (kiln.data.defineFeatureView)"
      : !Array.isArray(features) || features.length === 0
        ? "onlineFeatures.features must name the schema features looked up in the view"
        : features.find((f) => !known.has(f)) !== undefined
          ? `onlineFeatures.features names "${features.find((f) => !known.has(f))}", which inputSchema does not define`
          : view.key.find((k) => known.has(k)) !== undefined
            ? `the view's key "${view.key.find((k) => known.has(k))}" is also a schema feature; requests send keys, the model reads features`
            : undefined;
  if (problem) {
    throw new BundleDefinitionError(
      `${problem}. Pass { view: <feature view>, features: [<schema features it provides>] }.`,
    );
  }
  return {
    view: view.name,
    key: [...view.key],
    eventTime: view.eventTime,
    ...(view.ttl !== undefined ? { ttl: view.ttl } : {}),
    features: [...features],
  };
}

function checkOutputShapes(model: BundleModelEntry, fallback: BundleModelEntry): void {
  const main = JSON.stringify(model.outputShape?.slice(1));
  const other = JSON.stringify(fallback.outputShape?.slice(1));
  if (model.outputShape && fallback.outputShape && main !== other) {
    throw new BundleDefinitionError(
      `The fallback model's output shape ${JSON.stringify(fallback.outputShape)} differs from the main model's ${JSON.stringify(model.outputShape)}; both must predict the same thing.`,
    );
  }
}

function writeJson(path: string, value: unknown): Promise<void> {
  return writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}
