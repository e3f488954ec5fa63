/**
 * `kiln.log`: tracking calls that work the same in a notebook cell and in a pipeline step. In a
 * step they log to the step's nested MLflow run; in a notebook to an interactive run (experiment
 * `$KILN_EXPERIMENT`, default `notebook-interactive`) when `MLFLOW_TRACKING_URI` is set, else to
 * memory after a one-line warning. Metric and param calls validate synchronously (bad keys and
 * NaN throw MlflowValidationError) and return at once.
 *
 * @example
 * ```ts
 * import * as kiln from "@kiln/kernel-lib";
 * kiln.log.param("optimizer", "adam");
 * for (let epoch = 0; epoch < 10; epoch++) kiln.log.metric("loss", losses[epoch], epoch);
 * kiln.log.metrics({ acc: 0.93, auc: 0.97 });
 * const uri = await kiln.log.model(model, { name: "classifier" }); // mlflow-artifacts:/…/models/classifier
 * // With an input schema: a servable bundle, registered as a new version of "classifier".
 * const { artifactUri, registeredModel, version } = await kiln.log.model(model, {
 *   name: "classifier",
 *   inputSchema: { features: [{ name: "temp", dtype: "float32", min: -40, max: 120 }] },
 *   reference: trainingRows,
 * });
 * ```
 */
import type { DatasetInput } from "../../mlflow/types";
import { stepContext } from "./context";
import { chooseLogSink } from "./log-sinks";
import type {
  LoggedModelBundle,
  LogSink,
  ModelBundleOptions,
  RecordedLogs,
  SavableModel,
} from "./log-sinks";

export type {
  LoggedModelBundle,
  ModelBundleOptions,
  RecordedLogs,
  SavableModel,
} from "./log-sinks";

let sink: LogSink | undefined;

function currentSink(): LogSink {
  sink ??= chooseLogSink({
    tracking: stepContext()?.tracking,
    env: process.env,
    warn: (line) => console.warn(line),
  });
  return sink;
}

/** Options of {@link log}`.model`. */
export type LogModelOptions = {
  /** Artifact directory name under `models/`: letters, digits, `.`, `_`, `-`. */
  name: string;
};

/**
 * Saves a tfjs model as artifacts `models/<name>/` of the current run.
 *
 * - With `{ name }` only: the tfjs files (`model.json`, `weights.bin`); resolves with their URI.
 * - With `{ name, inputSchema, transform?, reference?, fallback?, dataset? }`: a servable bundle
 *   (model, input schema, transform code, reference statistics, fallback model, `MLmodel` with a
 *   `kiln` flavor, checksummed `bundle.json`), registered as a new version of the registered
 *   model `name` with lineage tags; resolves with `{ artifactUri, registeredModel, version }`.
 *   Unlike metrics, a failed upload or registration rejects. Untracked: saved under
 *   `.kiln/models/<name>`, not registered.
 */
function logModel(model: SavableModel, options: ModelBundleOptions): Promise<LoggedModelBundle>;
function logModel(model: SavableModel, options: LogModelOptions): Promise<string>;
function logModel(
  model: SavableModel,
  options: LogModelOptions | ModelBundleOptions,
): Promise<string | LoggedModelBundle> {
  if ("inputSchema" in options && options.inputSchema !== undefined) {
    return currentSink().modelBundle(model, options);
  }
  return currentSink().model(model, options.name);
}

/** The `kiln.log` namespace. */
export const log = {
  /** Logs one metric point (step defaults to 0, as in MLflow). */
  metric(key: string, value: number, step?: number): void {
    currentSink().metrics({ [key]: value }, step);
  },

  /** Logs several metrics at one step. */
  metrics(metrics: Record<string, number>, step?: number): void {
    currentSink().metrics(metrics, step);
  },

  /** Logs one param; a param cannot change value within a run. */
  param(key: string, value: string | number | boolean): void {
    currentSink().params({ [key]: value });
  },

  /** Logs several params. */
  params(params: Record<string, string | number | boolean>): void {
    currentSink().params(params);
  },

  /** See {@link logModel}: plain tfjs artifacts, or a registered bundle with `inputSchema`. */
  model: logModel,

  /** Resolves when everything logged so far is delivered (or spooled). */
  flush(): Promise<void> {
    return sink?.flush() ?? Promise.resolve();
  },

  /** Everything logged in this process, also when it was not tracked. */
  recorded(): RecordedLogs {
    return currentSink().recorded;
  },
};

/**
 * Records datasets the current run read, in a step or a tracked notebook (what `kiln.data.read`
 * calls); they also appear in `kiln.log.recorded().datasets`.
 */
export function logDatasetInputs(inputs: DatasetInput[]): void {
  // An untracked notebook has no run to record them on, and reading data alone should not
  // print kiln.log's "not tracked" warning.
  if (!sink && !stepContext()?.tracking && !process.env["MLFLOW_TRACKING_URI"]) return;
  currentSink().datasets(inputs);
}

/** Delivers and releases the log sink; the step harness calls it before the step exits. */
export function closeLog(): Promise<void> {
  return sink?.close() ?? Promise.resolve();
}
