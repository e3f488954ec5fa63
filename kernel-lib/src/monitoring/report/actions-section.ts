/**
 * The action-log section: the endpoint's monitoring checks, alerts, webhook deliveries and
 * retrainings, newest first. A retraining shows its decision (`promoted`, `kept-champion`,
 * `failed`) as a badge, with both scores when it got that far.
 *
 * @example
 * ```ts
 * actionsSectionHtml([
 *   { at: "2024-05-02T03:00:00Z", kind: "retrain", reason: "schedule", details: { decision: "kept-champion" } },
 * ]);
 * ```
 */
import { escapeHtml } from "./html-escape";
import { badge, noteHtml, sectionHtml, tableHtml, type Tone } from "./report-markup";
import type { MonitoringActionEntry } from "./report-data";
import { formatNumber, formatTimestamp } from "./value-format";

/** At most this many actions are listed (the newest). */
export const MAX_SHOWN_ACTIONS = 100;

const DECISION_TONES: Record<string, Tone> = {
  promoted: "ok",
  "kept-champion": "neutral",
  failed: "bad",
  skipped: "neutral",
};

const KIND_TONES: Record<string, Tone> = { alert: "warn", retrain: "neutral" };

/** The action-log section of a report. */
export function actionsSectionHtml(actions: readonly MonitoringActionEntry[]): string {
  if (actions.length === 0) {
    return sectionHtml("actions", noteHtml("No actions recorded yet."));
  }
  // Times that do not parse count as oldest; equal times keep the log's order.
  const time = (at: string) => (Number.isNaN(Date.parse(at)) ? -Infinity : Date.parse(at));
  const newestFirst = actions
    .map((action, i) => ({ action, i, time: time(action.at) }))
    .sort((a, b) => b.time - a.time || a.i - b.i)
    .map(({ action }) => action);
  const shown = newestFirst.slice(0, MAX_SHOWN_ACTIONS);
  const table = tableHtml(
    [{ title: "time", nowrap: true }, "kind", "reason", "outcome"],
    shown.map((action) => [
      escapeHtml(formatTimestamp(action.at)),
      badge(action.kind, KIND_TONES[action.kind] ?? "neutral"),
      escapeHtml(action.reason),
      outcomeHtml(action.details ?? {}),
    ]),
  );
  const more =
    actions.length > shown.length
      ? noteHtml(`The newest ${shown.length} of ${actions.length} actions.`)
      : "";
  return sectionHtml("actions", table + more);
}

function outcomeHtml(details: Record<string, unknown>): string {
  const { decision, champion, candidate, metric, error, ...rest } = details;
  const parts: string[] = [];
  if (typeof decision === "string")
    parts.push(badge(decision, DECISION_TONES[decision] ?? "neutral"));
  const championScore = scoreOf(champion);
  const candidateScore = scoreOf(candidate);
  if (championScore !== undefined || candidateScore !== undefined) {
    parts.push(
      escapeHtml(
        `${typeof metric === "string" ? `${metric}: ` : ""}champion ${formatNumber(championScore)}` +
          `, candidate ${formatNumber(candidateScore)}`,
      ),
    );
  } else if (typeof metric === "string") {
    rest.metric = metric;
  }
  if (error !== undefined) parts.push(`<span class="error">${escapeHtml(shortText(error))}</span>`);
  // Without a decision the retraining-specific fields are ordinary details.
  if (typeof decision !== "string" && decision !== undefined) rest.decision = decision;
  if (championScore === undefined && champion !== undefined) rest.champion = champion;
  if (candidateScore === undefined && candidate !== undefined) rest.candidate = candidate;
  const others = Object.entries(rest).map(([key, value]) => `${key}: ${shortText(value)}`);
  if (others.length > 0)
    parts.push(`<span class="muted">${escapeHtml(shortText(others.join("; "), 240))}</span>`);
  return parts.join(" ");
}

function scoreOf(side: unknown): number | undefined {
  if (typeof side !== "object" || side === null) return undefined;
  const score = (side as { score?: unknown }).score;
  return typeof score === "number" ? score : undefined;
}

/** A value as short text: strings as they are, everything else as JSON, cut at `max`. */
function shortText(value: unknown, max = 120): string {
  let text: string;
  try {
    text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
