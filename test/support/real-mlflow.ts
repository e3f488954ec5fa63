// Access to the real MLflow server that test/setup/mlflow-server.ts starts for the whole run.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { MlflowClient } from "../../kernel-lib/src/mlflow/client";

/** The tracking URI of the test run's MLflow server; throws (never skips) when there is none. */
export function realMlflowUri(): string {
  const uri = process.env["KILN_TEST_MLFLOW_URI"];
  if (!uri) {
    throw new Error(
      "KILN_TEST_MLFLOW_URI is not set: these tests need the real MLflow server that vitest's globalSetup starts (run them with `npx vitest run` from the repository root).",
    );
  }
  return uri;
}

/** A client of the real server with its own temporary spool, closed after the file's tests. */
export function realMlflowClient(): MlflowClient {
  const client = new MlflowClient({
    trackingUri: realMlflowUri(),
    spoolDir: mkdtempSync(join(tmpdir(), "kiln-spool-")),
  });
  afterAll(() => client.close());
  return client;
}
