/**
 * Uniqueness: no two rows share a key, single (`column`) or compound (`columns`). As in Great
 * Expectations every row of a duplicated key is unexpected (two rows with key 7: two unexpected
 * rows); rows with a missing key part are skipped. 1 and 1n are the same key.
 *
 * @example
 * ```ts
 * judgeUnique({ type: "unique", columns: ["wafer_id", "step"] }, context);
 * ```
 */
import { isMissing, keyText } from "../cell-values";
import type { UniqueExpectation } from "../suite-format";
import { judgeRows, type JudgeContext, type Judgement } from "./judgement";

/** The key columns of a `unique` expectation. */
export function keyColumns(expectation: UniqueExpectation): string[] {
  return expectation.columns ?? [expectation.column!];
}

/** Judges `unique`: the share of rows whose key no other row has is at least `mostly`. */
export function judgeUnique(expectation: UniqueExpectation, context: JudgeContext): Judgement {
  const columns = keyColumns(expectation);
  const parts = columns.map((name) => context.data.values(name));
  const keys: (string | undefined)[] = [];
  const counts = new Map<string, number>();
  for (let row = 0; row < context.data.rowCount; row++) {
    const values = parts.map((values) => values[row]);
    const key = values.some(isMissing) ? undefined : values.map(keyText).join("\u001f");
    keys.push(key);
    if (key !== undefined) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const judgement = judgeRows(context, {
    mostly: expectation.mostly,
    demand:
      columns.length === 1
        ? `unique values of ${columns[0]}`
        : `unique (${columns.join(", ")}) keys`,
    noun: "rows",
    test: (row) => {
      const key = keys[row];
      return key === undefined ? undefined : counts.get(key) === 1;
    },
    example: (row) =>
      columns.length === 1
        ? parts[0]![row]
        : Object.fromEntries(columns.map((c, i) => [c, parts[i]![row]])),
  });
  const duplicated = [...counts.values()].filter((count) => count > 1).length;
  return { ...judgement, details: { duplicatedKeys: duplicated } };
}
