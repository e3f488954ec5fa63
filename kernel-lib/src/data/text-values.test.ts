import { describe, expect, it } from "vitest";
import { parseDecimalText, parseIntegerText, parseTimestampText } from "./text-values";

describe("parseDecimalText", () => {
  it("equals Number() on every decimal spelling, fast path or not", () => {
    const spellings = [
      "0",
      "-0",
      "+7",
      "1.",
      ".5",
      "-.25",
      "3.14159",
      "123456789012345",
      "1234567890123456",
      "0.000000000000001",
      "1e3",
      "-2.5E-3",
      "9007199254740993",
      "0.1",
      "0.3",
    ];
    for (let i = 0; i < 2000; i++) {
      spellings.push(
        (Math.random() * 10 ** Math.floor(Math.random() * 12)).toFixed(
          Math.floor(Math.random() * 8),
        ),
      );
    }
    for (const text of spellings)
      expect(Object.is(parseDecimalText(text), Number(text)), text).toBe(true);
  });

  it("refuses what is not a decimal", () => {
    for (const text of [
      "",
      ".",
      "-",
      "1.2.3",
      "0x1F",
      " 5",
      "5 ",
      "Infinity",
      "NaN",
      "1e",
      "1_000",
      "1e999",
    ]) {
      expect(parseDecimalText(text), text).toBeUndefined();
    }
  });
});

describe("parseIntegerText", () => {
  it("reads integers up to 64 bits", () => {
    expect(parseIntegerText("-42")).toBe(-42);
    expect(parseIntegerText("9223372036854775807")).toBe(9223372036854775807n);
    expect(parseIntegerText("9223372036854775808")).toBeUndefined();
    expect(parseIntegerText("4.0")).toBeUndefined();
  });
});

describe("parseTimestampText", () => {
  it("reads ISO-8601 dates and times, without an offset as UTC", () => {
    expect(parseTimestampText("2026-11-01")).toBe(Date.UTC(2026, 10, 1));
    expect(parseTimestampText("2026-11-01 08:30")).toBe(Date.UTC(2026, 10, 1, 8, 30));
    expect(parseTimestampText("2026-11-01T08:30:00.250+02:00")).toBe(
      Date.UTC(2026, 10, 1, 6, 30, 0, 250),
    );
    expect(parseTimestampText("2026-13-01")).toBeUndefined();
    expect(parseTimestampText("01/11/2026")).toBeUndefined();
  });
});
