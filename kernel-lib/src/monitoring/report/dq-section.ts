/**
 * The data-quality section: the suite's outcome on the window, a score per dimension (the six of
 * `kiln.dq`; "not checked" when the suite has no expectation for it) and a table of expectations,
 * failed ones first, with what was observed (a share of elements, or an age for `freshness`), how
 * many elements missed and a few examples.
 *
 * @example
 * ```ts
 * dqSectionHtml(await kiln.dq.check(windowRows, suite));
 * ```
 */
import type {
  ExpectationResult,
  JsonValue,
  ValidationResult,
} from "../../quality/validation-result";
import { DIMENSIONS } from "../../quality/suite-format";
import { escapeHtml } from "./html-escape";
import { badge, factsHtml, sectionHtml, tableHtml } from "./report-markup";
import { formatCount, formatDuration, formatNumber, formatPercent, NO_VALUE } from "./value-format";

/** Examples of unexpected values shown per expectation. */
export const SHOWN_EXAMPLES = 3;

/** The data-quality section of a report. */
export function dqSectionHtml(result: ValidationResult): string {
  const summary =
    `<p>${result.success ? badge("PASS", "ok") : badge("FAIL", "bad")}</p>` +
    factsHtml([
      { label: "suite", valueHtml: escapeHtml(result.suite) },
      { label: "score", valueHtml: formatPercent(result.score) },
      {
        label: "expectations",
        valueHtml: `${formatCount(result.counts?.succeeded)} of ${formatCount(result.counts?.expectations)} met`,
      },
      { label: "rows", valueHtml: formatCount(result.rowCount) },
    ]);
  const dimensions = DIMENSIONS.map((dimension) => {
    const score = result.dimensions?.[dimension];
    const checked = score !== undefined && score.score !== null;
    const tone = !checked ? "neutral" : score.failed > 0 ? "bad" : "ok";
    return (
      `<div class="dim dim-${tone}"><div class="dim-name">${dimension}</div>` +
      `<div class="score">${checked ? formatPercent(score.score) : NO_VALUE}</div>` +
      `<div class="muted">${
        checked
          ? `${formatCount(score.succeeded)} of ${formatCount(score.expectations)} met`
          : "not checked"
      }</div></div>`
    );
  }).join("");
  const results = [...(result.results ?? [])].sort(
    (a, b) => Number(a.success) - Number(b.success) || a.index - b.index,
  );
  const table = tableHtml(
    [
      "expectation",
      "dimension",
      "expected",
      "observed",
      { title: "unexpected", numeric: true },
      "examples",
      "",
    ],
    results.map((expectation) => [
      expectationName(expectation),
      escapeHtml(expectation.dimension),
      escapeHtml(expectation.expected ?? ""),
      observedText(expectation),
      unexpectedText(expectation),
      examplesText(expectation),
      expectation.success
        ? badge("PASS", "ok")
        : badge(expectation.evaluated === false ? "NOT EVALUATED" : "FAIL", "bad"),
    ]),
  );
  return sectionHtml("dq", `${summary}<div class="dims">${dimensions}</div>${table}`);
}

function expectationName(expectation: ExpectationResult): string {
  const columns = expectation.columns?.length ? `(${expectation.columns.join(", ")})` : "";
  const name = `<code>${escapeHtml(expectation.type)}${escapeHtml(columns)}</code>`;
  return expectation.description
    ? `${name}<div class="muted">${escapeHtml(expectation.description)}</div>`
    : name;
}

function observedText(expectation: ExpectationResult): string {
  const { observed } = expectation;
  if (expectation.type === "freshness" && typeof observed === "number") {
    return `${escapeHtml(formatDuration(observed))} old`;
  }
  // Every other measured number is a share: of elements that met the expectation, or of events.
  const text =
    typeof observed === "number" ? formatPercent(observed) : escapeHtml(shortJson(observed));
  return text + detailsText(expectation.details);
}

/** A few more statistics (e.g. the observed min and max of `in_range`), as `name value`. */
function detailsText(details: ExpectationResult["details"]): string {
  const entries = Object.entries(details ?? {}).slice(0, 4);
  if (entries.length === 0) return "";
  const parts = entries.map(
    ([name, value]) =>
      `${escapeHtml(name)} ${typeof value === "number" ? formatNumber(value) : escapeHtml(shortJson(value))}`,
  );
  return `<div class="muted">${parts.join(", ")}</div>`;
}

function unexpectedText(expectation: ExpectationResult): string {
  if (expectation.unexpectedCount === null || expectation.unexpectedCount === undefined) {
    return NO_VALUE;
  }
  const percent =
    expectation.unexpectedPercent === null || expectation.unexpectedPercent === undefined
      ? ""
      : ` (${formatPercent(expectation.unexpectedPercent / 100)})`;
  return `${formatCount(expectation.unexpectedCount)}${percent}`;
}

function examplesText(expectation: ExpectationResult): string {
  const examples = expectation.unexpectedExamples ?? [];
  if (examples.length === 0) return "";
  const shown = examples
    .slice(0, SHOWN_EXAMPLES)
    .map(
      (example) =>
        `<span class="example">row ${formatCount(example.index)}: <code>${escapeHtml(shortJson(example.value))}</code></span>`,
    );
  const more = examples.length > SHOWN_EXAMPLES ? ` <span class="muted">…</span>` : "";
  return shown.join("<br>") + more;
}

/** JSON text cut at 80 characters (strings without quotes). */
function shortJson(value: JsonValue | undefined): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "");
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
