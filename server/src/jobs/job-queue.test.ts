import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeServedModel, type FakeServedModel } from "../../../test/support/fake-served-model";
import { JobQueue, JobQueueStoppedError, type JobQueueOptions } from "./job-queue";
import { JobStore } from "./job-store";
import type { ScoringRecord } from "../monitoring/prediction-log";

let dir: string;
let file: string;
let model: FakeServedModel;
const queues: JobQueue[] = [];

function openQueue(options: Partial<JobQueueOptions> = {}): JobQueue {
  const queue = JobQueue.open({
    file,
    models: (endpoint) => (endpoint === "churn" ? model : undefined),
    ...options,
  });
  queues.push(queue);
  return queue;
}

async function drained(queue: JobQueue): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const counts = queue.counts();
    if (!counts.pending && !counts.running) return;
    if (Date.now() > deadline) throw new Error(`Jobs left: ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kiln-job-queue-"));
  file = join(dir, "nested", "jobs.sqlite");
  model = fakeServedModel({ delayMs: 5 });
});

afterEach(async () => {
  await Promise.all(queues.splice(0).map((queue) => queue.stop(1_000)));
  rmSync(dir, { recursive: true, force: true });
});

describe("JobQueue", () => {
  it("logs every scored job for monitoring, the job id as its request id", async () => {
    const records: ScoringRecord[] = [];
    const queue = openQueue({ recorder: { record: (record) => records.push(record) } });
    const { job_id } = queue.submit("churn", {
      rows: [
        { tenure: 2, visits: 1 },
        { tenure: null, visits: 1 },
      ],
    });
    queue.start();
    await drained(queue);
    expect(records).toEqual([
      expect.objectContaining({
        requestId: job_id,
        endpoint: "churn",
        protocol: "job",
        status: 200,
        scored: {
          inputs: [
            { tenure: 2, visits: 1, annual: null },
            { tenure: null, visits: 1, annual: null },
          ],
          outputs: [[4], [-1]],
          usedFallback: [false, true],
        },
      }),
    ]);
  });

  it("scores many jobs in large batches: far fewer predict calls than jobs", async () => {
    const queue = openQueue({ maxBatchRows: 1_024 });
    const ids = Array.from(
      { length: 600 },
      (_, i) =>
        queue.submit("churn", {
          rows: [
            { tenure: i, visits: 0 },
            { tenure: i, visits: 1 },
          ],
        }).job_id,
    );
    queue.start();
    await drained(queue);
    expect(queue.counts()).toEqual({ succeeded: 600 });
    // 1,200 rows in batches of at most 1,024 rows.
    expect(model.calls.map((rows) => rows.length)).toEqual([1_024, 176]);
    expect(queue.get(ids[7] as string)?.result?.predictions).toEqual([3.5 + 1, 3.5 + 2 + 1]);
  });

  it("splits a job larger than maxBatchRows over several predict calls", async () => {
    const queue = openQueue({ maxBatchRows: 10 });
    queue.start();
    const rows = Array.from({ length: 25 }, (_, i) => ({ tenure: i * 2, visits: 0 }));
    const { job_id } = queue.submit("churn", { rows });
    await drained(queue);
    expect(model.calls.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(queue.get(job_id)?.result?.predictions).toEqual(rows.map((_, i) => i + 1));
  });

  it("fails only the job whose rows predict refuses, not the rest of its batch", async () => {
    const queue = openQueue();
    const good = queue.submit("churn", { rows: [{ tenure: 1, visits: 1 }] });
    const bad = queue.submit("churn", { rows: [{ tenure: -3, visits: 1 }] });
    queue.start();
    await drained(queue);
    expect(queue.get(good.job_id)?.status).toBe("succeeded");
    expect(queue.get(bad.job_id)).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/tenure/),
    });
  });

  it("sweeps finished jobs older than the retention, keeping pending and recent ones", async () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const queue = openQueue({ retentionMs: 60_000, now: () => now });
    queue.start();
    const old = queue.submit("churn", { rows: [{ tenure: 1, visits: 1 }] });
    await drained(queue);
    now += 30_000;
    const canceled = queue.submit("churn", { rows: [{ tenure: 1, visits: 1 }] });
    queue.cancel(canceled.job_id);
    now += 45_000;
    expect(queue.sweep()).toBe(1);
    expect(queue.get(old.job_id)).toBeUndefined();
    expect(queue.get(canceled.job_id)?.status).toBe("canceled");
    now += 60_000;
    expect(queue.sweep()).toBe(1);
    expect(queue.get(canceled.job_id)).toBeUndefined();
  });

  it("keeps jobs whose endpoint has no model pending until one is served", async () => {
    let served: FakeServedModel | undefined;
    const queue = openQueue({ pollIntervalMs: 10, models: () => served });
    served = model;
    const { job_id } = queue.submit("churn", { rows: [{ tenure: 1, visits: 1 }] });
    served = undefined;
    queue.start();
    await new Promise((r) => setTimeout(r, 40));
    expect(queue.get(job_id)?.status).toBe("pending");
    served = model;
    await drained(queue);
    expect(queue.get(job_id)?.status).toBe("succeeded");
  });

  it("stop() lets the running batch finish, then refuses new jobs", async () => {
    model = fakeServedModel({ delayMs: 50 });
    const queue = openQueue();
    queue.start();
    const { job_id } = queue.submit("churn", { rows: [{ tenure: 1, visits: 1 }] });
    await new Promise((r) => setTimeout(r, 10));
    await queue.stop(5_000);
    expect(() => queue.submit("churn", { rows: [{ tenure: 1, visits: 1 }] })).toThrow(
      JobQueueStoppedError,
    );
    const reopened = openQueue();
    expect(reopened.get(job_id)?.status).toBe("succeeded");
  });
});

describe("JobStore", () => {
  it("puts running jobs back to pending on open, and drops a late write of the old attempt", () => {
    const first = JobStore.open(file);
    const id = first.insert("churn", [{ tenure: 1, visits: 1 }], undefined, 1);
    const [claimed] = first.claim("churn", 10, 2);
    expect(claimed?.attempt).toBe(1);
    first.close(); // the process "died" with the job running

    const second = JobStore.open(file);
    expect(second.get(id)?.status).toBe("pending");
    const [reclaimed] = second.claim("churn", 10, 3);
    expect(reclaimed?.attempt).toBe(2);
    const result = { predictions: [1], model_version: "1", fallback: [false] };
    // The first attempt's result arrives late: it is dropped.
    expect(second.finish([{ id, attempt: 1, status: "succeeded", result }], 4)).toEqual([]);
    expect(second.finish([{ id, attempt: 2, status: "succeeded", result }], 5)).toEqual([id]);
    // A duplicate of the winning write changes nothing either.
    expect(second.finish([{ id, attempt: 2, status: "succeeded", result }], 6)).toEqual([]);
    expect(second.resultWrites().get(id)).toBe(1);
    expect(second.get(id)).toMatchObject({ status: "succeeded", result });
    second.close();
  });

  it("discards the result of a job canceled while running", () => {
    const store = JobStore.open(file);
    const id = store.insert("churn", [{ tenure: 1, visits: 1 }], undefined, 1);
    const [claimed] = store.claim("churn", 10, 2);
    expect(store.cancel(id, 3)).toBe(true);
    const result = { predictions: [1], model_version: "1", fallback: [false] };
    expect(
      store.finish([{ id, attempt: claimed?.attempt ?? 0, status: "succeeded", result }], 4),
    ).toEqual([]);
    expect(store.get(id)?.status).toBe("canceled");
    expect(store.cancel(id, 5)).toBe(false);
    store.close();
  });
});
