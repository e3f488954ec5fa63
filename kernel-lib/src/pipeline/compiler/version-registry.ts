// The local pipeline registry: `<stateDir>/pipelines/registry.json` maps each pipeline name to its
// versions (v1, v2, … in order of first compile), and `<stateDir>/pipelines/specs/<hash>.json`
// keeps each version's spec for the executor and the server. Writes go to a temp file renamed
// over the old one, under a lock file, so readers never see half a registry and two compiles
// never hand out the same counter.

import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import { join } from "node:path";
import type { PipelineSpec } from "../../spec/pipeline-spec";
import { FileLock } from "../../mlflow/file-lock";

/** One registered version of a pipeline. */
export interface PipelineVersionEntry {
  /** Human counter per pipeline name: `v1`, `v2`, … */
  version: string;
  /** The spec hash this version stands for. */
  hash: string;
  /** ISO time of the first compile that produced this hash. */
  createdAt: string;
  notebookPath: string | undefined;
}

/** A pipeline name with its versions, oldest first. */
export interface PipelineListing {
  name: string;
  versions: PipelineVersionEntry[];
}

/** The registry file could not be read or written; the message says which file and why. */
export class PipelineRegistryError extends Error {
  override name = "PipelineRegistryError";
}

type RegistryFile = {
  schema: typeof REGISTRY_SCHEMA;
  pipelines: Record<string, PipelineVersionEntry[]>;
};

const REGISTRY_SCHEMA = "kiln.pipeline-registry/v1";

/**
 * Path of the registry file under a state directory.
 *
 * @example
 * ```ts
 * registryPath(".kiln"); // ".kiln/pipelines/registry.json"
 * ```
 */
export function registryPath(stateDir: string): string {
  return join(stateDir, "pipelines", "registry.json");
}

/**
 * Records a compiled spec and returns its version. A hash already registered under the spec's
 * name keeps its version (compiling an unchanged notebook creates nothing new); a new hash gets
 * the next counter.
 *
 * @throws PipelineRegistryError when the registry is unreadable or stays locked.
 * @example
 * ```ts
 * const { version, created } = await registerPipelineVersion(".kiln", spec); // "v3", true
 * ```
 */
export async function registerPipelineVersion(
  stateDir: string,
  spec: PipelineSpec,
  now: () => Date = () => new Date(),
): Promise<{ version: string; created: boolean }> {
  const dir = join(stateDir, "pipelines");
  await fs.mkdir(join(dir, "specs"), { recursive: true });
  const lockPath = join(dir, "registry.lock");
  const lock = await FileLock.acquire(lockPath, { waitMs: 15_000 });
  if (!lock) {
    throw new PipelineRegistryError(
      `The pipeline registry is locked by another compile (${lockPath}) and stayed locked for 15 s. ` +
        "Wait for the other compile to finish; if none is running, delete the lock file.",
    );
  }
  try {
    const registry = await readRegistry(stateDir);
    const versions = (registry.pipelines[spec.name] ??= []);
    const existing = versions.find((v) => v.hash === spec.hash);
    // The spec file is written first: a registry entry must never point at a missing spec.
    await writeAtomically(
      join(dir, "specs", `${spec.hash}.json`),
      `${JSON.stringify(spec, null, 2)}\n`,
    );
    if (existing) return { version: existing.version, created: false };
    const entry: PipelineVersionEntry = {
      version: `v${versions.length + 1}`,
      hash: spec.hash,
      createdAt: now().toISOString(),
      notebookPath: spec.notebook.path,
    };
    versions.push(entry);
    await writeAtomically(registryPath(stateDir), `${JSON.stringify(registry, null, 2)}\n`);
    return { version: entry.version, created: true };
  } finally {
    await lock.release();
  }
}

/**
 * Lists registered pipelines (sorted by name) with their versions, oldest first. A state
 * directory without a registry has no pipelines.
 *
 * @example
 * ```ts
 * for (const p of await listPipelines(".kiln")) console.log(p.name, p.versions.at(-1)?.version);
 * ```
 */
export async function listPipelines(stateDir = ".kiln"): Promise<PipelineListing[]> {
  const registry = await readRegistry(stateDir);
  return Object.entries(registry.pipelines)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, versions]) => ({ name, versions: versions.map((v) => ({ ...v })) }));
}

/**
 * Reads the spec of a registered version (the latest when `version` is omitted).
 *
 * @throws PipelineRegistryError when the pipeline or version is not registered.
 * @example
 * ```ts
 * const spec = await readPipelineSpec(".kiln", "churn", "v2");
 * ```
 */
export async function readPipelineSpec(
  stateDir: string,
  name: string,
  version?: string,
): Promise<PipelineSpec> {
  const registry = await readRegistry(stateDir);
  const versions = registry.pipelines[name] ?? [];
  const entry =
    version === undefined ? versions.at(-1) : versions.find((v) => v.version === version);
  if (!entry) {
    const known = versions.map((v) => v.version).join(", ") || "none";
    throw new PipelineRegistryError(
      `Pipeline "${name}"${version ? ` has no version ${version}` : " is not registered"} in ${registryPath(stateDir)} (versions: ${known}). ` +
        "Compile the notebook first (compileNotebookFile), or pick a listed version.",
    );
  }
  const file = join(stateDir, "pipelines", "specs", `${entry.hash}.json`);
  try {
    return JSON.parse(await fs.readFile(file, "utf8")) as PipelineSpec;
  } catch (err) {
    throw new PipelineRegistryError(
      `The spec of ${name} ${entry.version} (${file}) cannot be read: ${(err as Error).message}. Recompile the notebook to restore it.`,
      { cause: err },
    );
  }
}

async function readRegistry(stateDir: string): Promise<RegistryFile> {
  const path = registryPath(stateDir);
  let text: string;
  try {
    text = await fs.readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      return { schema: REGISTRY_SCHEMA, pipelines: {} };
    }
    throw new PipelineRegistryError(
      `Cannot read the pipeline registry ${path}: ${(err as Error).message}.`,
      {
        cause: err,
      },
    );
  }
  try {
    const parsed = JSON.parse(text) as RegistryFile;
    if (parsed.schema !== REGISTRY_SCHEMA || typeof parsed.pipelines !== "object") {
      throw new Error(`expected schema ${REGISTRY_SCHEMA}, got ${JSON.stringify(parsed.schema)}`);
    }
    return parsed;
  } catch (err) {
    // Never overwrite a registry we cannot read: its counters are the users' version names.
    throw new PipelineRegistryError(
      `The pipeline registry ${path} is corrupt (${(err as Error).message}). Restore it from a backup, or move it away to start counting versions from v1 again.`,
      { cause: err },
    );
  }
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await fs.writeFile(temp, content, "utf8");
    await fs.rename(temp, path);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}
