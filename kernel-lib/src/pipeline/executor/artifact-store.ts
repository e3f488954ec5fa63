/**
 * The content-addressed artifact store under `<stateDir>/artifacts/`:
 * - `blobs/<aa>/<sha256>`: file contents, by hash (written once, never changed);
 * - `cache/<cacheKey>.json`: a {@link CacheEntry} per step execution, mapping each output name
 *   to the blobs of its marshalled directory.
 * A step is cached when its entry exists and every blob it names is still there.
 *
 * @example
 * ```ts
 * const store = new ArtifactStore("/work/nb/.kiln/artifacts");
 * const output = await store.ingest("/tmp/step/outputs/data"); // dir written by marshalValue
 * await store.writeCacheEntry({ cacheKey, step: "prepare", outputs: { data: output }, createdAt: Date.now() });
 * const hit = await store.readCacheEntry(cacheKey); // undefined on a miss
 * ```
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ValueLocation } from "../runtime/context";
import { VALUE_FILE } from "./marshal";
import type { ValueDocument } from "./marshal";

/** One stored output: the blob of its `value.json` and of each side file. */
export interface StoredValue {
  value: string;
  files: Record<string, string>;
}

/** What the cache knows about one step execution. */
export interface CacheEntry {
  cacheKey: string;
  step: string;
  outputs: Record<string, StoredValue>;
  createdAt: number;
  /** The MLflow nested run that computed these outputs, when the run was tracked. */
  mlflowRunId?: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Content-addressed blobs plus the step cache index. */
export class ArtifactStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** Path of a blob (whether or not it exists). */
  blobPath(sha256: string): string {
    if (!SHA256.test(sha256))
      throw new TypeError(`Not a sha256 blob id: ${JSON.stringify(sha256)}`);
    return join(this.root, "blobs", sha256.slice(0, 2), sha256);
  }

  /**
   * Moves a directory written by `marshalValue` into the store (files are renamed, so `dir` and
   * the store should be on one file system; the directory is left empty of them).
   */
  async ingest(dir: string): Promise<StoredValue> {
    const valueFile = join(dir, VALUE_FILE);
    const document = JSON.parse(await readFile(valueFile, "utf8")) as ValueDocument;
    const files: Record<string, string> = {};
    for (const file of document.files) files[file] = await this.#putFile(join(dir, file));
    return { value: await this.#putFile(valueFile), files };
  }

  /** Where the files of a stored value are, for `unmarshalValue`. */
  locate(stored: StoredValue): ValueLocation {
    return {
      valueFile: this.blobPath(stored.value),
      files: Object.fromEntries(
        Object.entries(stored.files).map(([file, sha]) => [file, this.blobPath(sha)]),
      ),
    };
  }

  /** The cache entry for `cacheKey` if it and all its blobs exist; otherwise `undefined`. */
  async readCacheEntry(cacheKey: string): Promise<CacheEntry | undefined> {
    let entry: CacheEntry;
    try {
      entry = JSON.parse(await readFile(this.#cachePath(cacheKey), "utf8")) as CacheEntry;
    } catch {
      return undefined; // missing or half-written: treat as a miss, the step runs again
    }
    const blobs = Object.values(entry.outputs).flatMap((o) => [o.value, ...Object.values(o.files)]);
    const present = await Promise.all(blobs.map((sha) => exists(this.blobPath(sha))));
    return present.every(Boolean) ? entry : undefined;
  }

  /** Records a step execution; written atomically so readers never see half an entry. */
  async writeCacheEntry(entry: CacheEntry): Promise<void> {
    const path = this.#cachePath(entry.cacheKey);
    await mkdir(join(this.root, "cache"), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(entry, null, 2));
    await rename(tmp, path);
  }

  #cachePath(cacheKey: string): string {
    if (!SHA256.test(cacheKey))
      throw new TypeError(`Not a sha256 cache key: ${JSON.stringify(cacheKey)}`);
    return join(this.root, "cache", `${cacheKey}.json`);
  }

  async #putFile(path: string): Promise<string> {
    const sha = await hashFile(path);
    const target = this.blobPath(sha);
    if (await exists(target)) {
      await rm(path, { force: true });
    } else {
      await mkdir(join(target, ".."), { recursive: true });
      await rename(path, target);
    }
    return sha;
  }
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
