/**
 * Markup the report's sections share: a section with its heading, the note of a section the
 * server could not produce, status badges, tables and a row of key facts. Arguments named `…Html`
 * are markup already (escaped by the caller); every other string is escaped here.
 *
 * @example
 * ```ts
 * sectionHtml("drift", badge("DRIFTED", "bad") + tableHtml(["feature"], [["temp"]]));
 * unavailableSectionHtml("performance", "no labels received yet");
 * ```
 */
import { escapeHtml } from "./html-escape";

/** The colour of a badge: good news, bad news, a warning, or neither. */
export type Tone = "ok" | "bad" | "warn" | "neutral";

/** A small coloured label such as DRIFTED or OK. */
export function badge(text: string, tone: Tone): string {
  return `<span class="badge badge-${tone}">${escapeHtml(text)}</span>`;
}

/** The report's sections, in order, with their headings. */
export const SECTION_TITLES = {
  drift: "Data drift",
  dq: "Data quality",
  performance: "Performance",
  usage: "Usage",
  actions: "Monitoring actions",
} as const;

/** A section of a report. */
export type SectionKind = keyof typeof SECTION_TITLES;

/** A section of the report, with class `kiln-<kind>` (for styling and tests). */
export function sectionHtml(kind: SectionKind, bodyHtml: string): string {
  return `<section class="kiln-${kind}"><h2>${escapeHtml(SECTION_TITLES[kind])}</h2>${bodyHtml}</section>`;
}

/** A section the server sent no data for, with its reason. */
export function unavailableSectionHtml(kind: SectionKind, reason: string): string {
  return sectionHtml(kind, `<p class="note">Not available: ${escapeHtml(reason)}</p>`);
}

/**
 * A column of {@link tableHtml}: its heading, whether it holds numbers (right-aligned, kept on
 * one line) and whether its cells stay on one line (times, names).
 */
export type Column = string | { title: string; numeric?: boolean; nowrap?: boolean };

/** A table; every cell is markup. */
export function tableHtml(
  columns: readonly Column[],
  rowsHtml: readonly (readonly string[])[],
): string {
  const classes = columns.map((column) => {
    if (typeof column === "string") return "";
    if (column.numeric) return ' class="num"';
    return column.nowrap ? ' class="nowrap"' : "";
  });
  const head = columns
    .map((column, i) => {
      const title = typeof column === "string" ? column : column.title;
      return `<th${classes[i]}>${escapeHtml(title)}</th>`;
    })
    .join("");
  const body = rowsHtml
    .map((cells) => `<tr>${cells.map((cell, i) => `<td${classes[i]}>${cell}</td>`).join("")}</tr>`)
    .join("");
  return `<div class="table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** Key facts in a row: `label value` pairs; values are markup. */
export function factsHtml(facts: readonly { label: string; valueHtml: string }[]): string {
  const items = facts.map(
    ({ label, valueHtml }) => `<span>${escapeHtml(label)} <b>${valueHtml}</b></span>`,
  );
  return `<div class="facts">${items.join("")}</div>`;
}

/** A paragraph of explanatory text (escaped). */
export function noteHtml(text: string): string {
  return `<p class="note">${escapeHtml(text)}</p>`;
}
