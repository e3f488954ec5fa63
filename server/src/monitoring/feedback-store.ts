import { UnknownPredictionsError, type FeedbackLabel, type UnmatchedLabel } from "./feedback";
import { monitoringTables, type PredictionLake } from "./prediction-log-lake";
import type { PredictionLogReader } from "./prediction-log-reader";
import { arrowTable } from "./prediction-log-table";

/** What the feedback store needs of the prediction log. */
export type FeedbackLog = {
  /** Writes what is queued, so labels may follow their predictions at once. */
  flush(): Promise<void>;
  sampleRateOf(endpoint: string): number;
};

/** A stored label with the time it arrived. */
export type StoredLabel = { label: number; receivedAt: number };

/** The key of a prediction row: request id and row index. */
export const rowKey = (requestId: string, row: number): string => `${requestId}\u0000${row}`;

/**
 * Ground-truth labels for logged predictions, in the lake table `feedback__<endpoint>`
 * (`request_id` string, `row` int32, `label` float64, `received_at` timestamp[ms, UTC]). A
 * request's labels are checked against the prediction log first and stored all or none, with one
 * LanceDB merge on (`request_id`, `row`): a label sent again for the same row replaces the
 * earlier one. Labels may arrive any time after the prediction (days later).
 *
 * @example
 * const store = new FeedbackStore(lake, reader, log);
 * await store.add("drill", [{ requestId: "order-42", row: 0, label: 1.5 }]); // { accepted: 1 }
 */
export class FeedbackStore {
  readonly #lake: PredictionLake;
  readonly #reader: PredictionLogReader;
  readonly #log: FeedbackLog;
  // One write at a time per table: concurrent merges into one Lance table could conflict.
  readonly #writes = new Map<string, Promise<unknown>>();

  constructor(lake: PredictionLake, reader: PredictionLogReader, log: FeedbackLog) {
    this.#lake = lake;
    this.#reader = reader;
    this.#log = log;
  }

  /**
   * Stores `labels` of `endpoint`'s predictions.
   * @throws UnknownPredictionsError (400) when any label names a row the log does not hold;
   * nothing is stored then.
   */
  async add(
    endpoint: string,
    labels: readonly FeedbackLabel[],
  ): Promise<{ accepted: number; table: string }> {
    await this.#log.flush();
    const tables = monitoringTables(endpoint);
    const ids = [...new Set(labels.map((l) => l.requestId))];
    const logged = await this.#reader.loggedRows(tables.predictions, ids);
    const missing = labels.filter((l) => !logged.get(l.requestId)?.has(l.row));
    if (missing.length > 0) {
      const rowLogs = await this.#reader.rowLogs(
        tables.requests,
        missing.map((l) => l.requestId),
      );
      const unknown = missing.map((l): UnmatchedLabel => ({
        request_id: l.requestId,
        row: l.row,
        reason: this.#reason(endpoint, l, logged.get(l.requestId), rowLogs.get(l.requestId)),
      }));
      throw new UnknownPredictionsError(endpoint, unknown, labels.length);
    }
    const receivedAt = Date.now();
    const columns = new Map([
      ["request_id", { type: "string" as const, values: labels.map((l) => l.requestId) }],
      ["row", { type: "int32" as const, values: labels.map((l) => l.row) }],
      ["label", { type: "float64" as const, values: labels.map((l) => l.label) }],
      ["received_at", { type: "timestamp" as const, values: labels.map(() => receivedAt) }],
    ]);
    await this.#serially(tables.feedback, async () => {
      const table = await this.#lake.table(tables.feedback);
      if (!table) {
        await this.#lake.createTable(tables.feedback, arrowTable(columns));
        return;
      }
      await table
        .mergeInsert(["request_id", "row"])
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute(arrowTable(columns, await table.schema()));
    });
    return { accepted: labels.length, table: tables.feedback };
  }

  /** Every label of `endpoint`, by `rowKey`; empty before the first feedback. */
  async labels(endpoint: string): Promise<Map<string, StoredLabel>> {
    const labels = new Map<string, StoredLabel>();
    await this.#reader.scan(
      monitoringTables(endpoint).feedback,
      ["request_id", "row", "label", "received_at"],
      (batch) => {
        batch["request_id"]!.forEach((id, i) => {
          labels.set(rowKey(id as string, batch["row"]![i] as number), {
            label: batch["label"]![i] as number,
            receivedAt: batch["received_at"]![i] as number,
          });
        });
      },
    );
    return labels;
  }

  #reason(
    endpoint: string,
    label: FeedbackLabel,
    rows: Set<number> | undefined,
    rowLog: string | undefined,
  ): string {
    if (rows)
      return `request "${label.requestId}" has rows ${[...rows].sort((a, b) => a - b).join(", ")} logged, not row ${label.row}`;
    switch (rowLog) {
      case "sampled-out":
        return `sampled out: endpoint "${endpoint}" logs the rows of ${Math.round(this.#log.sampleRateOf(endpoint) * 1000) / 10}% of requests`;
      case "dropped":
        return "its rows were dropped (the log's queue was full or a write failed; see kiln_prediction_log_dropped_total)";
      case "none":
        return "the request failed, so it scored no rows";
      default:
        return `unknown request id: endpoint "${endpoint}" answered no request with this X-Request-Id (or it was sampled out before request summaries were kept)`;
    }
  }

  async #serially(table: string, write: () => Promise<void>): Promise<void> {
    const previous = this.#writes.get(table) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(write);
    this.#writes.set(table, next);
    await next;
  }
}
