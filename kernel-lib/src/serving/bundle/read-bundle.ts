/**
 * The reading side of bundles: download a registered version (by number or alias) through the
 * artifact proxy and verify it against the checksums in its `bundle.json`.
 *
 * @example
 * ```ts
 * const { dir, manifest } = await downloadBundle(client, "regressor", "champion", "/srv/models/regressor");
 * ```
 */
import { readFile } from "node:fs/promises";
import { resolve, sep } from "node:path";
import type { MlflowClient } from "../../mlflow/client";
import type { ModelVersion } from "../../mlflow/types";
import { BundleDefinitionError, BundleError, BundleIntegrityError } from "./errors";
import { BUNDLE_FORMAT, MANIFEST_FILE, checksumDirectory, type BundleManifest } from "./manifest";

/** What {@link downloadBundle} resolves with. */
export type DownloadedBundle = {
  dir: string;
  manifest: BundleManifest;
  modelVersion: ModelVersion;
};

/**
 * Downloads version `versionOrAlias` (`"3"`, or an alias such as `"champion"`) of registered
 * model `modelName` into `destDir` (which should be empty: every file in it must belong to the
 * bundle) and verifies it. Throws BundleIntegrityError on a checksum mismatch, BundleError when
 * the version is not a Kiln bundle of a run, MlflowApiError when MLflow refuses.
 */
export async function downloadBundle(
  client: MlflowClient,
  modelName: string,
  versionOrAlias: string | number,
  destDir: string,
): Promise<DownloadedBundle> {
  const ref = String(versionOrAlias);
  const modelVersion = /^\d+$/.test(ref)
    ? await client.getModelVersion(modelName, ref)
    : await client.getModelVersionByAlias(modelName, ref);
  if (!modelVersion.runId) {
    throw new BundleError(
      `${modelName} v${modelVersion.version} has no run id, so its files cannot be fetched through the run's artifacts. Register bundles with kiln.log.model.`,
    );
  }
  const run = await client.getRun(modelVersion.runId);
  const root = run.info.artifactUri.replace(/\/+$/, "");
  if (!modelVersion.source.startsWith(`${root}/`)) {
    throw new BundleError(
      `${modelName} v${modelVersion.version} has source ${modelVersion.source}, outside its run's artifacts (${root}). Expected a bundle logged by kiln.log.model.`,
    );
  }
  await client.downloadArtifacts(
    modelVersion.runId,
    modelVersion.source.slice(root.length + 1),
    destDir,
  );
  const manifest = await verifyBundle(destDir);
  return { dir: resolve(destDir), manifest, modelVersion };
}

/**
 * Reads `bundle.json` in `dir` and checks every file against it: each listed file must exist with
 * its sha256, and no unlisted file may be present. Resolves with the manifest.
 */
export async function verifyBundle(dir: string): Promise<BundleManifest> {
  const manifest = await readManifest(dir);
  const actual = await checksumDirectory(dir);
  for (const [file, expected] of Object.entries(manifest.checksums)) {
    if (actual[file] !== expected)
      throw new BundleIntegrityError(file, expected, actual[file], dir);
  }
  for (const [file, sum] of Object.entries(actual)) {
    if (!(file in manifest.checksums)) {
      throw new BundleIntegrityError(file, "(not part of the bundle)", sum, dir);
    }
  }
  return manifest;
}

/** Parses `bundle.json` without verifying files. Throws BundleDefinitionError if it is not one. */
export async function readManifest(dir: string): Promise<BundleManifest> {
  const path = resolve(dir, MANIFEST_FILE);
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(await readFile(path, "utf8")) as BundleManifest;
  } catch (error) {
    throw new BundleDefinitionError(
      `${path} cannot be read as a bundle manifest (${(error as Error).message}). Is ${dir} a Kiln model bundle?`,
      { cause: error },
    );
  }
  if (manifest?.format !== BUNDLE_FORMAT || typeof manifest.checksums !== "object") {
    throw new BundleDefinitionError(
      `${path} has format ${JSON.stringify(manifest?.format)}, expected "${BUNDLE_FORMAT}". It was written by another Kiln version: re-log the model with this one.`,
    );
  }
  const root = resolve(dir);
  for (const file of Object.keys(manifest.checksums)) {
    // Checksum keys are paths we open: keep a hostile manifest inside the bundle directory.
    if (!resolve(root, file).startsWith(root + sep)) {
      throw new BundleDefinitionError(
        `${path} lists "${file}", which is outside the bundle directory.`,
      );
    }
  }
  return manifest;
}
