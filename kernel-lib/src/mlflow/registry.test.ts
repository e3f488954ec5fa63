import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { MlflowApiError, MlflowValidationError } from "./errors";
import { realMlflowClient } from "../../../test/support/real-mlflow";

vi.setConfig({ testTimeout: 60_000 });

const client = realMlflowClient();

describe("model registry on a real server", () => {
  it("registers a run's model, tags it and moves aliases", async () => {
    const experiment = await client.getOrCreateExperiment(`registry-test-${randomUUID()}`);
    const run = await client.createRun({ experimentId: experiment.experimentId });
    const dir = mkdtempSync(join(tmpdir(), "kiln-model-"));
    writeFileSync(join(dir, "model.json"), "{}");
    await client.logArtifacts(run.info.runId, dir, "model");

    const name = `model-${randomUUID()}`;
    const created = await client.createRegisteredModel({
      name,
      description: "d",
      tags: { a: "1" },
    });
    const again = await client.createRegisteredModel({ name });
    expect(again.name).toBe(created.name);
    expect(again.tags).toEqual({ a: "1" });

    const source = `${run.info.artifactUri}/model`;
    const v1 = await client.createModelVersion({
      name,
      source,
      runId: run.info.runId,
      tags: { stage: "candidate" },
      description: "first",
    });
    expect(v1).toMatchObject({ version: "1", status: "READY", source, runId: run.info.runId });
    expect(v1.tags).toEqual({ stage: "candidate" });
    const v2 = await client.createModelVersion({ name, source, runId: run.info.runId });
    expect(v2.version).toBe("2");

    await client.setModelVersionTag(name, "1", "validated", "true");
    await client.setRegisteredModelTag(name, "owner", "kiln");
    await client.setAlias(name, "champion", "1");
    await client.setAlias(name, "challenger", "2");
    expect((await client.getModelVersionByAlias(name, "champion")).version).toBe("1");
    await client.setAlias(name, "champion", "2");
    const champion = await client.getModelVersionByAlias(name, "champion");
    expect(champion.version).toBe("2");
    expect(champion.aliases.sort()).toEqual(["challenger", "champion"]);

    const model = await client.getRegisteredModel(name);
    expect(model.aliases).toEqual({ champion: "2", challenger: "2" });
    expect(model.tags).toEqual({ a: "1", owner: "kiln" });
    expect((await client.getModelVersion(name, "1")).tags).toEqual({
      stage: "candidate",
      validated: "true",
    });

    await client.deleteAlias(name, "challenger");
    const unknown = await client
      .getModelVersionByAlias(name, "challenger")
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(MlflowApiError);
    expect(unknown).toMatchObject({ errorCode: "INVALID_PARAMETER_VALUE" });

    const page = await client.searchRegisteredModels({ filter: `name = '${name}'` });
    expect(page.items.map((m) => m.name)).toEqual([name]);
    const byRun = await client.searchModelVersions({ filter: `run_id IN ('${run.info.runId}')` });
    expect(byRun.items.map((v) => `${v.name}/${v.version}`).sort()).toEqual([
      `${name}/1`,
      `${name}/2`,
    ]);
  });

  it("rejects reserved aliases and bad names client-side, and maps missing models", async () => {
    await expect(client.setAlias("m", "latest", "1")).rejects.toThrow(MlflowValidationError);
    await expect(client.setAlias("m", "v3", "1")).rejects.toThrow(/reserved/);
    await expect(client.createRegisteredModel({ name: "a/b" })).rejects.toThrow(
      MlflowValidationError,
    );
    await expect(client.getRegisteredModel(`missing-${randomUUID()}`)).rejects.toMatchObject({
      errorCode: "RESOURCE_DOES_NOT_EXIST",
      status: 404,
    });
  });
});
