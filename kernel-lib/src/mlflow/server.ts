import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { startManagedProcess, waitUntilReady } from "../process/managed-process";

/** Options for {@link startMlflowServer}. */
export type MlflowServerOptions = {
  /** Directory holding `mlflow.db`, `mlartifacts/` and `server.log`. Default `.kiln/mlflow/`. */
  dir?: string;
  /** Port on 127.0.0.1. Default: a free port chosen by the OS. */
  port?: number;
  /** The `mlflow` executable. Default: `$KILN_MLFLOW_BIN`, else the nearest `.venv/bin/mlflow`. */
  mlflowBin?: string;
  /** How long to wait for `/health`; the first start runs database migrations. Default 120 s. */
  startTimeoutMs?: number;
  /**
   * Attach to `$MLFLOW_TRACKING_URI` when it is set instead of starting a server. Default true.
   */
  attachToEnv?: boolean;
};

/** A running (or attached) MLflow tracking server. */
export interface MlflowServer {
  /** Tracking URI, e.g. `http://127.0.0.1:5123`. */
  readonly uri: string;
  readonly port: number;
  /** Where the SQLite store, artifacts and log live; undefined when attached. */
  readonly dir: string | undefined;
  /** True when this handle attached to a server it did not start (stop() leaves it running). */
  readonly attached: boolean;
  /** Stops the server this handle started and waits for it to exit. */
  stop(): Promise<void>;
}

/** The MLflow server did not come up; carries the tail of its log. */
export class MlflowServerStartError extends Error {
  override readonly name = "MlflowServerStartError";
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(
      logTail ? `${message}\n--- last lines of the MLflow server log ---\n${logTail}` : message,
    );
  }
}

const defaults = { dir: join(".kiln", "mlflow"), startTimeoutMs: 120_000, attachToEnv: true };

/**
 * Starts a local MLflow tracking server (SQLite store, artifact proxy, loopback only) and waits
 * until `/health` answers, or attaches to `$MLFLOW_TRACKING_URI` when that is set.
 *
 * @example
 * const server = await startMlflowServer({ dir: "/tmp/mlflow" });
 * console.log(server.uri); // http://127.0.0.1:41234
 * await server.stop();
 */
export async function startMlflowServer(options: MlflowServerOptions = {}): Promise<MlflowServer> {
  const opts = { ...defaults, ...options } satisfies MlflowServerOptions;
  const envUri = process.env.MLFLOW_TRACKING_URI;
  if (opts.attachToEnv && envUri) return attach(envUri);

  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const mlflowBin = opts.mlflowBin ?? findMlflowBin();
  const proc = startManagedProcess(
    mlflowBin,
    [
      "server",
      "--backend-store-uri",
      `sqlite:///${join(dir, "mlflow.db")}`,
      "--artifacts-destination",
      join(dir, "mlartifacts"),
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--workers",
      "1",
    ],
    {
      logFile: join(dir, "server.log"),
      env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true" },
    },
  );
  const uri = `http://127.0.0.1:${port}`;
  const outcome = await waitUntilReady(proc, () => isHealthy(uri), opts.startTimeoutMs);
  if (outcome !== "ready") {
    await proc.stop();
    const why =
      outcome === "exited"
        ? `MLflow server exited before answering ${uri}/health`
        : `MLflow server did not answer ${uri}/health within ${opts.startTimeoutMs / 1000} s`;
    throw new MlflowServerStartError(
      `${why} (binary ${mlflowBin}, log ${proc.logFile}). Run \`npm run setup\` to (re)install .venv, or check that port ${port} is free.`,
      proc.logTail(30),
    );
  }
  return { uri, port, dir, attached: false, stop: () => proc.stop() };
}

async function attach(uri: string): Promise<MlflowServer> {
  const base = uri.replace(/\/+$/, "");
  if (!(await isHealthy(base))) {
    throw new MlflowServerStartError(
      `MLFLOW_TRACKING_URI is set to ${uri} but ${base}/health does not answer OK. Start that server, or unset MLFLOW_TRACKING_URI to let Kiln start a local one.`,
      "",
    );
  }
  return {
    uri: base,
    port: Number(new URL(base).port || 80),
    dir: undefined,
    attached: true,
    stop: async () => undefined,
  };
}

async function isHealthy(uri: string): Promise<boolean> {
  try {
    const response = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) });
    return response.ok && (await response.text()).trim() === "OK";
  } catch {
    return false;
  }
}

/** Asks the OS for a free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? done(address.port) : fail(new Error("no port")),
      );
    });
  });
}

/** Finds `.venv/bin/mlflow` in the working directory, this package's checkout, or their parents. */
export function findMlflowBin(): string {
  if (process.env.KILN_MLFLOW_BIN) return process.env.KILN_MLFLOW_BIN;
  for (const start of [process.cwd(), __dirname]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      const candidate = join(dir, ".venv", "bin", "mlflow");
      if (existsSync(candidate)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  throw new MlflowServerStartError(
    "Cannot find the mlflow executable: no .venv/bin/mlflow in this directory or its parents. Run `npm run setup` in the Kiln checkout, or set KILN_MLFLOW_BIN.",
    "",
  );
}
