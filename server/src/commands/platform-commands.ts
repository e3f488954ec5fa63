import { parseArgs } from "node:util";
import { kilnPaths } from "../paths";
import { startKilnServer } from "../kiln-server";
import { startPlatform } from "../platform";
import { UsageError } from "./usage-error";

/** Stops `stop` on Ctrl-C or SIGTERM, once, then exits 0. */
function stopOnSignals(what: string, stop: () => Promise<void>): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping ${what}…`);
    await stop();
    console.log("Stopped.");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

/** `kiln start`: MLflow, Kiln's server and JupyterLab, until Ctrl-C. */
export async function startCommand(args: string[]): Promise<void> {
  if (args.length > 0) throw new UsageError("kiln start takes no arguments.");
  const platform = await startPlatform();
  console.log("Kiln is running. Press Ctrl-C to stop.");
  stopOnSignals("JupyterLab, Kiln and MLflow", () => platform.stop());
}

/** `kiln serve [--port N] [--host H]`: only Kiln's HTTP server. */
export async function serveCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: "string" }, host: { type: "string" } },
  });
  const port = values.port === undefined ? 8700 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be a port number (0-65535), got "${values.port}".`);
  }
  // The pipeline steps this server runs read and write the same lake as `kiln data`.
  process.env.KILN_LAKE_URI = kilnPaths.lake;
  const server = await startKilnServer({
    port,
    ...(values.host ? { host: values.host } : {}),
    ...(process.env.MLFLOW_TRACKING_URI ? { trackingUri: process.env.MLFLOW_TRACKING_URI } : {}),
  });
  console.log(
    `Kiln server on ${server.url} (keys: \`kiln keys create --scope admin|predict\`). Press Ctrl-C to stop.`,
  );
  stopOnSignals("the Kiln server", () => server.stop());
}
