/**
 * Run artifacts through the tracking server's artifact proxy (`mlflow server
 * --artifacts-destination ...`). Files are streamed both ways, never held in memory whole, and
 * downloads land in a temporary file renamed into place, so a failed download leaves no partial
 * file behind.
 *
 * @example
 * ```ts
 * await uploadFile(http, run.info.artifactUri, "model.json", "model");
 * const entries = await listArtifacts(http, run.info.runId, "model");
 * ```
 */
import { createReadStream, createWriteStream, promises as fs } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { MlflowValidationError } from "./errors";
import type { MlflowTransport } from "./http";
import type { ArtifactEntry } from "./types";
import { normalizeArtifactPath } from "./validation";
import { toArtifactEntry } from "./wire-format";
import type { WireFileInfo } from "./wire-format";

// Parallel transfers for directories: enough to hide latency, few enough for a one-worker server.
const DIRECTORY_CONCURRENCY = 4;

/**
 * Maps a run's `mlflow-artifacts:/<path>` URI plus a relative path to the proxy URL path.
 *
 * @example
 * ```ts
 * artifactProxyPath("mlflow-artifacts:/1/abc/artifacts", "plots/roc.png");
 * // "/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/plots/roc.png"
 * ```
 */
export function artifactProxyPath(artifactUri: string, relativePath: string): string {
  const match = /^mlflow-artifacts:(\/\/[^/]*)?\/?(.*)$/.exec(artifactUri);
  if (!match) {
    throw new MlflowValidationError({
      field: "run artifact URI",
      problem: `"${artifactUri}" is not served by the artifact proxy`,
      allowed: "an mlflow-artifacts:/ URI",
      fix: "start MLflow with --artifacts-destination (artifact proxy enabled) and create a new run",
    });
  }
  const root = (match[2] ?? "").split("/").filter(Boolean);
  const rel = normalizeArtifactPath(relativePath, { allowRoot: true }).split("/").filter(Boolean);
  const encoded = [...root, ...rel].map(encodeURIComponent).join("/");
  return `/api/2.0/mlflow-artifacts/artifacts/${encoded}`;
}

/**
 * Uploads one local file into the run's artifacts, under the directory `artifactDir` (root when
 * omitted), keeping its file name — as MLflow's `log_artifact` does. Returns the artifact path.
 */
export async function uploadFile(
  http: MlflowTransport,
  artifactUri: string,
  localPath: string,
  artifactDir = "",
): Promise<string> {
  const stat = await fs.stat(localPath);
  if (!stat.isFile()) {
    throw new MlflowValidationError({
      field: "local artifact path",
      problem: `"${localPath}" is not a file`,
      allowed: "a regular file",
      fix: "use logArtifacts(dir) for directories",
    });
  }
  const dir = normalizeArtifactPath(artifactDir, { allowRoot: true });
  const target = dir === "" ? basename(localPath) : `${dir}/${basename(localPath)}`;
  await http.putStream(
    artifactProxyPath(artifactUri, target),
    () => createReadStream(localPath),
    stat.size,
  );
  return target;
}

/**
 * Uploads a directory recursively: `localDir/a/b.txt` becomes `<artifactDir>/a/b.txt`.
 * Returns the artifact paths written.
 */
export async function uploadDirectory(
  http: MlflowTransport,
  artifactUri: string,
  localDir: string,
  artifactDir = "",
): Promise<string[]> {
  const dir = normalizeArtifactPath(artifactDir, { allowRoot: true });
  const files = await walkFiles(localDir);
  return mapLimited(files, DIRECTORY_CONCURRENCY, async (file) => {
    const rel = relative(localDir, file).split(sep).join("/");
    const target = dir === "" ? rel : `${dir}/${rel}`;
    const { size } = await fs.stat(file);
    await http.putStream(
      artifactProxyPath(artifactUri, target),
      () => createReadStream(file),
      size,
    );
    return target;
  });
}

/** Lists one level of a run's artifacts (`path` relative to the artifact root; root if omitted). */
export async function listArtifacts(
  http: MlflowTransport,
  runId: string,
  path = "",
): Promise<ArtifactEntry[]> {
  const rel = normalizeArtifactPath(path, { allowRoot: true });
  const response = await http.json<{ files?: WireFileInfo[] }>({
    method: "GET",
    path: "/api/2.0/mlflow/artifacts/list",
    params: { run_id: runId, ...(rel === "" ? {} : { path: rel }) },
  });
  return (response.files ?? []).map(toArtifactEntry);
}

/** Downloads one artifact file to `destPath` (parent directories created). */
export async function downloadFile(
  http: MlflowTransport,
  artifactUri: string,
  artifactPath: string,
  destPath: string,
): Promise<void> {
  const rel = normalizeArtifactPath(artifactPath);
  await fs.mkdir(dirname(destPath), { recursive: true });
  const temporary = `${destPath}.part-${process.pid}-${Date.now()}`;
  try {
    const body = await http.getStream(artifactProxyPath(artifactUri, rel));
    await pipeline(body, createWriteStream(temporary));
    await fs.rename(temporary, destPath);
  } catch (err) {
    await fs.rm(temporary, { force: true });
    throw err;
  }
}

/**
 * Downloads an artifact directory recursively into `destDir`: `<artifactDir>/a/b.txt` becomes
 * `destDir/a/b.txt`. Returns the local paths written.
 */
export async function downloadDirectory(
  http: MlflowTransport,
  runId: string,
  artifactUri: string,
  artifactDir: string,
  destDir: string,
): Promise<string[]> {
  const dir = normalizeArtifactPath(artifactDir, { allowRoot: true });
  const files = await listRecursively(http, runId, dir);
  const root = resolve(destDir);
  return mapLimited(files, DIRECTORY_CONCURRENCY, async (entry) => {
    // Paths come from the server; re-validate them so a hostile listing cannot escape destDir.
    const path = normalizeArtifactPath(entry.path);
    const rel = dir === "" ? path : path.slice(dir.length + 1);
    const local = resolve(root, ...rel.split("/"));
    if (!local.startsWith(root + sep)) {
      throw new MlflowValidationError({
        field: "artifact path from server",
        problem: `"${entry.path}" resolves outside ${root}`,
        allowed: "paths under the requested artifact directory",
        fix: "check the artifact store",
      });
    }
    await downloadFile(http, artifactUri, path, local);
    return local;
  });
}

async function listRecursively(
  http: MlflowTransport,
  runId: string,
  dir: string,
): Promise<ArtifactEntry[]> {
  const files: ArtifactEntry[] = [];
  for (const entry of await listArtifacts(http, runId, dir)) {
    if (entry.isDir) files.push(...(await listRecursively(http, runId, entry.path)));
    else files.push(entry);
  }
  return files;
}

async function walkFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walkFiles(full)));
    else if (entry.isFile()) files.push(full);
    else if (entry.isSymbolicLink() && (await fs.stat(full)).isFile()) files.push(full);
  }
  return files.sort();
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
