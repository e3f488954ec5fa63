import { KilnHttpError, type ErrorBody } from "../api/http-errors";
import { describeValue } from "../serving/endpoint-model";

/** One ground-truth label of one logged prediction row. */
export type FeedbackLabel = {
  /** The `X-Request-Id` the scoring answer carried. */
  requestId: string;
  /** The row's index within its request (0 for a one-row request). */
  row: number;
  /** The true value: a number (a regression target, or 0/1 for a binary class). */
  label: number;
};

/** Most labels one feedback request may carry. */
export const MAX_FEEDBACK_LABELS = 10_000;

/** A label the prediction log has no row for, and why. */
export type UnmatchedLabel = { request_id: string; row: number; reason: string };

/**
 * Labels naming prediction rows the log does not hold (400 `UNKNOWN_PREDICTIONS`); the body lists
 * every one with the reason under `error.unknown`. Nothing of the request was stored.
 *
 * @example
 * throw new UnknownPredictionsError("drill", [{ request_id: "r-9", row: 0, reason: "unknown request id" }], 3);
 */
export class UnknownPredictionsError extends KilnHttpError {
  constructor(
    endpoint: string,
    readonly unknown: UnmatchedLabel[],
    total: number,
  ) {
    const shown = unknown
      .slice(0, 10)
      .map((u) => `"${u.request_id}" row ${u.row} (${u.reason})`)
      .join(", ");
    super(
      400,
      "UNKNOWN_PREDICTIONS",
      `${unknown.length} of ${total} labels name predictions the prediction log of endpoint "${endpoint}" does not hold: ${shown}${unknown.length > 10 ? `, and ${unknown.length - 10} more (see "unknown")` : ""}. Nothing was stored.`,
      `Send labels only for rows of requests this endpoint answered (their X-Request-Id) whose rows were logged. Requests may be sampled out: see the endpoint's sample rate with GET /api/endpoints/${endpoint}/prediction-log. Send the other labels again without these.`,
    );
  }

  override body(): ErrorBody {
    const body = super.body();
    return { error: { ...body.error, unknown: this.unknown } as ErrorBody["error"] };
  }
}

/**
 * Reads a feedback body `{"labels": [{"request_id": "...", "row": 0, "label": 1.5}, ...]}`: every
 * label needs a `request_id` string and a finite number `label` (`true`/`false` count as 1/0);
 * `row` defaults to 0. At most `MAX_FEEDBACK_LABELS` labels, each row at most once.
 *
 * @example
 * parseFeedback({ labels: [{ request_id: "order-42", row: 0, label: 1 }] });
 * // [{ requestId: "order-42", row: 0, label: 1 }]
 * @throws KilnHttpError 400 `INVALID_FEEDBACK` naming every problem (the first ten).
 */
export function parseFeedback(body: unknown): FeedbackLabel[] {
  const example =
    'Send {"labels": [{"request_id": "<X-Request-Id of the answer>", "row": 0, "label": 1.5}]}.';
  const labels = (body as { labels?: unknown } | null)?.labels;
  if (typeof body !== "object" || body === null || !Array.isArray(labels)) {
    throw invalid(
      `The body must be an object with a "labels" list, got ${describeValue(body)}.`,
      example,
    );
  }
  if (labels.length === 0) throw invalid('"labels" is empty: there is nothing to store.', example);
  if (labels.length > MAX_FEEDBACK_LABELS) {
    throw invalid(
      `"labels" has ${labels.length} entries; one request takes at most ${MAX_FEEDBACK_LABELS}.`,
      "Split the labels over several requests.",
    );
  }
  const problems: string[] = [];
  const parsed: FeedbackLabel[] = [];
  const seen = new Map<string, number>();
  labels.forEach((entry: unknown, index) => {
    const at = `labels[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      problems.push(`${at} must be an object, got ${describeValue(entry)}`);
      return;
    }
    const { request_id: requestId, row = 0, label } = entry as Record<string, unknown>;
    const before = problems.length;
    if (typeof requestId !== "string" || requestId === "") {
      problems.push(`${at}.request_id must be a non-empty string, got ${describeValue(requestId)}`);
    }
    if (!Number.isSafeInteger(row) || (row as number) < 0) {
      problems.push(`${at}.row must be a whole number ≥ 0, got ${describeValue(row)}`);
    }
    const value = typeof label === "boolean" ? Number(label) : label;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      problems.push(
        `${at}.label must be a finite number (or true/false), got ${describeValue(label)}`,
      );
    }
    if (problems.length > before) return;
    const key = `${requestId as string}\u0000${row as number}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push(
        `${at} labels "${requestId as string}" row ${row as number} again (as labels[${first}] does)`,
      );
      return;
    }
    seen.set(key, index);
    parsed.push({ requestId: requestId as string, row: row as number, label: value as number });
  });
  if (problems.length > 0) {
    throw invalid(
      `${problems.length} label${problems.length > 1 ? "s are" : " is"} malformed: ${problems.slice(0, 10).join("; ")}${problems.length > 10 ? `; and ${problems.length - 10} more` : ""}. Nothing was stored.`,
      example,
    );
  }
  return parsed;
}

function invalid(message: string, fix: string): KilnHttpError {
  return new KilnHttpError(400, "INVALID_FEEDBACK", message, fix);
}
