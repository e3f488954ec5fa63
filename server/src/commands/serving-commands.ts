import { parseArgs } from "node:util";
import { UsageError } from "./usage-error";

const serverUrl = () =>
  (process.env.KILN_SERVER_URL ?? "http://127.0.0.1:8700").replace(/\/+$/, "");

/** Calls the running Kiln server's admin API: the swap must happen in the process that serves. */
async function adminCall(path: string, body?: unknown): Promise<unknown> {
  const key = process.env.KILN_ADMIN_KEY;
  if (!key) {
    throw new UsageError(
      "KILN_ADMIN_KEY is not set: create an admin key with `kiln keys create --scope admin` and export it.",
    );
  }
  let response: Response;
  try {
    response = await fetch(`${serverUrl()}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new Error(
      `No Kiln server answers at ${serverUrl()} (${(error as Error).message}). Start one with \`kiln serve\` or \`kiln start\`, or set KILN_SERVER_URL.`,
      { cause: error },
    );
  }
  const answer = (await response.json()) as { error?: { message: string; fix?: string } };
  if (!response.ok) {
    throw new Error(
      `${answer.error?.message ?? `HTTP ${response.status}`}${answer.error?.fix ? `\n  How to fix: ${answer.error.fix}` : ""}`,
    );
  }
  return answer;
}

/** `MODEL`, `MODEL@alias` or `MODEL/version`. */
export function parseModelRef(text: string): { model: string; version?: string; alias?: string } {
  const match = /^([^@/]+)(?:@([\w-]+)|\/(\d+))?$/.exec(text);
  if (!match) throw new UsageError(`"${text}" is not MODEL, MODEL@alias or MODEL/version.`);
  const [, model, alias, version] = match;
  return { model: model!, ...(alias ? { alias } : {}), ...(version ? { version } : {}) };
}

type Served = {
  name: string;
  current: { model: string; version: string };
  previous?: { version: string };
  pipeline?: { name: string; version: string };
};

/** `kiln promote MODEL[@alias|/version] [--endpoint NAME] [--alias champion] [--max-batch-size N --max-wait-ms MS]` */
export async function promoteCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      endpoint: { type: "string" },
      alias: { type: "string", default: "champion" },
      "max-batch-size": { type: "string" },
      "max-wait-ms": { type: "string" },
    },
  });
  const usage =
    "Expected: kiln promote MODEL[@alias|/version] [--endpoint NAME] [--alias champion] [--max-batch-size N --max-wait-ms MS]";
  if (positionals.length !== 1) throw new UsageError(usage);
  const maxBatchSize = values["max-batch-size"];
  const maxWaitMs = values["max-wait-ms"];
  if ((maxBatchSize === undefined) !== (maxWaitMs === undefined)) {
    throw new UsageError(`Give --max-batch-size and --max-wait-ms together. ${usage}`);
  }
  const ref = parseModelRef(positionals[0]!);
  const endpoint = values.endpoint ?? ref.model.toLowerCase().replace(/[^a-z0-9_-]+/g, "-");
  const served = (await adminCall(`/api/endpoints/${encodeURIComponent(endpoint)}/promote`, {
    ...ref,
    set_alias: values.alias,
    ...(maxBatchSize !== undefined
      ? { batching: { maxBatchSize: Number(maxBatchSize), maxWaitMs: Number(maxWaitMs) } }
      : {}),
  })) as Served;
  console.log(
    `Endpoint ${served.name} now serves ${served.current.model} v${served.current.version} (alias @${values.alias}).`,
  );
  if (served.pipeline) {
    console.log(
      `  Bound to pipeline ${served.pipeline.name} ${served.pipeline.version}: retraining re-runs it.`,
    );
  }
  console.log(
    `  curl -H "Authorization: Bearer $KILN_PREDICT_KEY" ${serverUrl()}/v2/models/${served.name}`,
  );
}

/** `kiln rollback ENDPOINT` */
export async function rollbackCommand(args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError("Expected: kiln rollback ENDPOINT");
  const served = (await adminCall(
    `/api/endpoints/${encodeURIComponent(positionals[0]!)}/rollback`,
  )) as Served;
  console.log(
    `Endpoint ${served.name} serves ${served.current.model} v${served.current.version} again.`,
  );
}
