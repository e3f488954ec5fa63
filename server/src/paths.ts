import { join, resolve } from "node:path";

/** The Kiln checkout this CLI belongs to (server/dist/*.js → the repository root). */
export const kilnRoot = resolve(__dirname, "..", "..");

/** Where Kiln keeps its state: `$KILN_STATE_DIR`, by default `.kiln/` in the checkout. */
const stateDir = resolve(process.env.KILN_STATE_DIR ?? join(kilnRoot, ".kiln"));

/** Files and folders of one Kiln installation. */
export const kilnPaths = {
  root: kilnRoot,
  venv: join(kilnRoot, ".venv"),
  venvBin: (name: string) => join(kilnRoot, ".venv", "bin", name),
  state: stateDir,
  mlflowDir: join(stateDir, "mlflow"),
  /** The data lake (LanceDB) the CLI, the server's pipeline steps and notebooks share. */
  lake: process.env.KILN_LAKE_URI || join(stateDir, "lake"),
  notebooks: join(kilnRoot, "notebooks"),
  tslabKernelSpec: join(kilnRoot, ".venv", "share", "jupyter", "kernels", "tslab", "kernel.json"),
  /** Kiln's JupyterLab extension as installed in the venv (`pip install ./extension`). */
  labextensionManifest: join(
    kilnRoot,
    ...[".venv", "share", "jupyter", "labextensions", "@kiln", "jupyterlab", "package.json"],
  ),
};
