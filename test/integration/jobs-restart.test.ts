// Async jobs survive a crash of the real server: 1,000 jobs are submitted to `kiln serve`, the
// server is SIGKILLed while it works through them and started again on the same state; every
// job succeeds, and each result was stored exactly once.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../kernel-lib/src/mlflow/server";
import { log } from "../../kernel-lib/src/pipeline/runtime/log";
import { loadTensorflow } from "../../kernel-lib/src/tf/backend";
import { realMlflowUri } from "../support/real-mlflow";

const root = join(__dirname, "..", "..");
const keys = { admin: "kiln_admin_jobs_restart_test", predict: "kiln_predict_jobs_restart_test" };
const modelName = `jobs-restart-${Date.now()}`;
const jobCount = 1_000;
let stateDir: string;
let port: number;
let server: ChildProcess | undefined;

async function startServer(): Promise<void> {
  server = spawn(
    process.execPath,
    [join(root, "server", "dist", "cli.js"), "serve", "--port", String(port)],
    {
      env: {
        ...process.env,
        KILN_STATE_DIR: stateDir,
        MLFLOW_TRACKING_URI: realMlflowUri(),
        KILN_ADMIN_KEY: keys.admin,
        KILN_PREDICT_KEY: keys.predict,
      },
      stdio: "ignore",
    },
  );
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("kiln serve did not come up");
}

const call = (path: string, key: string, body?: unknown) =>
  fetch(`http://127.0.0.1:${port}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

beforeAll(async () => {
  process.env["MLFLOW_TRACKING_URI"] = realMlflowUri();
  process.env["KILN_EXPERIMENT"] = "jobs-restart-test";
  stateDir = await mkdtemp(join(tmpdir(), "kiln-jobs-restart-"));
  port = await freePort();
  const { tf } = await loadTensorflow();
  // Wide enough that 1,000 jobs take a moment: the kill must land while jobs are running.
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 512, activation: "relu", inputShape: [2] }),
      tf.layers.dense({ units: 512, activation: "relu" }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  await log.model(model, {
    name: modelName,
    inputSchema: {
      features: [
        { name: "a", dtype: "float32" },
        { name: "b", dtype: "float32" },
      ],
    },
  });
  await startServer();
  const promoted = await call("/api/endpoints/scorer/promote", keys.admin, {
    model: modelName,
    version: "1",
  });
  expect(promoted.status).toBe(200);
}, 180_000);

afterAll(async () => {
  server?.kill("SIGKILL");
  await log.flush();
  await rm(stateDir, { recursive: true, force: true });
});

describe("async jobs across a crash of kiln serve", () => {
  it("finish all 1,000 jobs, each result stored exactly once", async () => {
    // Submitted 50 at a time, so that the queue is full long before the worker is through it.
    const ids: string[] = [];
    const rows = Array.from({ length: 100 }, (_, r) => ({ a: r, b: -r }));
    for (let start = 0; start < jobCount; start += 50) {
      const responses = await Promise.all(
        Array.from({ length: 50 }, () =>
          call("/endpoints/scorer/jobs", keys.predict, { dataframe_records: rows }),
        ),
      );
      for (const response of responses) {
        expect(response.status).toBe(202);
        ids.push(((await response.json()) as { job_id: string }).job_id);
      }
    }
    // Wait until some jobs are done, then crash the server mid-way.
    const succeeded = async () => {
      const db = new Database(join(stateDir, "jobs.sqlite"), { readonly: true });
      try {
        return (
          db.prepare("SELECT count(*) AS n FROM jobs WHERE status = 'succeeded'").get() as {
            n: number;
          }
        ).n;
      } finally {
        db.close();
      }
    };
    let done = await succeeded();
    while (done === 0) {
      await new Promise((r) => setTimeout(r, 20));
      done = await succeeded();
    }
    server!.kill("SIGKILL");
    await new Promise((r) => server!.once("exit", r));
    const atCrash = await succeeded();
    expect(atCrash).toBeLessThan(jobCount);

    await startServer();
    for (;;) {
      if ((await succeeded()) === jobCount) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const id of [ids[0]!, ids[jobCount - 1]!]) {
      const job = (await (await call(`/jobs/${id}`, keys.predict)).json()) as {
        status: string;
        result: { predictions: number[]; model_version: string };
      };
      expect(job.status).toBe("succeeded");
      expect(job.result.predictions).toHaveLength(100);
      expect(job.result.model_version).toBe("1");
    }
    const db = new Database(join(stateDir, "jobs.sqlite"), { readonly: true });
    const writes = db
      .prepare("SELECT result_writes AS w, count(*) AS n FROM jobs GROUP BY result_writes")
      .all();
    db.close();
    expect(writes).toEqual([{ w: 1, n: jobCount }]);
  }, 240_000);
});
