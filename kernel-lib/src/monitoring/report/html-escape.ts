/**
 * Escaping text for HTML and SVG: every string that comes from report data (feature names,
 * messages, versions) goes through {@link escapeHtml} before it lands in markup, so a feature
 * named `<script>` shows as text and never runs.
 *
 * @example
 * ```ts
 * escapeHtml(`<b title="x">&`); // "&lt;b title=&quot;x&quot;&gt;&amp;"
 * ```
 */

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (char) => ENTITIES[char] as string);
}
