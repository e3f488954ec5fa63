import { spawn } from "node:child_process";
import { appendFileSync, closeSync, openSync, readFileSync } from "node:fs";

/** Options for {@link startManagedProcess}. */
export type ManagedProcessOptions = {
  /** File that receives the process's stdout and stderr (appended). */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Grace period between SIGTERM and SIGKILL on stop. Default 10 s. */
  killAfterMs?: number;
};

/** A child process that runs in its own process group, with its output in a log file. */
export interface ManagedProcess {
  readonly pid: number | undefined;
  readonly logFile: string;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** Resolves with the exit code (null when killed by a signal) once the process exits. */
  readonly exited: Promise<number | null>;
  /** SIGTERM to the whole group, SIGKILL after the grace period; resolves when it has exited. */
  stop(): Promise<void>;
  /** The last `lines` lines of the log file. */
  logTail(lines?: number): string;
}

/**
 * Spawns a long-running helper (a server) in its own process group, so that stopping it also
 * stops the workers it forks (MLflow's uvicorn, Jupyter's kernels).
 *
 * @example
 * const proc = startManagedProcess(".venv/bin/mlflow", ["server"], { logFile: "/tmp/mlflow.log" });
 * await proc.stop();
 */
export function startManagedProcess(
  command: string,
  args: readonly string[],
  options: ManagedProcessOptions,
): ManagedProcess {
  const out = openSync(options.logFile, "a");
  const child = spawn(command, args, {
    detached: true,
    stdio: ["ignore", out, out],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  closeSync(out);
  let exitedFlag = false;
  const exited = new Promise<number | null>((done) => {
    child.once("exit", (code) => {
      exitedFlag = true;
      done(code);
    });
    // A spawn error (missing binary) is followed by no 'exit' event.
    child.once("error", (error) => {
      exitedFlag = true;
      appendFileSync(options.logFile, `failed to start ${command}: ${error.message}\n`);
      done(null);
    });
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  return {
    pid: child.pid,
    logFile: options.logFile,
    exited,
    hasExited: () => exitedFlag,
    async stop() {
      if (!exitedFlag) {
        signalGroup("SIGTERM");
        const timer = setTimeout(() => signalGroup("SIGKILL"), options.killAfterMs ?? 10_000);
        await exited;
        clearTimeout(timer);
      }
      // Forked workers may outlive the leader for a moment; none may keep a port.
      signalGroup("SIGKILL");
    },
    logTail: (lines = 30) => tailOf(options.logFile, lines),
  };
}

/**
 * Polls `probe` until it returns true, the process exits, or the timeout passes.
 * @returns "ready", "exited" or "timeout".
 */
export async function waitUntilReady(
  proc: ManagedProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<"ready" | "exited" | "timeout"> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.hasExited()) return "exited";
    if (await probe()) return "ready";
    await new Promise((r) => setTimeout(r, 250));
  }
  return "timeout";
}

function tailOf(file: string, lines: number): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
