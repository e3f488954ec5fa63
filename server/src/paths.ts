import { join, resolve } from "node:path";

/** The Kiln checkout this CLI belongs to (server/dist/*.js → the repository root). */
export const kilnRoot = resolve(__dirname, "..", "..");

/** Files and folders of one Kiln installation, all under its checkout. */
export const kilnPaths = {
  root: kilnRoot,
  venv: join(kilnRoot, ".venv"),
  venvBin: (name: string) => join(kilnRoot, ".venv", "bin", name),
  state: join(kilnRoot, ".kiln"),
  mlflowDir: join(kilnRoot, ".kiln", "mlflow"),
  jupyterLog: join(kilnRoot, ".kiln", "jupyter.log"),
  notebooks: join(kilnRoot, "notebooks"),
  tslabKernelSpec: join(kilnRoot, ".venv", "share", "jupyter", "kernels", "tslab", "kernel.json"),
};
