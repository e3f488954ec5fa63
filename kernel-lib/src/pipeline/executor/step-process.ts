/**
 * Runs one generated step program in its own Node process: output goes line by line to the
 * step's log file and to `onLine` (the executor turns lines into `step-log` events), and the
 * outcome combines the exit status with the result file the harness writes.
 *
 * @example
 * ```ts
 * const outcome = await runStepProcess({ programFile, contextFile, logFile, nodePath, cwd,
 *   onLine: (stream, line) => console.log(`[${stream}] ${line}`) });
 * if (outcome.result?.status !== "succeeded") console.error(describeStepFailure(outcome));
 * ```
 */
import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { delimiter } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { STEP_CONTEXT_ENV } from "../runtime/context";
import type { StepContext, StepResult } from "../runtime/context";

/** Options of {@link runStepProcess}. */
export type StepProcessOptions = {
  programFile: string;
  contextFile: string;
  /** Receives stdout and stderr (appended). */
  logFile: string;
  /** NODE_PATH entries (see module-paths.ts). */
  nodePath: string[];
  /** Working directory of the step: the notebook's directory, as in the kernel. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Variables of this process's environment the step does not get. */
  withoutEnv?: readonly string[];
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
};

/** How a step process ended. */
export interface StepProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** What the harness reported; `undefined` when the process died before writing it. */
  result: StepResult | undefined;
  /** The last lines of stderr, for errors the harness could not report. */
  stderrTail: string[];
}

const TAIL_LINES = 20;

/** Spawns the step and resolves when it has exited and its output is fully written. */
export async function runStepProcess(options: StepProcessOptions): Promise<StepProcessOutcome> {
  const log = createWriteStream(options.logFile, { flags: "a" });
  const inherited = { ...process.env };
  for (const name of options.withoutEnv ?? []) delete inherited[name];
  const child = spawn(process.execPath, ["--enable-source-maps", options.programFile], {
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...inherited,
      ...options.env,
      NODE_PATH: options.nodePath.join(delimiter),
      [STEP_CONTEXT_ENV]: options.contextFile,
      // libtensorflow's INFO notices would fill every step log; a user's own setting wins.
      TF_CPP_MIN_LOG_LEVEL:
        options.env?.["TF_CPP_MIN_LOG_LEVEL"] ?? process.env["TF_CPP_MIN_LOG_LEVEL"] ?? "2",
    },
  });
  const stderrTail: string[] = [];
  const pump = (stream: Readable, name: "stdout" | "stderr") =>
    new Promise<void>((done) => {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on("line", (line) => {
        log.write(`${line}\n`);
        if (name === "stderr") {
          stderrTail.push(line);
          if (stderrTail.length > TAIL_LINES) stderrTail.shift();
        }
        options.onLine?.(name, line);
      });
      lines.on("close", done);
    });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once("error", (error) => {
      log.write(`failed to start the step process: ${error.message}\n`);
      done({ code: null, signal: null });
    });
    child.once("close", (code, signal) => done({ code, signal }));
  });
  const [{ code, signal }] = await Promise.all([
    exited,
    pump(child.stdout, "stdout"),
    pump(child.stderr, "stderr"),
  ]);
  await new Promise<void>((done) => log.end(done));
  const context = JSON.parse(await readFile(options.contextFile, "utf8")) as StepContext;
  return { exitCode: code, signal, result: await readResult(context.resultFile), stderrTail };
}

async function readResult(file: string): Promise<StepResult | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as StepResult;
  } catch {
    return undefined;
  }
}

/** One line saying why a step failed, from its result or else from how the process ended. */
export function describeStepFailure(outcome: StepProcessOutcome): string {
  if (outcome.result?.status === "failed") {
    return `${outcome.result.error.name}: ${outcome.result.error.message}`;
  }
  const how = outcome.signal
    ? `was killed by ${outcome.signal}`
    : `exited with code ${outcome.exitCode}`;
  const last = outcome.stderrTail
    .filter((line) => line.trim())
    .slice(-3)
    .join(" | ");
  return `the step process ${how} before reporting a result${last ? `: ${last}` : ""}`;
}
