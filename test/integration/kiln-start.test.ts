// `kiln start` (what `npm start` runs after setup) brings up MLflow and JupyterLab with the tslab
// kernel, prints their URLs, and stops both cleanly on Ctrl-C.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(__dirname, "..", "..");
const stateDir = mkdtempSync(join(tmpdir(), "kiln-start-"));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const reachable = async (url: string) => {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
};

describe("kiln start", () => {
  it("prints the MLflow, Kiln and JupyterLab URLs, serves the tslab kernel, and stops on Ctrl-C", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, KILN_STATE_DIR: stateDir };
    delete env.MLFLOW_TRACKING_URI;
    const cli = spawn(process.execPath, [join(root, "server", "dist", "cli.js"), "start"], { env });
    let output = "";
    cli.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    cli.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => cli.once("exit", done));

    const deadline = Date.now() + 150_000;
    while (!output.includes("Kiln is running") && Date.now() < deadline && cli.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(output).toContain("Kiln is running");
    const mlflowUri = /MLflow\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    const labUrl =
      /JupyterLab\s+(http:\/\/127\.0\.0\.1:\d+)\/lab\/tree\/semiconductor-anomaly\.ipynb\?token=(\w+)/.exec(
        output,
      );
    const kilnUrl = /Kiln\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(mlflowUri).toBeDefined();
    expect(kilnUrl).toBeDefined();
    expect(await (await fetch(`${kilnUrl}/health`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${kilnUrl}/api/pipelines`)).status).toBe(401);
    expect(labUrl).not.toBeNull();

    expect(await (await fetch(`${mlflowUri}/health`)).text()).toBe("OK");
    const specs = (await (
      await fetch(`${labUrl![1]}/api/kernelspecs?token=${labUrl![2]}`)
    ).json()) as {
      kernelspecs: Record<string, unknown>;
    };
    expect(Object.keys(specs.kernelspecs)).toContain("tslab");

    // Kiln's JupyterLab extension is told where this Kiln server is, and its session key.
    type SettingsAnswer = { schema: { properties: Record<string, { default?: unknown }> } };
    const extensionSettings = (await (
      await fetch(`${labUrl![1]}/lab/api/settings/@kiln/jupyterlab:plugin?token=${labUrl![2]}`)
    ).json()) as SettingsAnswer;
    expect(extensionSettings.schema.properties.serverUrl?.default).toBe(kilnUrl);
    const sessionKey = extensionSettings.schema.properties.apiKey?.default;
    const withKey = await fetch(`${kilnUrl}/api/pipelines`, {
      headers: { authorization: `Bearer ${String(sessionKey)}` },
    });
    expect(withKey.status).toBe(200);

    cli.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(output).toContain("Stopped.");
    expect(await reachable(`${mlflowUri}/health`)).toBe(false);
    expect(await reachable(`${kilnUrl}/health`)).toBe(false);
    expect(await reachable(`${labUrl![1]}/api/status`)).toBe(false);
  });
});
