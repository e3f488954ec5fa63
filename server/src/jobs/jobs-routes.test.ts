import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import type { Hono } from "hono";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { hasRedisServer, startRedis, type TestRedis } from "../../../test/fixtures/redis-server";
import { fakeServedModel, type FakeServedModel } from "../../../test/support/fake-served-model";
import { BullmqJobQueue } from "./bullmq-backend";
import type { JobBackend, MaybePromise } from "./job-backend";
import { JobQueue, type JobQueueOptions } from "./job-queue";
import type { JobDocument } from "./job-store";
import { jobsRoutes } from "./jobs-routes";

let dir: string;
let queue: JobBackend;
let model: FakeServedModel;
let app: Hono;
let redis: TestRedis | undefined;

/** The queues the routes run on: the embedded SQLite file, and BullMQ on a private redis-server. */
const backends = [
  { name: "sqlite", available: true },
  { name: "redis", available: hasRedisServer },
] as const;
let backend: (typeof backends)[number]["name"] = "sqlite";

function openQueue(options: Partial<JobQueueOptions> = {}): void {
  const models = (endpoint: string) => (endpoint === "churn" ? model : undefined);
  queue =
    backend === "sqlite"
      ? JobQueue.open({ file: join(dir, "jobs.sqlite"), models, ...options })
      : new BullmqJobQueue({
          redisUrl: (redis as TestRedis).url,
          // A queue per test: tests share the redis-server, not their jobs.
          queueName: `kiln-test-${randomUUID()}`,
          models,
          pollIntervalMs: 20,
          ...(options.callbacks ? { callbacks: options.callbacks } : {}),
        });
  app = jobsRoutes(queue, { maxBodyBytes: 2_000 });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kiln-jobs-routes-"));
  model = fakeServedModel({ delayMs: 2 });
});

afterEach(async () => {
  await queue.stop(1_000);
  rmSync(dir, { recursive: true, force: true });
});

