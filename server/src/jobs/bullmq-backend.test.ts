import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hasRedisServer, startRedis, type TestRedis } from "../../../test/fixtures/redis-server";
import { fakeServedModel, type FakeServedModel } from "../../../test/support/fake-served-model";
import { BullmqJobQueue } from "./bullmq-backend";
import type { JobBackend } from "./job-backend";
import { JobQueue } from "./job-queue";
import type { JobDocument } from "./job-store";

let redis: TestRedis;
let model: FakeServedModel;
const opened: JobBackend[] = [];

function openQueue(options: { maxBatchRows?: number; delayMs?: number } = {}): BullmqJobQueue {
  model = fakeServedModel({ delayMs: options.delayMs ?? 2 });
  const queue = new BullmqJobQueue({
    redisUrl: redis.url,
    queueName: `kiln-test-${randomUUID()}`,
    models: (endpoint) => (endpoint === "churn" ? model : undefined),
    pollIntervalMs: 20,
    ...(options.maxBatchRows === undefined ? {} : { maxBatchRows: options.maxBatchRows }),
  });
  opened.push(queue);
  return queue;
}

async function until(read: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await read())) {
    if (Date.now() > deadline) throw new Error("Timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("JobQueue.openBackend", () => {
  it("opens BullMQ for a redis URL, SQLite without one, and explains a bad URL", async () => {
    const models = () => undefined;
    const sqlite = JobQueue.openBackend({ file: ":memory:", models });
    expect(sqlite).toBeInstanceOf(JobQueue);
    await sqlite.stop();
    // An empty KILN_JOBS_REDIS_URL means unset.
    const unset = JobQueue.openBackend({ file: ":memory:", redisUrl: "", models });
    expect(unset).toBeInstanceOf(JobQueue);
    await unset.stop();
    const redisQueue = JobQueue.openBackend({ redisUrl: "redis://127.0.0.1:1", models });
    expect(redisQueue).toBeInstanceOf(BullmqJobQueue);
    await redisQueue.stop(0);
    expect(() => JobQueue.openBackend({ redisUrl: "127.0.0.1:6379", models })).toThrow(
      /KILN_JOBS_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/,
    );
  });
});

describe.runIf(hasRedisServer)("BullmqJobQueue", () => {
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((queue) => queue.stop(1_000)));
  });
  afterAll(async () => {
    await redis.stop();
  });

  it("scores many jobs in few predict calls, each job with its own result", async () => {
    const queue = openQueue({ maxBatchRows: 25 });
    const jobs: JobDocument[] = [];
    for (let i = 0; i < 60; i += 1) {
      jobs.push(await queue.submit("churn", { rows: [{ tenure: i, visits: 1 }] }));
    }
    queue.start();
    await until(async () => (await queue.counts()).succeeded === 60);
    expect(queue.stats()).toMatchObject({ batches: 3, predictCalls: 3, rows: 60 });
    const seventh = await queue.get(jobs[7]?.job_id as string);
    expect(seventh).toMatchObject({
      status: "succeeded",
      result: { predictions: [0.5 * 7 + 2 + 1] },
    });
    expect(seventh?.started_at).toBeDefined();
    expect(seventh?.finished_at).toBeDefined();
  });

  it("cancels a running job and drops its result", async () => {
    const queue = openQueue({ delayMs: 300 });
    const { job_id } = await queue.submit("churn", { rows: [{ tenure: 1, visits: 1 }] });
    queue.start();
    await until(async () => (await queue.get(job_id))?.status === "running");
    const outcome = await queue.cancel(job_id);
    expect(outcome).toMatchObject({ canceled: true, job: { status: "canceled" } });
    await until(async () => (await queue.counts()).running === undefined);
    const job = await queue.get(job_id);
    expect(job?.status).toBe("canceled");
    expect(job?.result).toBeUndefined();
    expect((await queue.cancel(job_id))?.canceled).toBe(false);
  });

  it("keeps jobs of an endpoint without a model waiting", async () => {
    const queue = openQueue();
    const { job_id } = await queue.submit("churn", { rows: [{ tenure: 1, visits: 1 }] });
    const served = model;
    // The model goes away after the submit: the job waits instead of failing.
    model = undefined as unknown as FakeServedModel;
    queue.start();
    await new Promise((r) => setTimeout(r, 100));
    expect((await queue.get(job_id))?.status).toBe("pending");
    model = served;
    await until(async () => (await queue.get(job_id))?.status === "succeeded");
  });
});
