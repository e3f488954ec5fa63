/**
 * Pipeline runs on disk: `<stateDir>/runs/<runId>.json` holds a {@link PipelineRunRecord},
 * rewritten atomically as the run progresses, so `kiln runs` and the server can read it at any
 * time (also while the run is going, and after a crash: a record left `running` is one).
 *
 * @example
 * ```ts
 * const runs = await listRuns(".kiln", "churn"); // newest first
 * console.log(runs[0]?.status, runs[0]?.steps["train"]?.status);
 * ```
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PipelineRunRecord } from "../../spec";
import { stepFileName } from "./step-execution";

/** Directory of run records (and of each run's working files, `<runId>/`). */
export function runsDir(stateDir: string): string {
  return join(stateDir, "runs");
}

/**
 * Where a step's output (stdout and stderr lines, as they came) is written during a run.
 *
 * @example
 * ```ts
 * await readFile(stepLogFile(".kiln", runId, "train"), "utf8");
 * ```
 */
export function stepLogFile(stateDir: string, runId: string, step: string): string {
  return join(runsDir(stateDir), runId, "logs", `${stepFileName(step)}.log`);
}

/** A new run id: sortable by start time, unique across processes (`20250101T120000Z-1a2b3c`). */
export function newRunId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/** Reads one run record; `undefined` if there is none. */
export async function readRunRecord(
  stateDir: string,
  runId: string,
): Promise<PipelineRunRecord | undefined> {
  try {
    return JSON.parse(
      await readFile(join(runsDir(stateDir), `${runId}.json`), "utf8"),
    ) as PipelineRunRecord;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Every run recorded under `stateDir` (of one pipeline when given), newest first.
 *
 * @example
 * ```ts
 * for (const run of await listRuns(".kiln")) console.log(run.runId, run.pipeline, run.status);
 * ```
 */
export async function listRuns(stateDir: string, pipeline?: string): Promise<PipelineRunRecord[]> {
  let names: string[];
  try {
    names = await readdir(runsDir(stateDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const records = await Promise.all(
    names
      .filter((name) => name.endsWith(".json"))
      .map((name) => readRunRecord(stateDir, name.slice(0, -".json".length))),
  );
  return records
    .filter((r): r is PipelineRunRecord => r !== undefined)
    .filter((r) => pipeline === undefined || r.pipeline === pipeline)
    .sort((a, b) => b.startTime - a.startTime || b.runId.localeCompare(a.runId));
}

/**
 * Holds a run's record in memory and writes it after each change. Writes are serialised and
 * coalesced (a burst of events costs one write), and each lands atomically via rename.
 */
export class RunRecorder {
  readonly record: PipelineRunRecord;
  readonly #file: string;
  #writing: Promise<void> = Promise.resolve();
  #dirty = false;

  constructor(stateDir: string, record: PipelineRunRecord) {
    this.record = record;
    this.#file = join(runsDir(stateDir), `${record.runId}.json`);
  }

  /** Applies a change and schedules a write. */
  update(change: (record: PipelineRunRecord) => void): void {
    change(this.record);
    this.#schedule();
  }

  /** Resolves when everything changed so far is on disk. */
  async flush(): Promise<void> {
    this.#schedule();
    await this.#writing;
  }

  #schedule(): void {
    if (this.#dirty) return;
    this.#dirty = true;
    this.#writing = this.#writing.then(async () => {
      this.#dirty = false;
      const tmp = `${this.#file}.tmp`;
      await mkdir(join(this.#file, ".."), { recursive: true });
      await writeFile(tmp, JSON.stringify(this.record, null, 2));
      await rename(tmp, this.#file);
    });
  }
}
