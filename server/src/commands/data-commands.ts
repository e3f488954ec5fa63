import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { data, type FileFormat, type TableDescription, type WriteMode } from "@kiln/kernel-lib";
import { kilnPaths } from "../paths";
import { IngestProgressLine } from "./ingest-progress";
import { UsageError } from "./usage-error";

const INGEST_USAGE =
  "kiln data ingest FILE --table T [--mode append|overwrite|upsert] [--key k[,k2]] [--event-time col] [--tag name] [--format csv|tsv|jsonl|parquet|arrow] [--lake URI]";
const USAGE = `Expected: ${INGEST_USAGE} | kiln data show TABLE [--lake URI] | kiln data tables [--lake URI]`;

// The CLI's lake is in the checkout's state dir, like its other state; KILN_LAKE_URI overrides.
const lakeUri = (option: string | undefined) => option || kilnPaths.lake;

/** `kiln data ingest|show|tables …` */
export async function dataCommand(args: string[]): Promise<void> {
  const [action, ...rest] = args;
  switch (action) {
    case "ingest":
      return ingestCommand(rest);
    case "show":
      return showCommand(rest);
    case "tables":
      return tablesCommand(rest);
    default:
      throw new UsageError(USAGE);
  }
}

async function ingestCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      table: { type: "string" },
      mode: { type: "string" },
      key: { type: "string" },
      "event-time": { type: "string" },
      tag: { type: "string" },
      format: { type: "string" },
      lake: { type: "string" },
    },
  });
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0 || !values.table) throw new UsageError(`Expected: ${INGEST_USAGE}`);
  const progress = new IngestProgressLine(process.stderr);
  try {
    const result = await data.ingest(resolve(file), {
      table: values.table,
      lake: lakeUri(values.lake),
      ...(values.mode ? { mode: values.mode as WriteMode } : {}),
      ...(values.key ? { key: values.key.split(",") } : {}),
      ...(values["event-time"] ? { eventTime: values["event-time"] } : {}),
      ...(values.tag ? { tag: values.tag } : {}),
      ...(values.format ? { format: values.format as FileFormat } : {}),
      onProgress: (p) => progress.update(p),
    });
    progress.done();
    console.log(
      `${result.table} version ${result.version}: ${result.rowsIngested.toLocaleString("en-US")} rows ${result.mode === "append" ? "appended" : result.mode === "overwrite" ? "written" : "upserted"}, ${result.rowCount.toLocaleString("en-US")} rows in the table${result.tag ? `, tagged ${result.tag}` : ""}`,
    );
  } finally {
    progress.done();
  }
}

async function showCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { lake: { type: "string" } },
  });
  const [table, ...extra] = positionals;
  if (!table || extra.length > 0)
    throw new UsageError("Expected: kiln data show TABLE [--lake URI]");
  console.log(formatDescription(await data.describe(table, { lake: lakeUri(values.lake) })));
}

async function tablesCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { lake: { type: "string" } } });
  const names = await data.tables({ lake: lakeUri(values.lake) });
  console.log(
    names.length ? names.join("\n") : "No tables yet: kiln data ingest FILE --table NAME",
  );
}

/** The text `kiln data show` prints. */
export function formatDescription(description: TableDescription): string {
  const columns = description.columns
    .map((c) => `${c.name} ${c.type}${c.nullable ? "" : " not null"}`)
    .join(", ");
  const lines = [
    `${description.table}  (${description.lake})`,
    `columns: ${columns}`,
    ...(description.key ? [`key: ${description.key.join(", ")}`] : []),
    ...(description.eventTime ? [`event time: ${description.eventTime}`] : []),
    "",
    ["version", "time (UTC)".padEnd(19), "rows".padStart(12), "tags", "runs"].join("  "),
  ];
  for (const v of description.versions) {
    const runs =
      v.runs === undefined
        ? "(set MLFLOW_TRACKING_URI to list them)"
        : v.runs.map((r) => `${r.runId}${r.runName ? ` (${r.runName})` : ""}`).join(", ") || "-";
    lines.push(
      [
        String(v.version).padStart(7),
        v.time.toISOString().slice(0, 19).replace("T", " "),
        v.rows.toLocaleString("en-US").padStart(12),
        v.tags.join(", ") || "-",
        runs,
      ].join("  "),
    );
  }
  return lines.join("\n");
}
