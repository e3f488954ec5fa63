// Starts one real MLflow tracking server (SQLite store, artifact proxy, loopback, free port) for
// the whole test run, and tells the tests where it is through KILN_TEST_MLFLOW_URI.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMlflowServer, type MlflowServer } from "../../kernel-lib/src/mlflow/server";

let server: MlflowServer | undefined;
let dir: string | undefined;

export async function setup(): Promise<void> {
  dir = mkdtempSync(join(tmpdir(), "kiln-test-mlflow-"));
  // Tests always get their own server, never a developer's MLFLOW_TRACKING_URI.
  server = await startMlflowServer({ dir, attachToEnv: false });
  process.env.KILN_TEST_MLFLOW_URI = server.uri;
  process.env.KILN_TEST_MLFLOW_DIR = dir;
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
