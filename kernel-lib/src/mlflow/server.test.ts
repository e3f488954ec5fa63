import { mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MlflowServerStartError, startMlflowServer } from "./server";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "kiln-server-test-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("startMlflowServer", () => {
  it("starts a loopback server with a SQLite store and artifact proxy, and stops it", async () => {
    const dir = tempDir();
    const server = await startMlflowServer({ dir, attachToEnv: false });
    expect(server.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.attached).toBe(false);
    expect(await (await fetch(`${server.uri}/health`)).text()).toBe("OK");

    const created = await fetch(`${server.uri}/api/2.0/mlflow/experiments/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "lifecycle" }),
    });
    const { experiment_id } = (await created.json()) as { experiment_id: string };
    const got = await fetch(
      `${server.uri}/api/2.0/mlflow/experiments/get?experiment_id=${experiment_id}`,
    );
    const { experiment } = (await got.json()) as { experiment: { artifact_location: string } };
    expect(experiment.artifact_location).toMatch(/^mlflow-artifacts:\//);

    await server.stop();
    await expect(fetch(`${server.uri}/health`)).rejects.toThrow();
  });

  it("attaches to MLFLOW_TRACKING_URI when it is set, and leaves that server running", async () => {
    const owned = await startMlflowServer({ dir: tempDir(), attachToEnv: false });
    const previous = process.env.MLFLOW_TRACKING_URI;
    process.env.MLFLOW_TRACKING_URI = `${owned.uri}/`;
    try {
      const attached = await startMlflowServer();
      expect(attached).toMatchObject({ uri: owned.uri, attached: true, dir: undefined });
      await attached.stop();
      expect((await fetch(`${owned.uri}/health`)).ok).toBe(true);
    } finally {
      if (previous === undefined) delete process.env.MLFLOW_TRACKING_URI;
      else process.env.MLFLOW_TRACKING_URI = previous;
      await owned.stop();
    }
  });

  it("fails with the tail of the server log when the server exits at start", async () => {
    const dir = tempDir();
    const fakeBin = join(dir, "mlflow");
    writeFileSync(
      fakeBin,
      "#!/bin/sh\necho 'ModuleNotFoundError: No module named mlflow' >&2\nexit 1\n",
    );
    chmodSync(fakeBin, 0o755);
    const failure = startMlflowServer({ dir, mlflowBin: fakeBin, attachToEnv: false });
    await expect(failure).rejects.toBeInstanceOf(MlflowServerStartError);
    await expect(failure).rejects.toThrow(/exited before answering[\s\S]*No module named mlflow/);
  });

  it("says how to fix an unreachable MLFLOW_TRACKING_URI", async () => {
    const previous = process.env.MLFLOW_TRACKING_URI;
    process.env.MLFLOW_TRACKING_URI = "http://127.0.0.1:9";
    try {
      await expect(startMlflowServer()).rejects.toThrow(
        /does not answer OK.*unset MLFLOW_TRACKING_URI/,
      );
    } finally {
      if (previous === undefined) delete process.env.MLFLOW_TRACKING_URI;
      else process.env.MLFLOW_TRACKING_URI = previous;
    }
  });
});
