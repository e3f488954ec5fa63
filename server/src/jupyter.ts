import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { freePort, startManagedProcess, waitUntilReady } from "@kiln/kernel-lib";
import { kilnPaths } from "./paths";

/** A running JupyterLab. */
export interface JupyterLab {
  /** URL to open, with the access token. */
  readonly url: string;
  stop(): Promise<void>;
}

/** JupyterLab did not come up; carries the tail of its log. */
export class JupyterStartError extends Error {
  override readonly name = "JupyterStartError";
}

type JupyterOptions = {
  notebookDir?: string;
  /** A notebook (relative to `notebookDir`) the URL opens; JupyterLab's file browser otherwise. */
  open?: string;
  port?: number;
  /** Extra environment for JupyterLab and its kernels, e.g. MLFLOW_TRACKING_URI. */
  env?: Record<string, string>;
  /**
   * Defaults for JupyterLab settings, by plugin id, in place of the plugins' own (the user's
   * settings still win), e.g. where Kiln's extension finds the Kiln server.
   */
  settingDefaults?: Record<string, Record<string, unknown>>;
  /** Where JupyterLab's log and configuration go; Kiln's state folder by default. */
  stateDir?: string;
  startTimeoutMs?: number;
};

/**
 * Starts JupyterLab from Kiln's `.venv` on 127.0.0.1 with a fresh random token.
 *
 * @example
 * const lab = await startJupyterLab({ env: { MLFLOW_TRACKING_URI: mlflow.uri } });
 * console.log(lab.url);
 */
export async function startJupyterLab(options: JupyterOptions = {}): Promise<JupyterLab> {
  const port = options.port ?? (await freePort());
  const token = randomBytes(24).toString("hex");
  const base = `http://127.0.0.1:${port}`;
  const stateDir = options.stateDir ?? kilnPaths.state;
  mkdirSync(stateDir, { recursive: true });
  const configDir = writeSettingDefaults(join(stateDir, "jupyter-config"), options.settingDefaults);
  const proc = startManagedProcess(
    kilnPaths.venvBin("jupyter"),
    [
      "lab",
      "--no-browser",
      "--ServerApp.ip=127.0.0.1",
      `--ServerApp.port=${port}`,
      "--ServerApp.port_retries=0",
      `--ServerApp.root_dir=${options.notebookDir ?? kilnPaths.notebooks}`,
      // Containers and CI machines often run as root; Jupyter refuses that unless told.
      ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
    ],
    {
      logFile: join(stateDir, "jupyter.log"),
      env: {
        ...process.env,
        ...options.env,
        // The token travels in the environment, not on a command line other users can read.
        JUPYTER_TOKEN: token,
        // Searched before the usual configuration folders, which still apply.
        JUPYTER_CONFIG_PATH: [configDir, process.env.JUPYTER_CONFIG_PATH]
          .filter(Boolean)
          .join(delimiter),
      },
    },
  );
  const probe = async () => {
    try {
      const response = await fetch(`${base}/api/status?token=${token}`, {
        signal: AbortSignal.timeout(2000),
      });
      return response.ok;
    } catch {
      return false;
    }
  };
  const outcome = await waitUntilReady(proc, probe, options.startTimeoutMs ?? 60_000);
  if (outcome !== "ready") {
    await proc.stop();
    throw new JupyterStartError(
      `JupyterLab ${outcome === "exited" ? "exited at start" : "did not answer in time"} (log ${proc.logFile}); its last lines say why. If JupyterLab is missing from .venv, run \`npm run setup\`.\n${proc.logTail(20)}`,
    );
  }
  const page = options.open
    ? `lab/tree/${options.open.split("/").map(encodeURIComponent).join("/")}`
    : "lab";
  return { url: `${base}/${page}?token=${token}`, stop: () => proc.stop() };
}

/**
 * Writes `labconfig/default_setting_overrides.json` under `configDir`, the file JupyterLab reads
 * setting defaults from in each configuration folder; returns `configDir`. Owner-only: the
 * defaults may carry an API key.
 */
function writeSettingDefaults(
  configDir: string,
  defaults: Record<string, Record<string, unknown>> = {},
): string {
  mkdirSync(join(configDir, "labconfig"), { recursive: true });
  writeFileSync(
    join(configDir, "labconfig", "default_setting_overrides.json"),
    JSON.stringify(defaults, null, 2),
    { mode: 0o600 },
  );
  return configDir;
}
