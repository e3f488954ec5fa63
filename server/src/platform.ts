import { startMlflowServer, type MlflowServer } from "@kiln/kernel-lib";
import { startJupyterLab, type JupyterLab } from "./jupyter";
import { kilnPaths } from "./paths";

type PlatformOptions = {
  log?: (line: string) => void;
};

/** The local platform: an MLflow tracking server and JupyterLab whose kernels log to it. */
export interface Platform {
  readonly mlflow: MlflowServer;
  readonly jupyter: JupyterLab;
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
  let jupyter: JupyterLab;
  try {
    log("Starting JupyterLab…");
    jupyter = await startJupyterLab({ env: { MLFLOW_TRACKING_URI: mlflow.uri } });
  } catch (error) {
    await mlflow.stop();
    throw error;
  }
  log(`  JupyterLab ${jupyter.url}`);
  return {
    mlflow,
    jupyter,
    async stop() {
      await Promise.allSettled([jupyter.stop(), mlflow.stop()]);
    },
  };
}
