import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { hasRedisServer, startRedis, type TestRedis } from "../../../test/fixtures/redis-server";

const worker = resolve(__dirname, "../../../test/fixtures/jobs-durability-worker-redis.ts");
const repoRoot = resolve(__dirname, "../../..");
// The worker runs in node itself with tsx's loader: a SIGKILL of a `tsx` wrapper would leave the
// worker running.
const nodeArgs = ["--import", "tsx", worker];
const jobCount = 1_000;
const queueName = "kiln-durability";

let dir: string | undefined;
let redis: TestRedis | undefined;
afterEach(async () => {
  await redis?.stop();
  redis = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function loggedIds(log: string): string[] {
  return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
}

describe.runIf(hasRedisServer)("BullmqJobQueue durability", () => {
  it("finishes all jobs exactly once after the worker process is SIGKILLed mid-way", async () => {
    dir = mkdtempSync(join(tmpdir(), "kiln-jobs-redis-"));
    // Redis stays up with an append-only file; only the Kiln worker dies.
    redis = await startRedis(dir);
    const log = join(dir, "predict.log");
    const args = (mode: string, count: number) => [
      ...nodeArgs,
      redis?.url ?? "",
      queueName,
      log,
      mode,
      String(count),
    ];

    // 1. Submit 1,000 jobs and run them; kill the process while batches are running.
    const first = spawn(process.execPath, args("submit", jobCount), {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      first.on("exit", (_code, signal) => done(signal)),
    );
    let out = "";
    first.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (loggedIds(log).length < 200) {
      if (Date.now() > deadline) throw new Error(`the worker scored nothing; it printed ${out}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    first.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
    const scoredBeforeKill = loggedIds(log).length;
    expect(out).toContain("submitted");

    const queue = new Queue(queueName, { connection: { port: redis.port, host: "127.0.0.1" } });
    const client = new Redis(redis.port, "127.0.0.1");
    try {
      const afterKill = await queue.getJobCounts("completed", "waiting", "active");
      expect((afterKill.completed ?? 0) + (afterKill.waiting ?? 0) + (afterKill.active ?? 0)).toBe(
        jobCount,
      );
      expect(afterKill.completed).toBeGreaterThan(0);
      expect(afterKill.completed).toBeLessThan(jobCount);
      // The killed worker held jobs: they stay active (locked) until their lock expires.
      expect(afterKill.active).toBeGreaterThan(0);

      // Nothing scores after the kill: the worker process itself is gone.
      await new Promise((r) => setTimeout(r, 100));
      expect(loggedIds(log).length).toBe(scoredBeforeKill);

      // 2. A new process connects to the same Redis and finishes the rest.
      const second = spawn(process.execPath, args("resume", 0), {
        cwd: repoRoot,
        stdio: ["ignore", "pipe", "inherit"],
      });
      let summary = "";
      second.stdout.on("data", (chunk: Buffer) => (summary += chunk.toString()));
      const code = await new Promise<number | null>((done) => second.on("exit", done));
      expect(code).toBe(0);
      expect(JSON.parse(summary.trim())).toEqual({ succeeded: jobCount });

      // 3. Every job succeeded with its own result, written exactly once: BullMQ appends a
      // `completed` event in the same script that stores the result (under the job's lock).
      const jobs = await queue.getJobs(["completed"], 0, -1);
      expect(jobs).toHaveLength(jobCount);
      const ids = new Set<number>();
      for (const job of jobs) {
        const [row] = (job.data as { rows: { id: number }[] }).rows;
        ids.add(row?.id ?? -1);
        expect(job.returnvalue).toEqual({
          predictions: [(row?.id ?? NaN) * 2],
          model_version: "1",
          fallback: [false],
        });
      }
      expect(ids.size).toBe(jobCount);

      const writes = new Map<string, number>();
      const events = await client.xrange(`bull:${queueName}:events`, "-", "+");
      for (const [, fields] of events) {
        const event = new Map<string, string>();
        for (let i = 0; i + 1 < fields.length; i += 2) {
          event.set(fields[i] as string, fields[i + 1] as string);
        }
        if (event.get("event") !== "completed") continue;
        const id = event.get("jobId") as string;
        writes.set(id, (writes.get(id) ?? 0) + 1);
      }
      expect(writes.size).toBe(jobCount);
      expect([...writes.values()].every((count) => count === 1)).toBe(true);

      // Every row was scored at least once; rows of the batch lost to the kill were scored again.
      const scored = loggedIds(log);
      expect(new Set(scored).size).toBe(jobCount);
      expect(scored.length).toBeGreaterThanOrEqual(jobCount);
    } finally {
      await queue.close();
      client.disconnect();
    }
  });
});
