import { describe, expect, it } from "vitest";
import { formatPercent } from "./format-percent";

const cases: [share: number, text: string][] = [
  [0, "0%"],
  [0.004, "0.4%"],
  [0.05, "5%"],
  [2 / 3, "67%"],
  [1, "100%"],
];

describe("formatPercent", () => {
  it.each(cases)("writes %d as %s", (share, text) => {
    expect(formatPercent(share)).toBe(text);
  });
});
