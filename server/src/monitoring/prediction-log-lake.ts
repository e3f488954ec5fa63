import { join } from "node:path";
import type { Connection, Table as LanceTable } from "@lancedb/lancedb";
import type { Table as ArrowTable } from "apache-arrow";
import { resolveLakeUri } from "@kiln/kernel-lib";

// LanceDB's native addon and Arrow load on first use, as in kernel-lib's data layer: `kiln`
// commands that never serve must not pay for them (the server is CommonJS, so `require` exists).
const nodeRequire: NodeJS.Require = require;
export const loadArrow = () => nodeRequire("apache-arrow") as typeof import("apache-arrow");
const loadLanceDb = () => nodeRequire("@lancedb/lancedb") as typeof import("@lancedb/lancedb");

/** The lake tables of one endpoint's monitoring. */
export type MonitoringTables = {
  /** One row per logged (sampled) prediction row. */
  predictions: string;
  /** One row per scoring request, sampled or not, errors included. */
  requests: string;
  /** One row per label posted to `/endpoints/{name}/feedback`. */
  feedback: string;
};

/**
 * The table names of `endpoint`: `predictions__<endpoint>`, `requests__<endpoint>`,
 * `feedback__<endpoint>` (endpoint names are lowercase letters, digits, `_` and `-`, so these are
 * valid lake table names).
 *
 * @example
 * monitoringTables("drill").predictions; // "predictions__drill"
 */
export function monitoringTables(endpoint: string): MonitoringTables {
  return {
    predictions: `predictions__${endpoint}`,
    requests: `requests__${endpoint}`,
    feedback: `feedback__${endpoint}`,
  };
}

/**
 * The lake the server's monitoring tables live in: `lake` if given, else `$KILN_LAKE_URI`, else
 * `<stateDir>/lake`: the same lake `kiln.data` reads when pointed at the server's state dir.
 *
 * @example
 * monitoringLakeUri(".kiln"); // "/srv/app/.kiln/lake"
 */
export function monitoringLakeUri(
  stateDir: string,
  lake?: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  return resolveLakeUri(lake || env["KILN_LAKE_URI"] || join(stateDir, "lake"));
}

/**
 * One connection to the lake, opened on first use, with each table opened once: the same handle
 * writes and reads a table, so this process always reads its own writes.
 *
 * @example
 * const lake = new PredictionLake("/srv/app/.kiln/lake");
 * const table = await lake.table("predictions__drill"); // undefined until the first write
 */
export class PredictionLake {
  readonly uri: string;
  #connection: Promise<Connection> | undefined;
  readonly #tables = new Map<string, Promise<LanceTable>>();

  constructor(uri: string) {
    this.uri = uri;
  }

  /** The table `name`, or undefined when the lake has none of that name (yet). */
  async table(name: string): Promise<LanceTable | undefined> {
    const opened = this.#tables.get(name);
    if (opened) return opened;
    const connection = await this.#connect();
    if (!(await connection.tableNames()).includes(name)) return undefined;
    // Two callers may get here together: both get the first handle.
    if (!this.#tables.has(name)) this.#tables.set(name, connection.openTable(name));
    return this.#tables.get(name);
  }

  /** Creates table `name` holding `data` (one LanceDB version: the creation is the write). */
  async createTable(name: string, data: ArrowTable): Promise<LanceTable> {
    const connection = await this.#connect();
    const created = connection.createTable(name, data);
    this.#tables.set(name, created);
    try {
      return await created;
    } catch (error) {
      this.#tables.delete(name);
      throw error;
    }
  }

  /** Forgets the open handles (the tables stay in the lake). */
  close(): void {
    this.#tables.clear();
    void this.#connection?.then((connection) => connection.close()).catch(() => undefined);
    this.#connection = undefined;
  }

  #connect(): Promise<Connection> {
    this.#connection ??= loadLanceDb()
      .connect(this.uri)
      .catch((error: unknown) => {
        this.#connection = undefined;
        throw new Error(
          `Cannot open the data lake at ${this.uri} for the prediction log (${(error as Error).message}). Check KILN_LAKE_URI or the server's state directory.`,
          { cause: error },
        );
      });
    return this.#connection;
  }
}
