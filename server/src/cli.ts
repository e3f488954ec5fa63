import {
  compileCommand,
  exportCommand,
  pipelinesCommand,
  runCommand,
  runsCommand,
} from "./commands/pipeline-commands";
import { keysCommand } from "./commands/keys-commands";
import { serveCommand, startCommand } from "./commands/platform-commands";
import { promoteCommand, rollbackCommand } from "./commands/serving-commands";
import { UsageError } from "./commands/usage-error";
import { formatDoctor, runDoctor } from "./doctor";

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
  doctor                    check every component Kiln needs and say how to fix what is missing
  help                      show this text`;

async function doctor(): Promise<void> {
  const checks = await runDoctor();
  console.log(formatDoctor(checks));
  process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
}

const commands: Record<string, (args: string[]) => Promise<void>> = {
  start: startCommand,
  serve: serveCommand,
  compile: compileCommand,
  run: runCommand,
  pipelines: pipelinesCommand,
  runs: runsCommand,
  export: exportCommand,
  promote: promoteCommand,
  rollback: rollbackCommand,
  keys: keysCommand,
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
