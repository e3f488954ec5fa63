// Lineage on the real MLflow server: reading a lake table records an MLflow dataset input on the
// active run (name, digest, source = lake URI + table + version), and kiln.data.describe finds
// the runs that read each version through MLflow's run search.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as kiln from "@kiln/kernel-lib";
import { realMlflowUri } from "../support/real-mlflow";

const lake = mkdtempSync(join(tmpdir(), "kiln-data-lineage-"));
afterAll(() => rmSync(lake, { recursive: true, force: true }));
// Unique per test run: MLflow's store outlives a single file's tests.
const table = `sensors-${Date.now().toString(36)}`;

type WireDatasetInput = {
  dataset: { name: string; digest: string; source_type: string; source: string; schema?: string };
  tags?: { key: string; value: string }[];
};

/** A run's dataset inputs as MLflow's REST API returns them. */
async function restInputs(runId: string): Promise<WireDatasetInput[]> {
  const response = await fetch(`${realMlflowUri()}/api/2.0/mlflow/runs/get?run_id=${runId}`);
  const body = (await response.json()) as {
    run: { inputs?: { dataset_inputs?: WireDatasetInput[] } };
  };
  return body.run.inputs?.dataset_inputs ?? [];
}

describe("lineage of lake reads", () => {
  let explicitRun: kiln.ActiveRun;
  let notebookRunId: string;

  beforeAll(async () => {
    await kiln.data.ingest([{ id: 1, v: 0.5 }], { table, lake, tag: "raw-2026-11-01" });
    await kiln.data.ingest([{ id: 2, v: 1.5 }], { table, lake });
  });

  it("records a read on a given run as a dataset input with the table's version", async () => {
    explicitRun = await kiln.startRun({ experiment: "data-lineage", trackingUri: realMlflowUri() });
    await kiln.data.read(table, {
      lake,
      tag: "raw-2026-11-01",
      lineage: { run: explicitRun, context: "training" },
    });
    await explicitRun.end();

    const [input, ...others] = await restInputs(explicitRun.id);
    expect(others).toEqual([]);
    expect(input!.dataset).toMatchObject({ name: table, source_type: "kiln-lake" });
    expect(input!.dataset.digest).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.parse(input!.dataset.source)).toEqual({
      uri: lake,
      table,
      version: 1,
      tag: "raw-2026-11-01",
    });
    expect(JSON.parse(input!.dataset.schema!)).toEqual({
      mlflow_colspec: [
        { name: "id", type: "long", required: false },
        { name: "v", type: "double", required: false },
      ],
    });
    expect(input!.tags).toContainEqual({ key: "mlflow.data.context", value: "training" });
  });

  it("records a notebook read on the interactive run kiln.log uses", async () => {
    process.env["MLFLOW_TRACKING_URI"] = realMlflowUri();
    process.env["KILN_EXPERIMENT"] = "data-lineage-notebook";
    await kiln.data.read(table, { lake });
    await kiln.log.flush();
    expect(kiln.log.recorded().datasets).toHaveLength(1);

    const client = new kiln.MlflowClient({ trackingUri: realMlflowUri() });
    const experiment = await client.getExperimentByName("data-lineage-notebook");
    const { items } = await client.searchRuns({ experimentIds: [experiment!.experimentId] });
    await client.close();
    expect(items).toHaveLength(1);
    notebookRunId = items[0]!.info.runId;
    const inputs = await restInputs(notebookRunId);
    expect(inputs.map((i) => JSON.parse(i.dataset.source) as unknown)).toEqual([
      { uri: lake, table, version: 2 },
    ]);
  });

  it("lists which runs read each version", async () => {
    const description = await kiln.data.describe(table, { lake, trackingUri: realMlflowUri() });
    expect(description.versions.map((v) => [v.version, v.runs?.map((r) => r.runId)])).toEqual([
      [1, [explicitRun.id]],
      [2, [notebookRunId]],
    ]);
  });

  it("records nothing when asked not to", async () => {
    const run = await kiln.startRun({ experiment: "data-lineage", trackingUri: realMlflowUri() });
    await kiln.data.read(table, { lake, lineage: false });
    await run.end();
    expect(await restInputs(run.id)).toEqual([]);
  });
});
