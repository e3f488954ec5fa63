import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { MlflowClient } from "./client";
import { FileLock } from "./file-lock";
import type { TrackingOperation } from "./operations";
import { realMlflowUri, realMlflowClient } from "../../../test/support/real-mlflow";

const trackingUri = realMlflowUri();
vi.setConfig({ testTimeout: 60_000 });

const fastRetry = { attempts: 2, baseDelayMs: 10, maxDelayMs: 20, maxElapsedMs: 500 };
const real = realMlflowClient();

async function closedPortUri(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function newRunId(): Promise<string> {
  const experiment = await real.getOrCreateExperiment(`spool-test-${randomUUID()}`);
  return (await real.createRun({ experimentId: experiment.experimentId })).info.runId;
}

// Logs through a client pointed at a closed port: everything must land in the spool.
async function logWhileDown(spoolDir: string, runId: string, steps: number): Promise<void> {
  const down = new MlflowClient({ trackingUri: await closedPortUri(), retry: fastRetry, spoolDir });
  down.enqueueParams(runId, { lr: 0.1 });
  for (let step = 0; step < steps; step++) {
    down.enqueueMetrics(runId, { loss: 1 / (step + 1), acc: step / steps }, { step });
  }
  down.enqueueTags(runId, { phase: "first" });
  down.enqueueTags(runId, { phase: "second" });
  await down.endRun(runId, "FINISHED");
  await down.close();
}

async function expectExactlyOnce(runId: string, steps: number): Promise<void> {
  const loss = await real.getMetricHistory(runId, "loss");
  expect(loss).toHaveLength(steps);
  expect(new Set(loss.map((m) => m.step)).size).toBe(steps);
  expect(await real.getMetricHistory(runId, "acc")).toHaveLength(steps);
  const run = await real.getRun(runId);
  expect(run.data.params).toEqual({ lr: "0.1" });
  expect(run.data.tags["phase"]).toBe("second");
  expect(run.info.status).toBe("FINISHED");
}

describe("spool on a real server", () => {
  it("spools while MLflow is unreachable and replays each metric exactly once", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "kiln-spool-"));
    const runId = await newRunId();
    await logWhileDown(spoolDir, runId, 1500);
    expect(existsSync(join(spoolDir, "spool.jsonl"))).toBe(true);
    expect((await real.getRun(runId)).data.metrics).toEqual({});

    // A fresh client with the same spool directory, as after a process restart.
    const back = new MlflowClient({ trackingUri, spoolDir });
    const result = await back.replaySpool();
    expect(result).toMatchObject({ rejected: 0, remaining: 0 });
    expect(result.sent).toBeGreaterThanOrEqual(4); // params+metrics split, tags, update-run
    expect(existsSync(join(spoolDir, "spool.jsonl"))).toBe(false);
    await expectExactlyOnce(runId, 1500);

    expect(await back.replaySpool()).toEqual({ sent: 0, rejected: 0, remaining: 0 });
    await back.close();
  });

  it("replays, exactly once, what a process that has since exited spooled", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "kiln-spool-"));
    const runId = await newRunId();
    const root = join(__dirname, "..", "..", "..");
    await promisify(execFile)(join(root, "node_modules", ".bin", "tsx"), [
      join(root, "test", "fixtures", "spool-writer.ts"),
      spoolDir,
      await closedPortUri(),
      runId,
      "1200",
    ]);
    expect(existsSync(join(spoolDir, "spool.jsonl"))).toBe(true);

    const restarted = new MlflowClient({ trackingUri, spoolDir });
    const result = await restarted.replaySpool();
    await restarted.close();
    expect(result.remaining).toBe(0);
    await expectExactlyOnce(runId, 1200);
  });

  it("re-sending batches whose acknowledgement was lost creates no duplicates", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "kiln-spool-"));
    const runId = await newRunId();
    await logWhileDown(spoolDir, runId, 1200);
    // Keep the un-acknowledged spool, replay it, then put it back: as if the process died after
    // MLflow stored everything but before any ack line reached the disk.
    const file = join(spoolDir, "spool.jsonl");
    copyFileSync(file, `${file}.copy`);
    const back = new MlflowClient({ trackingUri, spoolDir });
    await back.replaySpool();
    copyFileSync(`${file}.copy`, file);
    const again = await back.replaySpool();
    expect(again.sent).toBeGreaterThanOrEqual(4);
    await expectExactlyOnce(runId, 1200);
    await back.close();
  });

  it("replays automatically on first use of a new client", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "kiln-spool-"));
    const runId = await newRunId();
    await logWhileDown(spoolDir, runId, 10);
    const back = new MlflowClient({ trackingUri, spoolDir });
    await back.getExperimentByName("Default");
    await vi.waitFor(() => expect(existsSync(join(spoolDir, "spool.jsonl"))).toBe(false), {
      timeout: 20_000,
      interval: 100,
    });
    await expectExactlyOnce(runId, 10);
    await back.close();
  });

  it("queues new writes behind spooled ones while the spool is not empty", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "kiln-spool-"));
    const runId = await newRunId();
    const down = new MlflowClient({
      trackingUri: await closedPortUri(),
      retry: fastRetry,
      spoolDir,
    });
    await down.setTag(runId, "state", "old");
    await down.close();
    const back = new MlflowClient({ trackingUri, spoolDir });
    // Hold the replay lock so the automatic replay cannot run before our write.
    const lock = await FileLock.acquire(join(spoolDir, "replay.lock"));
    await back.setTag(runId, "state", "new");
    expect((await real.getRun(runId)).data.tags["state"]).toBeUndefined();
    await lock?.release();
    await back.replaySpool();
    expect((await real.getRun(runId)).data.tags["state"]).toBe("new");
    await back.close();
  });

  it("lets only one replayer run at a time", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "kiln-spool-"));
    const runId = await newRunId();
    await logWhileDown(spoolDir, runId, 5);
    const lock = await FileLock.acquire(join(spoolDir, "replay.lock"));
    expect(lock).toBeDefined();
    const other = new MlflowClient({ trackingUri, spoolDir });
    const skipped = await other.replaySpool();
    expect(skipped).toMatchObject({ sent: 0, skipped: "locked" });
    expect(skipped.remaining).toBeGreaterThan(0);
    await lock?.release();
    expect(await other.replaySpool()).toMatchObject({ remaining: 0 });
    await expectExactlyOnce(runId, 5);
    await other.close();
  });

  it("moves writes MLflow refuses for good to rejected.jsonl and carries on", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "kiln-spool-"));
    const runId = await newRunId();
    const down = new MlflowClient({
      trackingUri: await closedPortUri(),
      retry: fastRetry,
      spoolDir,
    });
    await down.logMetric("0".repeat(32), "ghost", 1);
    await down.logMetric(runId, "real", 2);
    await down.close();
    const refused: TrackingOperation[] = [];
    const back = new MlflowClient({
      trackingUri,
      spoolDir,
      onSpoolRejected: (operation) => refused.push(operation),
    });
    expect(await back.replaySpool()).toEqual({ sent: 1, rejected: 1, remaining: 0 });
    expect(refused).toHaveLength(1);
    const rejectedLines = readFileSync(join(spoolDir, "rejected.jsonl"), "utf8").trim().split("\n");
    expect(JSON.parse(rejectedLines[0] ?? "{}")).toMatchObject({
      error: { errorCode: "RESOURCE_DOES_NOT_EXIST" },
    });
    expect(await real.getMetricHistory(runId, "real")).toHaveLength(1);
    await back.close();
  });
});
