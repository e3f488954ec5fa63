/**
 * A LanceDB table as it crosses a step boundary: where it lives and which version the step saw.
 * Tables themselves hold open native handles and cannot be copied; a reference pinned to a
 * version gives the downstream step exactly the data the upstream step produced.
 *
 * @example
 * ```ts
 * // upstream step
 * const items = LanceTableRef.of(await db.createTable("items", rows)); // or just pass the table
 * // downstream step
 * const table = await items.open(); // checked out at the upstream version
 * ```
 */
import type { Table } from "@lancedb/lancedb";

// Heavy packages are required on first use (kernel-lib is CommonJS, so `require` is in scope).
const nodeRequire: NodeJS.Require = require;

/** The fields of a {@link LanceTableRef}, as stored. */
export interface LanceTableRefFields {
  /** Database URI as given to `lancedb.connect` (a directory or an object-store URI). */
  uri: string;
  table: string;
  version: number;
}

/** A serialisable reference to one version of a LanceDB table. */
export class LanceTableRef implements LanceTableRefFields {
  readonly uri: string;
  readonly table: string;
  readonly version: number;

  constructor(fields: LanceTableRefFields) {
    this.uri = fields.uri;
    this.table = fields.table;
    this.version = fields.version;
  }

  /**
   * The reference of an open `@lancedb/lancedb` table at its current version. Throws a TypeError
   * when the table does not reveal its location (e.g. a remote LanceDB Cloud table).
   */
  static async of(table: Table): Promise<LanceTableRef> {
    // LanceDB's Table has no uri getter; its display() is `NativeTable(name, uri=…/name.lance, …)`.
    const display = table.display();
    const match = /uri=(.*?)(?:, [a-z_]+=|\)$)/.exec(display);
    const tableUri = match?.[1];
    if (!tableUri) {
      throw new TypeError(
        `Cannot pass the LanceDB table "${table.name}" between steps: its location cannot be read ` +
          `from ${JSON.stringify(display)}. Pass new LanceTableRef({ uri, table, version }) instead.`,
      );
    }
    const suffix = `/${table.name}.lance`;
    const uri = tableUri.endsWith(suffix) ? tableUri.slice(0, -suffix.length) : tableUri;
    return new LanceTableRef({ uri, table: table.name, version: await table.version() });
  }

  /** Opens the table, checked out at the referenced version (read-only until `checkoutLatest`). */
  async open(): Promise<Table> {
    // Loaded on demand: the native LanceDB addon is only needed by steps that use tables.
    const lancedb = nodeRequire("@lancedb/lancedb") as typeof import("@lancedb/lancedb");
    const db = await lancedb.connect(this.uri);
    const table = await db.openTable(this.table);
    await table.checkout(this.version);
    return table;
  }

  toJSON(): LanceTableRefFields {
    return { uri: this.uri, table: this.table, version: this.version };
  }
}

/** Whether `value` looks like an open `@lancedb/lancedb` Table (from any copy of the package). */
export function isLanceTable(value: object): value is Table {
  const v = value as Partial<Record<keyof Table, unknown>>;
  return (
    typeof v.display === "function" &&
    typeof v.version === "function" &&
    typeof v.checkout === "function" &&
    typeof v.countRows === "function" &&
    typeof v.name === "string"
  );
}
