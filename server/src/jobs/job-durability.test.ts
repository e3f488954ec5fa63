import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";

const worker = resolve(__dirname, "../../../test/fixtures/jobs-durability-worker.ts");
const repoRoot = resolve(__dirname, "../../..");
// The worker runs in node itself with tsx's loader: the `tsx` command would wrap it in a second
// process, and a SIGKILL of the wrapper would leave the worker running.
const nodeArgs = ["--import", "tsx", worker];
const jobCount = 1_000;

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function loggedIds(log: string): string[] {
  return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
}

describe("JobQueue durability", () => {
  it("finishes all jobs exactly once after the worker process is SIGKILLed mid-way", async () => {
    dir = mkdtempSync(join(tmpdir(), "kiln-jobs-"));
    const db = join(dir, "jobs.sqlite");
    const log = join(dir, "predict.log");

    // 1. Submit 1,000 jobs and run them; kill the process while batches are running.
    const first = spawn(process.execPath, [...nodeArgs, db, log, "submit", String(jobCount)], {
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

    const afterKill = new Database(db, { readonly: true });
    const done = afterKill
      .prepare(`SELECT COUNT(*) AS n FROM jobs WHERE status = 'succeeded'`)
      .get() as { n: number };
    const total = afterKill.prepare(`SELECT COUNT(*) AS n FROM jobs`).get() as { n: number };
    afterKill.close();
    expect(total.n).toBe(jobCount);
    expect(done.n).toBeGreaterThan(0);
    expect(done.n).toBeLessThan(jobCount);

    // Nothing scores after the kill: the worker process itself is gone.
    await new Promise((r) => setTimeout(r, 100));
    expect(loggedIds(log).length).toBe(scoredBeforeKill);

    // 2. A new process opens the same file and finishes the rest.
    const second = spawn(process.execPath, [...nodeArgs, db, log, "resume", "0"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let summary = "";
    second.stdout.on("data", (chunk: Buffer) => (summary += chunk.toString()));
    const code = await new Promise<number | null>((done) => second.on("exit", done));
    expect(code).toBe(0);
    expect(JSON.parse(summary.trim())).toEqual({ succeeded: jobCount });

    // 3. Every job succeeded with its own result, written exactly once.
    const check = new Database(db, { readonly: true });
    const jobs = check
      .prepare(`SELECT status, rows_json, result_json, result_writes FROM jobs`)
      .all() as { status: string; rows_json: string; result_json: string; result_writes: number }[];
    check.close();
    expect(jobs).toHaveLength(jobCount);
    const ids = new Set<number>();
    for (const job of jobs) {
      expect(job.status).toBe("succeeded");
      expect(job.result_writes).toBe(1);
      const [row] = JSON.parse(job.rows_json) as { id: number }[];
      ids.add(row?.id ?? -1);
      expect(JSON.parse(job.result_json)).toEqual({
        predictions: [(row?.id ?? NaN) * 2],
        model_version: "1",
        fallback: [false],
      });
    }
    expect(ids.size).toBe(jobCount);

    // Every row was scored at least once; rows of the batch lost to the kill were scored again.
    const scored = loggedIds(log);
    expect(new Set(scored).size).toBe(jobCount);
    expect(scored.length).toBeGreaterThanOrEqual(jobCount);
  });
});
