import { join } from "node:path";
import { readManifest } from "@kiln/kernel-lib";
import { PERFORMANCE_TASKS, type PerformanceTask } from "./performance-query";

/** What `bundleTask` needs to find an endpoint's bundle: the endpoints and what they serve. */
export type ServedVersions = {
  list(): { name: string; current: { model: string; version: string } }[];
};

/**
 * The task the bundle served on `endpoint` declares in its `bundle.json` (`kiln.log.model(..., {
 * task })`: `regression`, `classification` or `anomaly`), or undefined, when the performance
 * route falls back to its `task` parameter, then regression. Bundles live where
 * the endpoint manager keeps them: `<stateDir>/bundles/<model>/<version>/`.
 *
 * @example
 * const task = await bundleTask(".kiln", endpoints, "drill"); // "classification" | undefined
 */
export async function bundleTask(
  stateDir: string,
  endpoints: ServedVersions,
  endpoint: string,
): Promise<PerformanceTask | undefined> {
  const served = endpoints.list().find((e) => e.name === endpoint)?.current;
  if (!served) return undefined;
  try {
    const dir = join(stateDir, "bundles", encodeURIComponent(served.model), served.version);
    const { task } = await readManifest(dir);
    return (PERFORMANCE_TASKS as readonly unknown[]).includes(task)
      ? (task as PerformanceTask)
      : undefined;
  } catch {
    // No readable bundle (not downloaded here): the task comes from the query.
    return undefined;
  }
}
