import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { artifactProxyPath } from "./artifacts";
import { MlflowApiError, MlflowValidationError } from "./errors";
import { realMlflowClient } from "../../../test/support/real-mlflow";

vi.setConfig({ testTimeout: 120_000 });

const client = realMlflowClient();
const work = mkdtempSync(join(tmpdir(), "kiln-artifacts-"));

async function newRunId() {
  const experiment = await client.getOrCreateExperiment(`artifacts-test-${randomUUID()}`);
  return (await client.createRun({ experimentId: experiment.experimentId })).info.runId;
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("artifactProxyPath", () => {
  it("maps mlflow-artifacts URIs (with or without authority) to the proxy", () => {
    expect(artifactProxyPath("mlflow-artifacts:/1/abc/artifacts", "plots/roc curve.png")).toBe(
      "/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/plots/roc%20curve.png",
    );
    expect(artifactProxyPath("mlflow-artifacts://host:5000/1/abc/artifacts", "x")).toBe(
      "/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/x",
    );
    expect(() => artifactProxyPath("s3://bucket/1/abc", "x")).toThrow(/artifact proxy/);
    expect(() => artifactProxyPath("mlflow-artifacts:/1/abc/artifacts", "../x")).toThrow(
      MlflowValidationError,
    );
  });
});

describe("artifacts on a real server", () => {
  it("uploads, lists and downloads a file (streamed, 12 MB)", async () => {
    const runId = await newRunId();
    const local = join(work, "weights.bin");
    writeFileSync(local, randomBytes(12 * 1024 * 1024));
    expect(await client.logArtifact(runId, local, "model")).toBe("model/weights.bin");

    expect(await client.listArtifacts(runId)).toEqual([
      { path: "model", isDir: true, fileSize: undefined },
    ]);
    expect(await client.listArtifacts(runId, "model")).toEqual([
      { path: "model/weights.bin", isDir: false, fileSize: 12 * 1024 * 1024 },
    ]);
    const dest = join(work, "down", "weights.bin");
    await client.downloadArtifact(runId, "model/weights.bin", dest);
    expect(sha256(dest)).toBe(sha256(local));
  });

  it("uploads and downloads a directory recursively", async () => {
    const runId = await newRunId();
    const src = join(work, "bundle");
    mkdirSync(join(src, "nested", "deeper"), { recursive: true });
    writeFileSync(join(src, "model.json"), '{"format":"layers-model"}');
    writeFileSync(join(src, "nested", "stats.json"), "{}");
    writeFileSync(join(src, "nested", "deeper", "a b.txt"), "spaces ok");
    const uploaded = await client.logArtifacts(runId, src, "bundle");
    expect(uploaded.sort()).toEqual([
      "bundle/model.json",
      "bundle/nested/deeper/a b.txt",
      "bundle/nested/stats.json",
    ]);

    const dest = join(work, "bundle-down");
    const written = await client.downloadArtifacts(runId, "bundle", dest);
    expect(written).toHaveLength(3);
    expect(readFileSync(join(dest, "model.json"), "utf8")).toBe('{"format":"layers-model"}');
    expect(readFileSync(join(dest, "nested", "deeper", "a b.txt"), "utf8")).toBe("spaces ok");
  });

  it("rejects traversal before sending, and reports a missing artifact as MlflowApiError", async () => {
    const runId = await newRunId();
    const local = join(work, "x.txt");
    writeFileSync(local, "x");
    await expect(client.logArtifact(runId, local, "../escape")).rejects.toThrow(
      MlflowValidationError,
    );
    await expect(client.downloadArtifact(runId, "/etc/passwd", join(work, "p"))).rejects.toThrow(
      MlflowValidationError,
    );
    expect(await client.listArtifacts(runId)).toEqual([]);
    const error = await client
      .downloadArtifact(runId, "missing.txt", join(work, "missing.txt"))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowApiError);
    expect(error).toMatchObject({ errorCode: "RESOURCE_DOES_NOT_EXIST", status: 404 });
  });
});
