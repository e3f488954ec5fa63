/**
 * Where the data lake lives and how its tables are opened. The lake is a LanceDB database: a
 * directory by default (`$KILN_LAKE_URI`, else `$KILN_STATE_DIR/lake`, else `.kiln/lake` under
 * the working directory), or any URI LanceDB connects to (object storage: same code).
 *
 * @example
 * ```ts
 * const lake = await Lake.open(); // .kiln/lake
 * console.log(await lake.tableNames());
 * const table = await lake.openTable("sensors"); // TableNotFoundError names the tables there are
 * ```
 */
import { join, resolve } from "node:path";
import type { Connection, Table as LanceTable } from "@lancedb/lancedb";
import { DataError, IngestOptionsError, TableNotFoundError } from "./errors";
import { loadLanceDb } from "./lazy-modules";

const TABLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * The lake's URI: `lake` if given, else `$KILN_LAKE_URI`, else `$KILN_STATE_DIR/lake`, else
 * `.kiln/lake`; directories are made absolute so references to them survive a `cd`.
 */
export function resolveLakeUri(lake?: string, env: NodeJS.ProcessEnv = process.env): string {
  // An empty variable counts as unset (a lake in the working directory would be a surprise).
  const uri = lake || env["KILN_LAKE_URI"] || join(env["KILN_STATE_DIR"] || ".kiln", "lake");
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) ? uri : resolve(uri);
}

/** Throws IngestOptionsError unless `name` can name a table (letters, digits, `_`, `.`, `-`). */
export function assertTableName(name: unknown): asserts name is string {
  if (typeof name === "string" && TABLE_NAME.test(name)) return;
  throw new IngestOptionsError(
    `${JSON.stringify(name)} cannot name a table.`,
    'Use letters, digits, "_", "." and "-" (at most 128, starting with a letter or digit), e.g. "plant-sensors".',
  );
}

/** An open connection to one lake. */
export class Lake {
  readonly uri: string;
  readonly connection: Connection;

  private constructor(uri: string, connection: Connection) {
    this.uri = uri;
    this.connection = connection;
  }

  /** Connects to the lake at `uri` (see {@link resolveLakeUri} for the default). */
  static async open(uri?: string): Promise<Lake> {
    const resolved = resolveLakeUri(uri);
    try {
      return new Lake(resolved, await loadLanceDb().connect(resolved));
    } catch (error) {
      throw new DataError(
        `Cannot open the data lake at ${resolved} (${(error as Error).message}).`,
        "Check the lake URI (the lake option, KILN_LAKE_URI or KILN_STATE_DIR).",
        { cause: error },
      );
    }
  }

  /** The lake's tables, sorted. */
  async tableNames(): Promise<string[]> {
    return (await this.connection.tableNames()).sort();
  }

  /** Opens a table; throws TableNotFoundError listing the lake's tables. */
  async openTable(name: string): Promise<LanceTable> {
    assertTableName(name);
    const table = await this.tryOpenTable(name);
    if (table) return table;
    throw new TableNotFoundError(name, { lake: this.uri, tables: await this.tableNames() });
  }

  /** Opens a table, or resolves undefined when the lake has none of that name. */
  async tryOpenTable(name: string): Promise<LanceTable | undefined> {
    if (!(await this.connection.tableNames()).includes(name)) return undefined;
    return this.connection.openTable(name);
  }
}
