/**
 * Where materialization stands: for each feature view and source table, the source version last
 * processed and how many Lance fragments it had. The catalog is a lake table itself
 * (`kiln_feature_views`), so it lives wherever the lake does, local disk or object storage.
 *
 * Why fragments: Lance writes new and updated rows (append, upsert) into new fragments, whose
 * ids only grow, and a row id is `fragment << 32 | offset`. The rows a source gained since a
 * processed version are those in fragments past the ones that version had.
 *
 * @example
 * ```ts
 * const catalog = await ViewCatalog.open(lake);
 * const progress = await catalog.progress("sensor_health"); // Map source → { version, fragments }
 * ```
 */
import type { Lake } from "../data/lake";

/** The catalog table's name. */
export const VIEW_CATALOG_TABLE = "kiln_feature_views";

/** How far one source of one view has been materialized. */
export type SourceProgress = {
  /** The view definition's version it was processed for. */
  definition: number;
  /** The source's last processed committed version. */
  version: number;
  /** Fragment ids below this were processed. */
  fragments: number;
};

/** The materialization progress of every feature view in a lake. */
export class ViewCatalog {
  readonly #lake: Lake;

  private constructor(lake: Lake) {
    this.#lake = lake;
  }

  static open(lake: Lake): ViewCatalog {
    return new ViewCatalog(lake);
  }

  /** Source table → progress, for `view`. */
  async progress(view: string): Promise<Map<string, SourceProgress>> {
    const table = await this.#lake.tryOpenTable(VIEW_CATALOG_TABLE);
    if (!table) return new Map();
    const rows = await table
      .query()
      .where(`view = ${sqlString(view)}`)
      .toArray();
    return new Map(
      rows.map((row: Record<string, unknown>) => [
        String(row["source"]),
        {
          definition: Number(row["definition"]),
          version: Number(row["source_version"]),
          fragments: Number(row["fragments"]),
        },
      ]),
    );
  }

  /** Records that `view` processed its sources this far. */
  async record(view: string, progress: Map<string, SourceProgress>): Promise<void> {
    const rows = [...progress].map(([source, p]) => ({
      view,
      source,
      definition: p.definition,
      source_version: p.version,
      fragments: p.fragments,
    }));
    if (rows.length === 0) return;
    const table = await this.#lake.tryOpenTable(VIEW_CATALOG_TABLE);
    if (!table) {
      await this.#lake.connection.createTable(VIEW_CATALOG_TABLE, rows);
      return;
    }
    await table
      .mergeInsert(["view", "source"])
      .whenMatchedUpdateAll()
      .whenNotMatchedInsertAll()
      .execute(rows);
  }
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
