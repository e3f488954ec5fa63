// No data lost: the MLflow server is stopped in the middle of logging and started again on the
// same port and store; every metric point arrives, exactly once.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MlflowClient, startMlflowServer, startRun, type MlflowServer } from "@kiln/kernel-lib";

const dir = mkdtempSync(join(tmpdir(), "kiln-fault-"));
let server: MlflowServer | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const chunks = 90;
const perChunk = 100; // 9,000 points in all
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("tracking through an MLflow outage", () => {
  it("delivers every metric exactly once after the server comes back", async () => {
    const store = join(dir, "mlflow");
    server = await startMlflowServer({ dir: store, attachToEnv: false });
    const port = server.port;
    const client = new MlflowClient({
      trackingUri: server.uri,
      spoolDir: join(dir, "spool"),
      flushIntervalMs: 50,
      retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200, maxElapsedMs: 1_000 },
    });
    const run = await startRun({ experiment: "outage", client });

    let restarting: Promise<MlflowServer> | undefined;
    for (let chunk = 0; chunk < chunks; chunk++) {
      for (let i = 0; i < perChunk; i++) {
        const step = chunk * perChunk + i;
        run.logMetric("loss", 1 / (step + 1), step);
      }
      if (chunk === 20) await server.stop(); // mid-run, with batches in flight
      if (chunk === 50) {
        // The outage really happened: what could not be sent waits in the spool on disk.
        expect(statSync(join(dir, "spool", "spool.jsonl")).size).toBeGreaterThan(0);
        // Logging goes on while the server starts again (migrations, workers).
        restarting = startMlflowServer({ dir: store, port, attachToEnv: false });
      }
      await sleep(20);
    }
    server = await restarting!;
    await run.end();
    const replay = await client.replaySpool();
    expect(replay.remaining).toBe(0);
    await client.close();

    const history = await client.getMetricHistory(run.id, "loss");
    const steps = history.map((m) => m.step).sort((a, b) => a - b);
    expect(steps).toEqual([...Array(chunks * perChunk).keys()]);
    expect(history.every((m) => m.value === 1 / (m.step + 1))).toBe(true);
    expect((await client.getRun(run.id)).info.status).toBe("FINISHED");
  });
});
