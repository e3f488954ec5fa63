import type * as PipelineCommands from "./commands/pipeline-commands";
import type * as PlatformCommands from "./commands/platform-commands";
import type * as ServingCommands from "./commands/serving-commands";
import type * as KeysCommands from "./commands/keys-commands";
import type * as DataCommands from "./commands/data-commands";
import type * as Doctor from "./doctor";
import { UsageError } from "./commands/usage-error";

const usage = `Usage: kiln <command>

Commands:
  start                     start the platform: MLflow, JupyterLab with the tslab kernel, Kiln's server
  serve [--port N] [--host H]
                            start only Kiln's HTTP server (pipelines, promotion, serving)
  compile NOTEBOOK [--out spec.json]
                            compile an annotated notebook into a versioned pipeline
  run NOTEBOOK [--param k=v ...] [--force] [--parallelism N]
                            run a notebook's pipeline, showing each step's progress
  pipelines                 list compiled pipelines and their versions
  runs PIPELINE             list the runs of a pipeline
  export kfp NOTEBOOK --image IMAGE --out pipeline.yaml
                            write a Kubeflow Pipelines v2 pipeline
  promote MODEL[@alias|/version] [--endpoint NAME] [--alias champion]
                            serve a registered model version on an endpoint of the running server
  rollback ENDPOINT         serve the endpoint's previous version again
  keys create --scope admin|predict [--label L] | keys list | keys revoke ID
                            API keys for the HTTP server (only their hashes are stored)
  data ingest FILE --table T [--mode append|overwrite|upsert] [--key k] [--event-time col] [--tag name]
                            load a CSV, JSON Lines, Parquet or Arrow file into a versioned lake table
  data show TABLE           a lake table's versions (time, rows, tags) and the MLflow runs that read them
  data tables               the lake's tables
  doctor                    check every component Kiln needs and say how to fix what is missing
  help                      show this text`;

async function doctor(): Promise<void> {
  const { formatDoctor, runDoctor } = load<typeof Doctor>("./doctor");
  const checks = await runDoctor();
  console.log(formatDoctor(checks));
  process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
}

// Each command loads only its own modules: `kiln run` on a cached pipeline must not pay for the
// server's (Hono, SQLite, BullMQ) imports.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous lazy load
const load = <T>(module: string): T => require(module) as T;
const pipelines = () => load<typeof PipelineCommands>("./commands/pipeline-commands");
const platform = () => load<typeof PlatformCommands>("./commands/platform-commands");
const serving = () => load<typeof ServingCommands>("./commands/serving-commands");

const commands: Record<string, (args: string[]) => Promise<void>> = {
  start: async (args) => platform().startCommand(args),
  serve: async (args) => platform().serveCommand(args),
  compile: async (args) => pipelines().compileCommand(args),
  run: async (args) => pipelines().runCommand(args),
  pipelines: async () => pipelines().pipelinesCommand(),
  runs: async (args) => pipelines().runsCommand(args),
  export: async (args) => pipelines().exportCommand(args),
  promote: async (args) => serving().promoteCommand(args),
  rollback: async (args) => serving().rollbackCommand(args),
  keys: async (args) => load<typeof KeysCommands>("./commands/keys-commands").keysCommand(args),
  data: async (args) => load<typeof DataCommands>("./commands/data-commands").dataCommand(args),
  doctor,
  help: async () => console.log(usage),
};

async function main(argv: string[]): Promise<void> {
  const [name = "help", ...args] = argv;
  const command = commands[name];
  if (!command) throw new UsageError(`Unknown command "${name}".`);
  await command(args);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (
    error instanceof UsageError ||
    (error instanceof TypeError &&
      "code" in error &&
      String(error.code).startsWith("ERR_PARSE_ARGS"))
  ) {
    console.error(`${error.message}\nRun \`kiln help\` for the commands and their options.`);
    process.exit(2);
  }
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
