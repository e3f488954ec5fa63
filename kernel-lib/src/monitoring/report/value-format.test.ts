import { describe, expect, it } from "vitest";
import { escapeHtml } from "./html-escape";
import {
  formatCount,
  formatDuration,
  formatNumber,
  formatPercent,
  formatShortTime,
  formatTimestamp,
} from "./value-format";

describe("value formats", () => {
  it.each([
    { format: formatNumber, value: 0.0031234, text: "0.003123" },
    { format: formatNumber, value: 1.2e-12, text: "1.2e-12" },
    { format: formatNumber, value: 0.05, text: "0.05" },
    { format: formatNumber, value: 2.5, text: "2.5" },
    { format: formatNumber, value: 12345, text: "12,345" },
    { format: formatNumber, value: 3.4e9, text: "3.4e9" },
    { format: formatNumber, value: 0, text: "0" },
    { format: formatNumber, value: Infinity, text: "∞" },
    { format: formatNumber, value: NaN, text: "–" },
    { format: formatNumber, value: null, text: "–" },
    { format: formatPercent, value: 0.375, text: "37.5%" },
    { format: formatPercent, value: 2 / 3, text: "66.7%" },
    { format: formatPercent, value: 1, text: "100%" },
    { format: formatPercent, value: 0.0004, text: "<0.1%" },
    { format: formatPercent, value: undefined, text: "–" },
    { format: formatCount, value: 1234567.2, text: "1,234,567" },
    { format: formatDuration, value: 4.25, text: "4.3 ms" },
    { format: formatDuration, value: 1250, text: "1.3 s" },
    { format: formatDuration, value: 5_400_000, text: "1.5 h" },
    { format: formatDuration, value: 172_800_000, text: "2 d" },
  ])("$format.name($value) → $text", ({ format, value, text }) => {
    expect(format(value)).toBe(text);
  });

  it.each([
    { value: "2024-05-01T12:34:56Z", full: "2024-05-01 12:34 UTC", short: "05-01 12:34" },
    { value: "2024-05-01T00:00:00.000Z", full: "2024-05-01 00:00 UTC", short: "2024-05-01" },
    { value: "2024-05-01T12:34:56+02:00", full: "2024-05-01 10:34 UTC", short: "05-01 10:34" },
    { value: "rows 0–499", full: "rows 0–499", short: "rows 0–499" },
  ])("times: $value", ({ value, full, short }) => {
    expect(formatTimestamp(value)).toBe(full);
    expect(formatShortTime(value)).toBe(short);
  });
});

describe("escapeHtml", () => {
  it.each([
    {
      text: `<script>alert("x")</script>`,
      html: "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;",
    },
    { text: "a & b's", html: "a &amp; b&#39;s" },
    { text: 42, html: "42" },
  ])("$text → $html", ({ text, html }) => {
    expect(escapeHtml(text)).toBe(html);
  });
});
