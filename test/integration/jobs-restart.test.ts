// Async jobs survive a crash of the real server, on both job backends (the embedded SQLite file,
// and Redis with BullMQ): 1,000 jobs are submitted to `kiln serve`, the server is SIGKILLed while
// it works through them and started again on the same state; every job succeeds, and each result
// was stored exactly once.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../kernel-lib/src/mlflow/server";
import { log } from "../../kernel-lib/src/pipeline/runtime/log";
import { loadTensorflow } from "../../kernel-lib/src/tf/backend";
import { hasRedisServer, startRedis } from "../fixtures/redis-server";
import { realMlflowUri } from "../support/real-mlflow";

const root = join(__dirname, "..", "..");
const keys = { admin: "kiln_admin_jobs_restart_test", predict: "kiln_predict_jobs_restart_test" };
const modelName = `jobs-restart-${Date.now()}`;
const jobCount = 1_000;

/** The jobs of one backend as the test reads them, beside the server (which may be dead). */
type JobStore = {
  /** The environment that makes `kiln serve` use this backend. */
  env: Record<string, string>;
  succeeded(): Promise<number>;
  /** How many jobs had their result stored how many times: `{ 1: 1000 }` is exactly once each. */
  resultWrites(): Promise<Record<number, number>>;
  close(): Promise<void>;
};

type Backend = { name: string; available: boolean; open(stateDir: string): Promise<JobStore> };

const sqlite: Backend = {
  name: "SQLite",
  available: true,
  async open(stateDir) {
    const query = <Row>(sql: string): Row[] => {
      const db = new Database(join(stateDir, "jobs.sqlite"), { readonly: true });
      try {
        return db.prepare(sql).all() as Row[];
      } finally {
        db.close();
      }
    };
    return {
      // Empty means unset: the SQLite file even where the shell running the tests has a Redis.
      env: { KILN_JOBS_REDIS_URL: "" },
      succeeded: async () =>
        query<{ n: number }>("SELECT count(*) AS n FROM jobs WHERE status = 'succeeded'")[0]!.n,
      // The store counts every write of a result, in the same guarded update that stores it.
      resultWrites: async () =>
        Object.fromEntries(
          query<{ w: number; n: number }>(
            "SELECT result_writes AS w, count(*) AS n FROM jobs GROUP BY result_writes",
          ).map(({ w, n }) => [w, n]),
        ),
      close: async () => undefined,
    };
  },
};

const redis: Backend = {
  name: "Redis",
  available: hasRedisServer,
  async open() {
    // Only the server is killed: Redis keeps the jobs, as a separate service would.
    const server = await startRedis();
    // The queue `kiln serve` uses (its default name); skipMetasUpdate leaves its settings alone.
    const queue = new Queue("kiln-jobs", {
      connection: { host: "127.0.0.1", port: server.port },
      skipMetasUpdate: true,
    });
    return {
      env: { KILN_JOBS_REDIS_URL: server.url },
      succeeded: async () => (await queue.getJobCounts("completed")).completed ?? 0,
      // BullMQ adds one to `attemptsMade` in the script that stores a job's result, which only the
      // worker holding the job's lock can run (Kiln sets no retries; its delays count no attempt).
      resultWrites: async () => {
        const tally: Record<number, number> = {};
        for (const job of await queue.getJobs(["completed"])) {
          tally[job.attemptsMade] = (tally[job.attemptsMade] ?? 0) + 1;
        }
        return tally;
      },
      close: async () => {
        await queue.close();
        await server.stop();
      },
    };
  },
};

beforeAll(async () => {
  process.env["MLFLOW_TRACKING_URI"] = realMlflowUri();
  process.env["KILN_EXPERIMENT"] = "jobs-restart-test";
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
}, 180_000);

afterAll(async () => {
  await log.flush();
});

describe.each([sqlite, redis])("async jobs in $name across a crash of kiln serve", (backend) => {
  let stateDir: string;
  let port: number;
  let store: JobStore | undefined;
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
          ...store!.env,
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
    stateDir = await mkdtemp(join(tmpdir(), "kiln-jobs-restart-"));
    port = await freePort();
    store = await backend.open(stateDir);
    await startServer();
    const promoted = await call("/api/endpoints/scorer/promote", keys.admin, {
      model: modelName,
      version: "1",
    });
    expect(promoted.status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    server?.kill("SIGKILL");
    await store?.close();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  });

  it.runIf(backend.available)(
    "finish all 1,000 jobs, each result stored exactly once",
    async () => {
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
      const { succeeded, resultWrites } = store!;
      while ((await succeeded()) === 0) await new Promise((r) => setTimeout(r, 20));
      server!.kill("SIGKILL");
      await new Promise((r) => server!.once("exit", r));
      expect(await succeeded()).toBeLessThan(jobCount);

      // With Redis, the jobs the dead server was running wait for their lock to expire (30 s).
      await startServer();
      while ((await succeeded()) < jobCount) await new Promise((r) => setTimeout(r, 100));
      for (const id of [ids[0]!, ids[jobCount - 1]!]) {
        const job = (await (await call(`/jobs/${id}`, keys.predict)).json()) as {
          status: string;
          result: { predictions: number[]; model_version: string };
        };
        expect(job.status).toBe("succeeded");
        expect(job.result.predictions).toHaveLength(100);
        expect(job.result.model_version).toBe("1");
      }
      expect(await resultWrites()).toEqual({ 1: jobCount });
    },
    240_000,
  );
});
