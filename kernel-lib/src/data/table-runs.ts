/**
 * Which MLflow runs read which version of a table. MLflow's run search filters on dataset
 * inputs (`dataset.name = '…'`, also `dataset.digest`), so no Kiln-side index is needed: the
 * runs that read the table are searched by name in every experiment, and matched to versions by
 * digest (a digest covers the lake, the table, the version and its write time).
 *
 * @example
 * ```ts
 * const runs = await runsByVersion({ trackingUri, lake: lake.uri, table: "sensors", versions });
 * runs.get(3); // [{ runId: "…", runName: "train", experimentId: "1" }]
 * ```
 */
import { MlflowClient } from "../mlflow/client";
import { MlflowTransport } from "../mlflow/http";
import { LAKE_SOURCE_TYPE, versionDigest } from "./lineage";
import type { TableVersion } from "./table-versions";

/** A run that read a table version. */
export type TableRun = { runId: string; runName: string; experimentId: string };

// MLflow accepts many experiment ids per search; chunks keep the request small.
const EXPERIMENTS_PER_SEARCH = 100;

/** Runs that read each version of `table` (version → runs, oldest run first). */
export async function runsByVersion(input: {
  trackingUri: string;
  lake: string;
  table: string;
  versions: readonly TableVersion[];
}): Promise<Map<number, TableRun[]>> {
  const digests = new Map(
    input.versions.map((v) => [
      versionDigest({ ...input, version: v.version, time: v.time }),
      v.version,
    ]),
  );
  const result = new Map<number, TableRun[]>();
  const client = new MlflowClient({ trackingUri: input.trackingUri });
  try {
    const experimentIds = await allExperimentIds(input.trackingUri);
    for (let i = 0; i < experimentIds.length; i += EXPERIMENTS_PER_SEARCH) {
      let pageToken: string | undefined;
      do {
        const page = await client.searchRuns({
          experimentIds: experimentIds.slice(i, i + EXPERIMENTS_PER_SEARCH),
          filter: `dataset.name = '${input.table}'`,
          orderBy: ["attributes.start_time ASC"],
          runViewType: "ALL",
          ...(pageToken ? { pageToken } : {}),
        });
        for (const run of page.items) {
          const versions = new Set(
            run.inputs.datasetInputs
              .filter((d) => d.dataset.sourceType === LAKE_SOURCE_TYPE)
              .map((d) => digests.get(d.dataset.digest))
              .filter((v): v is number => v !== undefined),
          );
          for (const version of versions) {
            const runs = result.get(version) ?? [];
            runs.push({
              runId: run.info.runId,
              runName: run.info.runName,
              experimentId: run.info.experimentId,
            });
            result.set(version, runs);
          }
        }
        pageToken = page.nextPageToken;
      } while (pageToken);
    }
  } finally {
    await client.close();
  }
  return result;
}

async function allExperimentIds(trackingUri: string): Promise<string[]> {
  const http = new MlflowTransport({ trackingUri });
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const page: { experiments?: { experiment_id: string }[]; next_page_token?: string } =
      await http.json({
        method: "POST",
        path: "/api/2.0/mlflow/experiments/search",
        body: {
          max_results: 1000,
          view_type: "ALL",
          ...(pageToken ? { page_token: pageToken } : {}),
        },
      });
    ids.push(...(page.experiments ?? []).map((e) => e.experiment_id));
    pageToken = page.next_page_token || undefined;
  } while (pageToken);
  return ids;
}
