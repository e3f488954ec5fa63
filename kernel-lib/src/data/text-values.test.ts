import { describe, expect, it } from "vitest";
import {
  parseBooleanField,
  parseBooleanText,
  parseDecimalField,
  parseDecimalText,
  parseIntegerField,
  parseIntegerText,
  parseTimestampField,
  parseTimestampText,
  TIMESTAMP_TEXT,
} from "./text-values";

/** `text` between other fields, as the CSV reader hands it over: [line, start, end]. */
const inLine = (text: string): [string, number, number] => [`9,${text},-7e`, 2, 2 + text.length];

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
      "0e5",
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
    for (const text of spellings) {
      expect(Object.is(parseDecimalText(text), Number(text)), text).toBe(true);
      expect(Object.is(parseDecimalField(...inLine(text)), Number(text)), text).toBe(true);
    }
  });

  it("refuses what is not a decimal", () => {
    for (const text of [
      "",
      ".",
      "-",
      "+",
      "1.2.3",
      "0x1F",
      "0b1",
      " 5",
      "5 ",
      "Infinity",
      "-Infinity",
      "NaN",
      "nan",
      "1e",
      "1_000",
      "1e999",
    ]) {
      expect(parseDecimalText(text), text).toBeUndefined();
      expect(parseDecimalField(...inLine(text)), text).toBeUndefined();
    }
  });
});

describe("parseIntegerText", () => {
  const cases: [text: string, expected: number | bigint | undefined][] = [
    ["-42", -42],
    ["+5", 5],
    ["0", 0],
    ["-0", -0],
    ["123456789012345", 123456789012345],
    ["1234567890123456", 1234567890123456n],
    ["9223372036854775807", 9223372036854775807n],
    ["-9223372036854775808", -9223372036854775808n],
    ["9223372036854775808", undefined],
    ["4.0", undefined],
    ["1e3", undefined],
    ["", undefined],
    ["-", undefined],
    ["12a", undefined],
    ["12345678901234a", undefined],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)} as ${String(expected)}`, () => {
      expect(parseIntegerText(text)).toBe(expected);
      expect(parseIntegerField(...inLine(text))).toBe(expected);
    });
  }
});

describe("parseBooleanText", () => {
  const cases: [text: string, allowDigits: boolean, expected: boolean | undefined][] = [
    ["true", false, true],
    ["TRUE", false, true],
    ["False", false, false],
    ["1", true, true],
    ["0", true, false],
    ["1", false, undefined],
    ["yes", true, undefined],
    ["truex", true, undefined],
    ["", true, undefined],
  ];
  for (const [text, allowDigits, expected] of cases) {
    it(`reads ${JSON.stringify(text)}${allowDigits ? " (digits allowed)" : ""} as ${String(expected)}`, () => {
      expect(parseBooleanText(text, allowDigits)).toBe(expected);
      expect(parseBooleanField(...inLine(text), allowDigits)).toBe(expected);
    });
  }
});

/** What timestamps read as before the fast path: the expression, then Date.parse. */
function referenceTimestamp(text: string): number | undefined {
  if (text.length < 10 || text.charCodeAt(4) !== 45) return undefined;
  const match = TIMESTAMP_TEXT.exec(text);
  if (!match) return undefined;
  let iso = text.length > 10 && text[10] === " " ? `${text.slice(0, 10)}T${text.slice(11)}` : text;
  if (text.length > 10 && match[1] === undefined) iso += "Z";
  const value = Date.parse(iso);
  return Number.isNaN(value) ? undefined : value;
}

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

  it("reads every spelling as Date.parse does, fast path or not", () => {
    const spellings = [
      "2026-11-01",
      "2024-02-29",
      "2026-02-29",
      "2026-02-30T00:00:00Z",
      "2026-04-31",
      "2000-02-29T12:00Z",
      "1900-02-29",
      "0000-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999Z",
      "1969-12-31T23:59:59.9Z",
      "2026-01-01T24:00:00Z",
      "2026-01-01T23:60:00Z",
      "2026-01-01T23:59:60Z",
      "2026-11-01T08:30",
      "2026-11-01 08:30:15",
      "2026-11-01T08:30:15.1",
      "2026-11-01T08:30:15.12Z",
      "2026-11-01T08:30:15.1234Z",
      "2026-11-01T08:30:15.123456789",
      "2026-11-01T08:30:15.Z",
      "2026-11-01T08:30:15+0200",
      "2026-11-01T08:30-05:30",
      "2026-11-01t08:30:15z",
      "2026-11-01T8:30",
      "2026-11-01T08:30:",
      "2026-11-01T08:30:1",
      "2026-11-01T08:30Zx",
      "2026-1-01",
      "2026-00-10",
      "2026-11-00",
      "2026_11-01",
      "20261-11-01",
    ];
    const T0 = Date.UTC(1960, 0, 1);
    for (let i = 0; i < 2000; i++) {
      const iso = new Date(T0 + Math.floor(Math.random() * 100 * 365 * 86_400_000)).toISOString();
      spellings.push(iso, iso.slice(0, 19), iso.slice(0, 16).replace("T", " "), iso.slice(0, 10));
    }
    for (const text of spellings) {
      expect(parseTimestampText(text), text).toBe(referenceTimestamp(text));
      expect(parseTimestampField(...inLine(text)), text).toBe(referenceTimestamp(text));
    }
  });
});