function post(path: string, body: unknown): Promise<Response> | Response {
  return app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function until<T>(
  read: () => MaybePromise<T>,
  done: (value: T) => boolean,
  ms = 5_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function finished(id: string): Promise<JobDocument> {
  return until(
    async () => (await queue.get(id)) as JobDocument,
    (job) => !["pending", "running"].includes(job.status),
  );
}

for (const { name, available } of backends) {
  describe.runIf(available)(`jobs on ${name}`, () => {
    beforeAll(async () => {
      backend = name;
      if (name === "redis") redis = await startRedis();
    });
    afterAll(async () => {
      await redis?.stop();
      redis = undefined;
    });

    describe("jobsRoutes", () => {
      it("accepts a job, runs it and answers its result", async () => {
        openQueue();
        queue.start();
        const res = await post("/endpoints/churn/jobs", {
          dataframe_split: {
            columns: ["tenure", "visits"],
            data: [
              [2, 1],
              [null, 3],
            ],
          },
        });
        expect(res.status).toBe(202);
        const accepted = (await res.json()) as {
          job_id: string;
          status: string;
          status_url: string;
        };
        expect(accepted).toEqual({
          job_id: expect.any(String),
          status: "pending",
          status_url: `/jobs/${accepted.job_id}`,
        });
        await finished(accepted.job_id);
        const status = await app.request(accepted.status_url);
        expect(status.status).toBe(200);
        const job = (await status.json()) as JobDocument;
        expect(job).toMatchObject({
          job_id: accepted.job_id,
          endpoint: "churn",
          status: "succeeded",
          result: { predictions: [1 + 2 + 1, -1], model_version: "1", fallback: [false, true] },
        });
        expect(Date.parse(job.created_at)).toBeLessThanOrEqual(Date.parse(job.finished_at ?? ""));
        expect(job.started_at).toBeDefined();
      });

      it("cancels a pending job, and answers 409 once it has ended", async () => {
        openQueue(); // not started: the job stays pending
        const res = await post("/endpoints/churn/jobs", { inputs: [{ tenure: 1, visits: 1 }] });
        const { job_id } = (await res.json()) as { job_id: string };
        const canceled = await app.request(`/jobs/${job_id}`, { method: "DELETE" });
        expect(canceled.status).toBe(200);
        expect(await canceled.json()).toMatchObject({ status: "canceled" });
        const again = await app.request(`/jobs/${job_id}/cancel`, { method: "POST" });
        expect(again.status).toBe(409);
        expect(await again.json()).toMatchObject({ error: { code: "JOB_FINISHED" } });
        queue.start();
        await new Promise((r) => setTimeout(r, 30));
        expect((await queue.get(job_id))?.status).toBe("canceled");
        expect(model.calls).toHaveLength(0);
      });

      const badRequests: [string, string, unknown, number, string, RegExp][] = [
        ["unknown job", "GET", undefined, 404, "JOB_NOT_FOUND", /No job/],
        [
          "unknown endpoint",
          "POST nope",
          { inputs: [{ tenure: 1 }] },
          404,
          "ENDPOINT_NOT_FOUND",
          /nope/,
        ],
        ["invalid JSON", "POST", "{", 400, "INVALID_JOB", /not valid JSON/],
        ["no input format", "POST", { rows: [] }, 400, "INVALID_JOB", /Unknown field "rows"/],
        ["no rows", "POST", { inputs: [] }, 400, "INVALID_JOB", /no rows/],
        [
          "a bad row",
          "POST",
          { inputs: [{ tenure: "x", visits: 1 }] },
          400,
          "INVALID_JOB",
          /tenure/,
        ],
        ["a missing feature", "POST", { inputs: [{ tenure: 1 }] }, 400, "INVALID_JOB", /visits/],
        [
          "a non-http callback",
          "POST",
          { inputs: [{ tenure: 1, visits: 1 }], callback_url: "file:///etc/passwd" },
          400,
          "INVALID_JOB",
          /http:\/\/ or https:\/\//,
        ],
        [
          "a body over the limit",
          "POST",
          { inputs: Array.from({ length: 200 }, () => ({ tenure: 1, visits: 1 })) },
          413,
          "JOB_TOO_LARGE",
          /larger than 2000 bytes/,
        ],
      ];
      for (const [name, method, body, status, code, message] of badRequests) {
        it(`answers ${status} for ${name}`, async () => {
          openQueue();
          const endpoint = method.split(" ")[1] ?? "churn";
          const res =
            method === "GET"
              ? await app.request("/jobs/no-such-job")
              : await post(`/endpoints/${endpoint}/jobs`, body);
          expect(res.status).toBe(status);
          const error = ((await res.json()) as { error: { code: string; message: string } }).error;
          expect(error.code).toBe(code);
          expect(error.message).toMatch(message);
        });
      }
    });

    describe("job callbacks", () => {
      let server: Server;
      let received: { attempt: number; body: JobDocument }[];

      beforeEach(async () => {
        received = [];
        let attempt = 0;
        server = createServer((req: IncomingMessage, res) => {
          let text = "";
          req.on("data", (chunk: Buffer) => (text += chunk.toString()));
          req.on("end", () => {
            attempt += 1;
            received.push({ attempt, body: JSON.parse(text) as JobDocument });
            // The first attempt fails: delivery must retry.
            res.writeHead(attempt === 1 ? 503 : 204).end();
          });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      });

      afterEach(async () => {
        await new Promise((r) => server.close(r));
      });

      it("POSTs the finished job to callback_url, retrying after a failure", async () => {
        openQueue({ callbacks: { baseDelayMs: 20, maxAttempts: 3 } });
        queue.start();
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
        const res = await post("/endpoints/churn/jobs", {
          instances: [[4, 1, true]],
          callback_url: url,
        });
        const { job_id } = (await res.json()) as { job_id: string };
        const job = await until(
          async () => (await queue.get(job_id)) as JobDocument,
          (doc) => doc.callback?.delivered_at !== undefined,
        );
        expect(job.callback).toMatchObject({ url, attempts: 2 });
        expect(job.callback?.last_error).toBeUndefined();
        expect(received).toHaveLength(2);
        expect(received[1]?.body).toMatchObject({
          job_id,
          status: "succeeded",
          result: { predictions: [2 + 2 + 1 + 1] },
        });
      });

      it("gives up after maxAttempts and records the last error", async () => {
        openQueue({ callbacks: { baseDelayMs: 5, maxAttempts: 2 } });
        queue.start();
        const res = await post("/endpoints/churn/jobs", {
          inputs: [{ tenure: 1, visits: 1 }],
          callback_url: "http://127.0.0.1:9/unreachable",
        });
        const { job_id } = (await res.json()) as { job_id: string };
        const job = await until(
          async () => (await queue.get(job_id)) as JobDocument,
          (doc) => doc.callback?.attempts === 2,
        );
        expect(job.status).toBe("succeeded");
        expect(job.callback?.delivered_at).toBeUndefined();
        expect(job.callback?.last_error).toMatch(/POST http:\/\/127.0.0.1:9\/unreachable failed/);
      });
    });
  });
}
