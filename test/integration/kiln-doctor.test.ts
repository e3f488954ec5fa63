// `kiln doctor` gives one line per component: ok, or what is wrong and how to fix it.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const cli = join(__dirname, "..", "..", "server", "dist", "cli.js");

async function doctor(env: NodeJS.ProcessEnv): Promise<{ code: number; lines: string[] }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, "doctor"], { env });
    return { code: 0, lines: stdout.trim().split("\n") };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, lines: failed.stdout.trim().split("\n") };
  }
}

describe("kiln doctor", () => {
  it("passes on this machine after setup, with the native TensorFlow backend", async () => {
    const env = { ...process.env };
    delete env.MLFLOW_TRACKING_URI;
    delete env.KILN_TF_BACKEND;
    const { code, lines } = await doctor(env);
    expect(lines.map((l) => l.split(/\s{2,}/)[1])).toEqual([
      "node",
      "tfjs",
      ".venv",
      "jupyterlab",
      "tslab kernel",
      "labextension",
      "mlflow",
    ]);
    expect(lines.filter((l) => !l.startsWith("ok"))).toEqual([]);
    expect(lines[1]).toMatch(/tensorflow \(native libtensorflow 2\.\d+\.\d+\), tfjs 4\.22\.0/);
    expect(code).toBe(0);
  });

  it("fails with the reason and the fix when a component is not usable", async () => {
    const env = {
      ...process.env,
      KILN_TF_BACKEND: "wasm",
      MLFLOW_TRACKING_URI: "http://127.0.0.1:9",
    };
    const { code, lines } = await doctor(env);
    expect(code).toBe(1);
    expect(lines.find((l) => l.includes("tfjs"))).toMatch(
      /^FAIL\s+tfjs\s+wasm \(SIMD\).*to fix: unset KILN_TF_BACKEND/,
    );
    expect(lines.find((l) => l.includes("mlflow"))).toMatch(
      /^FAIL\s+mlflow\s+MLFLOW_TRACKING_URI=http:\/\/127\.0\.0\.1:9 does not answer/,
    );
  });
});
