// Running the example notebooks in tests as users do: top to bottom in tslab (nbconvert from
// .venv) and as a pipeline with the CLI, with the environment `kiln start` gives JupyterLab.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { promisify } from "node:util";
import { realMlflowUri } from "./real-mlflow";

const root = join(__dirname, "..", "..");

/** One output of an executed cell (nbformat 4). */
export type NotebookOutput = {
  output_type: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
};

/** The text an output shows (stream text or `text/plain`). */
export const textOf = (o: NotebookOutput) =>
  [o.text, o.data?.["text/plain"]].flat().filter(Boolean).join("");

/** The HTML an output shows (`text/html`), e.g. an inline SVG plot. */
export const htmlOf = (o: NotebookOutput) =>
  [o.data?.["text/html"]].flat().filter(Boolean).join("");

/** The groups of `pattern` in what a notebook printed; throws with the whole text when absent. */
export function printed(text: string, pattern: RegExp): string[] {
  const match = pattern.exec(text);
  if (!match) throw new Error(`The notebook did not print ${pattern}; it printed:\n${text}`);
  return match.slice(1);
}

/** The kernel's and the pipeline steps' environment, as `kiln start` gives JupyterLab. */
export function platformEnv(platform: {
  serverUrl: string;
  adminKey: string;
  lake: string;
}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    MLFLOW_TRACKING_URI: realMlflowUri(),
    KILN_SERVER_URL: platform.serverUrl,
    KILN_ADMIN_KEY: platform.adminKey,
    KILN_LAKE_URI: platform.lake,
  };
}

/**
 * Executes `notebook` top to bottom with the tslab kernel (nbconvert from `.venv`), from the
 * notebooks folder, writing the executed copy to `outputDir`; answers every cell output and
 * their text.
 */
export async function executeNotebook(
  notebook: string,
  options: { outputDir: string; env: NodeJS.ProcessEnv; cellTimeoutSeconds?: number },
): Promise<{ outputs: NotebookOutput[]; text: string }> {
  await promisify(execFile)(
    join(root, ".venv", "bin", "jupyter"),
    [
      "nbconvert",
      "--to=notebook",
      "--execute",
      "--ExecutePreprocessor.kernel_name=tslab",
      `--ExecutePreprocessor.timeout=${options.cellTimeoutSeconds ?? 180}`,
      `--output-dir=${options.outputDir}`,
      notebook,
    ],
    { env: options.env, cwd: join(root, "notebooks") },
  );
  const executed = JSON.parse(
    readFileSync(join(options.outputDir, basename(notebook)), "utf8"),
  ) as { cells: { outputs?: NotebookOutput[] }[] };
  const outputs = executed.cells.flatMap((c) => c.outputs ?? []);
  return { outputs, text: outputs.map(textOf).join("\n") };
}

/** Runs `notebook` as a pipeline with `kiln run` (its state in `KILN_STATE_DIR` of `env`). */
export async function runNotebookPipeline(
  notebook: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(root, "server", "dist", "cli.js"), "run", notebook],
    { env, cwd: root },
  );
  return stdout;
}
