import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { describeTensorflow, loadTensorflow } from "@kiln/kernel-lib";
import { kilnPaths } from "./paths";

const run = promisify(execFile);

/** The verdict on one component. */
export interface DoctorCheck {
  component: string;
  ok: boolean;
  /** What was found (when ok) or what is wrong and how to fix it. */
  detail: string;
}

const fixSetup = "run `npm run setup` in the Kiln checkout";

async function checkNode(): Promise<DoctorCheck> {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return {
    component: "node",
    ok,
    detail: ok
      ? `v${process.versions.node}`
      : `v${process.versions.node} is too old: install Node 20.19 or newer`,
  };
}

async function checkTensorflow(): Promise<DoctorCheck> {
  try {
    // Doctor reports the fallback instead of printing it as a warning of its own.
    const loaded = await loadTensorflow({ warn: () => undefined });
    const summary = await describeTensorflow(loaded);
    const ok = loaded.backend === "tensorflow";
    const fix = loaded.nativeError?.fix ?? fixSetup;
    return { component: "tfjs", ok, detail: ok ? summary : `${summary}; to fix: ${fix}` };
  } catch (error) {
    return {
      component: "tfjs",
      ok: false,
      detail: `${(error as Error).message.split("\n")[0]}: ${fixSetup}`,
    };
  }
}

async function checkVenv(): Promise<DoctorCheck> {
  const python = kilnPaths.venvBin("python");
  if (!existsSync(python))
    return { component: ".venv", ok: false, detail: `${kilnPaths.venv} is missing: ${fixSetup}` };
  const { stdout } = await run(python, ["--version"]);
  return { component: ".venv", ok: true, detail: `${kilnPaths.venv} (${stdout.trim()})` };
}

async function pythonPackageVersion(module: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(kilnPaths.venvBin("python"), [
      "-c",
      `import ${module}; print(${module}.__version__)`,
    ]);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

async function checkJupyterLab(): Promise<DoctorCheck> {
  const version = await pythonPackageVersion("jupyterlab");
  return version?.startsWith("4.")
    ? { component: "jupyterlab", ok: true, detail: version }
    : {
        component: "jupyterlab",
        ok: false,
        detail: `${version ? `version ${version}, need 4.x` : "not installed in .venv"}: ${fixSetup}`,
      };
}

async function checkTslabKernel(): Promise<DoctorCheck> {
  const spec = kilnPaths.tslabKernelSpec;
  if (!existsSync(spec))
    return {
      component: "tslab kernel",
      ok: false,
      detail: `no kernel spec at ${spec}: ${fixSetup}`,
    };
  const argv = (JSON.parse(readFileSync(spec, "utf8")) as { argv?: string[] }).argv ?? [];
  const binary = argv[0];
  if (!binary || !existsSync(binary)) {
    return {
      component: "tslab kernel",
      ok: false,
      detail: `kernel spec points to ${binary ?? "nothing"}, which does not exist: ${fixSetup}`,
    };
  }
  return { component: "tslab kernel", ok: true, detail: `registered (${binary})` };
}

async function checkJupyterLabExtension(): Promise<DoctorCheck> {
  const manifest = kilnPaths.labextensionManifest;
  if (!existsSync(manifest)) {
    return {
      component: "labextension",
      ok: false,
      detail: `Kiln's JupyterLab extension is not installed in .venv: ${fixSetup}`,
    };
  }
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version?: string };
  return { component: "labextension", ok: true, detail: `@kiln/jupyterlab ${version ?? "?"}` };
}

async function checkMlflow(): Promise<DoctorCheck> {
  const version = await pythonPackageVersion("mlflow");
  if (!version?.startsWith("3.")) {
    return {
      component: "mlflow",
      ok: false,
      detail: `${version ? `version ${version}, need 3.x` : "not installed in .venv"}: ${fixSetup}`,
    };
  }
  const uri = process.env.MLFLOW_TRACKING_URI;
  if (!uri)
    return { component: "mlflow", ok: true, detail: `${version} (kiln start runs a local server)` };
  try {
    const response = await fetch(`${uri.replace(/\/+$/, "")}/health`, {
      signal: AbortSignal.timeout(3000),
    });
    if (response.ok)
      return { component: "mlflow", ok: true, detail: `${version}, tracking server ${uri} is up` };
  } catch {
    // Reported below.
  }
  return {
    component: "mlflow",
    ok: false,
    detail: `MLFLOW_TRACKING_URI=${uri} does not answer /health: start that server or unset the variable`,
  };
}

/** Checks every component Kiln needs; never throws. */
export async function runDoctor(): Promise<DoctorCheck[]> {
  return Promise.all([
    checkNode(),
    checkTensorflow(),
    checkVenv(),
    checkJupyterLab(),
    checkTslabKernel(),
    checkJupyterLabExtension(),
    checkMlflow(),
  ]);
}

/** One line per check: `ok    node          v20.20.2`. */
export function formatDoctor(checks: readonly DoctorCheck[]): string {
  return checks
    .map((c) => `${c.ok ? "ok  " : "FAIL"}  ${c.component.padEnd(13)} ${c.detail}`)
    .join("\n");
}
