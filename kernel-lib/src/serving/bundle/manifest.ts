/**
 * `bundle.json`, the manifest of a model bundle: what is in it and the sha256 of every other file,
 * so a reader can tell a complete, unchanged bundle from a tampered or partial one.
 */
import { createHash } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import { join, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";

/** Format id of bundles written by this version. */
export const BUNDLE_FORMAT = "kiln.bundle/v1";

/** File name of the manifest (the one file not in `checksums`). */
export const MANIFEST_FILE = "bundle.json";

/** A tfjs model inside the bundle. */
export type BundleModelEntry = {
  /** Relative path of its `model.json` (weights sit next to it). */
  path: string;
  /** Features it reads, in input-tensor column order. */
  features: string[];
  /** Output shape as tfjs reports it (`null` = batch dimension), when known. */
  outputShape: (number | null)[] | null;
};

/** Tasks a bundle can declare: regression, (binary) classification, anomaly (an autoencoder). */
export const MODEL_TASKS = ["regression", "classification", "anomaly"] as const;
export type ModelTask = (typeof MODEL_TASKS)[number];

/** The feature view serving looks features up in, and which schema features come from it. */
export type BundleOnlineFeaturesEntry = {
  view: string;
  key: string[];
  eventTime: string;
  /** Values older than this (ms) are not used; absent: any age. */
  ttl?: number;
  features: string[];
};

/** Content of `bundle.json`. */
export type BundleManifest = {
  format: typeof BUNDLE_FORMAT;
  name: string;
  createdAt: string;
  model: BundleModelEntry;
  inputSchema: string;
  transform?: string;
  reference?: string;
  fallback?: BundleModelEntry;
  /** What the model does, for performance monitoring (which metrics apply). */
  task?: ModelTask;
  /** Features serving looks up by the request's entity key instead of receiving them. */
  onlineFeatures?: BundleOnlineFeaturesEntry;
  /** Lineage as registered with the model version (`kiln.pipeline`, `kiln.run_id`, …). */
  lineage: Record<string, string>;
  /** Relative path (`/`-separated) → sha256 hex of every file but `bundle.json`. */
  checksums: Record<string, string>;
};

/** sha256 hex of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** Checksums of every file under `dir` except the manifest, keyed by relative path. */
export async function checksumDirectory(dir: string): Promise<Record<string, string>> {
  const checksums: Record<string, string> = {};
  for (const file of await walk(dir)) {
    const rel = relative(dir, file).split(sep).join("/");
    if (rel !== MANIFEST_FILE) checksums[rel] = await sha256File(file);
  }
  return checksums;
}

async function walk(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files.sort();
}
