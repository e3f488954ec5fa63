import { parseArgs } from "node:util";
import { formatDoctor, runDoctor } from "./doctor";
import { startPlatform } from "./platform";

const usage = `Usage: kiln <command>

Commands:
  start    start the local platform (MLflow tracking server, JupyterLab with the tslab kernel)
  doctor   check every component Kiln needs and say how to fix what is missing
  help     show this text`;

async function start(): Promise<void> {
  const platform = await startPlatform();
  console.log("Kiln is running. Press Ctrl-C to stop.");
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping JupyterLab and MLflow…`);
    await platform.stop();
    console.log("Stopped.");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

async function doctor(): Promise<void> {
  const checks = await runDoctor();
  console.log(formatDoctor(checks));
  process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
}

async function main(argv: string[]): Promise<void> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true });
  const [command = "help"] = positionals;
  switch (command) {
    case "start":
      return start();
    case "doctor":
      return doctor();
    case "help":
      console.log(usage);
      return;
    default:
      console.error(`Unknown command "${command}".\n\n${usage}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
