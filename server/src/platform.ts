import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startMlflowServer, type MlflowServer } from "@kiln/kernel-lib";
import { startJupyterLab, type JupyterLab } from "./jupyter";
import { startKilnServer, type KilnServer } from "./kiln-server";
import { kilnPaths } from "./paths";

/** The notebook JupyterLab opens on: the semiconductor field case, end to end. */
const FIRST_NOTEBOOK = "semiconductor-anomaly.ipynb";

type PlatformOptions = {
  log?: (line: string) => void;
};

/** The local platform: an MLflow tracking server and JupyterLab whose kernels log to it. */
export interface Platform {
  readonly mlflow: MlflowServer;
  readonly jupyter: JupyterLab;
  readonly kiln: KilnServer;
  stop(): Promise<void>;
}

/**
 * Starts MLflow (or attaches to `$MLFLOW_TRACKING_URI`) and JupyterLab with the tslab kernel,
 * pointing notebooks at that tracking server. If a later component fails, the earlier ones are
 * stopped again so nothing is left running.
 *
 * @example
 * const platform = await startPlatform();
 * process.once("SIGINT", () => platform.stop());
 */
export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const log = options.log ?? ((line: string) => console.log(line));
  log("Starting MLflow tracking server…");
  const mlflow = await startMlflowServer({ dir: kilnPaths.mlflowDir });
  log(`  MLflow     ${mlflow.uri}${mlflow.attached ? "  (attached: MLFLOW_TRACKING_URI)" : ""}`);
  let kiln: KilnServer | undefined;
  try {
    log("Starting Kiln server…");
    // JupyterLab (the extension, notebooks) reaches Kiln with a key that lives as long as this
    // platform; users create lasting keys with `kiln keys create`.
    const sessionAdminKey = `kiln_session_${randomBytes(24).toString("base64url")}`;
    // One data lake for notebooks, the pipeline steps this server runs and the `kiln data` CLI.
    process.env.KILN_LAKE_URI = kilnPaths.lake;
    kiln = await startKilnServer({ trackingUri: mlflow.uri, sessionAdminKey });
    log(`  Kiln       ${kiln.url}`);
    log("Starting JupyterLab…");
    const jupyter = await startJupyterLab({
      // The example a newcomer should see first (README, "Example notebooks").
      ...(existsSync(join(kilnPaths.notebooks, FIRST_NOTEBOOK)) ? { open: FIRST_NOTEBOOK } : {}),
      env: {
        MLFLOW_TRACKING_URI: mlflow.uri,
        KILN_SERVER_URL: kiln.url,
        KILN_ADMIN_KEY: sessionAdminKey,
        KILN_LAKE_URI: kilnPaths.lake,
      },
      // Kiln's extension (its sidebar) talks to this server, whichever port it got.
      settingDefaults: {
        "@kiln/jupyterlab:plugin": { serverUrl: kiln.url, apiKey: sessionAdminKey },
      },
    });
    log(`  JupyterLab ${jupyter.url}`);
    const server = kiln;
    return {
      mlflow,
      jupyter,
      kiln: server,
      async stop() {
        await Promise.allSettled([jupyter.stop(), server.stop(), mlflow.stop()]);
      },
    };
  } catch (error) {
    await Promise.allSettled([kiln?.stop(), mlflow.stop()]);
    throw error;
  }
}
