/**
 * Reading CSV text as typed values. These run for every field of every row, so they read the
 * field where it lies, `text` from `start` to `end` (the CSV reader's batch text), with
 * character codes instead of substrings and regular expressions where they can; the `…Text`
 * forms take a whole string.
 *
 * @example
 * ```ts
 * parseIntegerText("-42"); // -42
 * parseDecimalText("4.2e1"); // 42
 * parseDecimalField("id,4.25,x", 3, 7); // 4.25
 * parseTimestampText("2026-11-01 08:00"); // 1793520000000 (UTC, no offset means UTC)
 * ```
 */

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** `2026-11-01`, `2026-11-01T08:00`, `2026-11-01 08:00:00.123+02:00`, `…Z`. */
export const TIMESTAMP_TEXT =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const isDigit = (code: number) => code >= 48 && code <= 57;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;

/** Whether `text[start, end)` is a decimal integer (optional sign, digits only). */
export function isIntegerField(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start);
  let i = first === MINUS || first === PLUS ? start + 1 : start;
  if (i >= end) return false;
  for (; i < end; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** Whether `text` is a decimal integer (optional sign, digits only). */
export function isIntegerText(text: string): boolean {
  return isIntegerField(text, 0, text.length);
}

/**
 * The integer `text[start, end)` spells (a number when it has at most 15 digits, a bigint
 * beyond), or undefined if it is not one or does not fit 64 bits.
 */
export function parseIntegerField(
  text: string,
  start: number,
  end: number,
): number | bigint | undefined {
  const first = text.charCodeAt(start);
  const negative = first === MINUS;
  let i = negative || first === PLUS ? start + 1 : start;
  if (i >= end) return undefined;
  if (end - start <= 15) {
    let value = 0;
    for (; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code < 48 || code > 57) return undefined;
      value = value * 10 + (code - 48);
    }
    return negative ? -value : value;
  }
  if (!isIntegerField(text, start, end)) return undefined;
  const value = BigInt(text.slice(start, end));
  return value > INT64_MAX || value < INT64_MIN ? undefined : value;
}

/**
 * The integer `text` spells (a number when it has at most 15 characters, a bigint beyond), or
 * undefined if it is not one or does not fit 64 bits.
 */
export function parseIntegerText(text: string): number | bigint | undefined {
  return parseIntegerField(text, 0, text.length);
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * The number `text[start, end)` spells in decimal or exponent notation, or undefined. Plain
 * decimals of up to 15 digits are computed from the character codes: the digits and the power
 * of ten are exact doubles and IEEE division rounds correctly, so the result equals `Number()`
 * of the field, without the substring.
 */
export function parseDecimalField(text: string, start: number, end: number): number | undefined {
  const first = text.charCodeAt(start);
  let i = first === MINUS || first === PLUS ? start + 1 : start;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (code === DOT && fraction < 0) {
      fraction = 0;
    } else {
      break;
    }
  }
  if (i === end && digits > 0 && digits <= 15) {
    const value = fraction > 0 ? mantissa / POWERS_OF_TEN[fraction]! : mantissa;
    return first === MINUS ? -value : value;
  }
  return parseDecimalSlowly(text, start, end);
}

/** The number `text` spells in decimal or exponent notation, or undefined. */
export function parseDecimalText(text: string): number | undefined {
  return parseDecimalField(text, 0, text.length);
}

function parseDecimalSlowly(text: string, start: number, end: number): number | undefined {
  if (end <= start) return undefined;
  const first = text.charCodeAt(start);
  const last = text.charCodeAt(end - 1);
  // Number() also accepts " 5 ", "Infinity" and "0x1F"; a decimal starts and ends like one.
  if (!(isDigit(first) || first === MINUS || first === PLUS || first === DOT)) return undefined;
  if (!(isDigit(last) || last === DOT)) return undefined;
  if (first === 48 && end - start > 1) {
    const second = text.charCodeAt(start + 1);
    // "0x1F", "0b1", "0o7": only "0e…" may follow a leading zero without digits or a dot.
    if (!isDigit(second) && second !== DOT && second !== 101 && second !== 69) return undefined;
  }
  const value = Number(text.slice(start, end));
  return Number.isFinite(value) ? value : undefined;
}

/** `true`/`false` in any case in `text[start, end)`; declared booleans also take `1`/`0`. */
export function parseBooleanField(
  text: string,
  start: number,
  end: number,
  allowDigits: boolean,
): boolean | undefined {
  const length = end - start;
  if (length === 1 && allowDigits) {
    const code = text.charCodeAt(start);
    return code === 49 ? true : code === 48 ? false : undefined;
  }
  if (length !== 4 && length !== 5) return undefined;
  const lower = text.slice(start, end).toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

/** `true`/`false` in any case; declared booleans also take `1`/`0`. */
export function parseBooleanText(text: string, allowDigits: boolean): boolean | undefined {
  return parseBooleanField(text, 0, text.length, allowDigits);
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MS_PER_DAY = 86_400_000;

/**
 * Milliseconds since the epoch of an ISO-8601 date or time in `text[start, end)`. A time without
 * an offset is UTC (`Date.parse` would read it as local time, which differs between machines).
 * The common spellings (`2026-11-01`, `2026-11-01T08:00:00.123Z`, without `Z`, with a space) are
 * read from the character codes; offsets and out-of-range fields (which `Date.parse` rolls
 * over) take the regular expression and `Date.parse`.
 */
export function parseTimestampField(text: string, start: number, end: number): number | undefined {
  const length = end - start;
  if (length < 10 || text.charCodeAt(start + 4) !== MINUS) return undefined;
  const fast = parseCommonTimestamp(text, start, end);
  return fast !== undefined ? fast : parseTimestampSlowly(text.slice(start, end));
}

/** Milliseconds since the epoch of an ISO-8601 date or time; see {@link parseTimestampField}. */
export function parseTimestampText(text: string): number | undefined {
  return parseTimestampField(text, 0, text.length);
}

// `YYYY-MM-DD`, optionally `[T ]HH:MM`, `:SS`, `.f`–`.fff`, `Z`; undefined for anything else.
function parseCommonTimestamp(text: string, start: number, end: number): number | undefined {
  const year = digitsAt(text, start, 4);
  const month = digitsAt(text, start + 5, 2);
  const day = digitsAt(text, start + 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || text.charCodeAt(start + 7) !== MINUS) {
    return undefined;
  }
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month]! + (leap ? 1 : 0)) return undefined;
  let ms = daysFromCivil(year, month, day) * MS_PER_DAY;
  let i = start + 10;
  if (i === end) return ms;
  const separator = text.charCodeAt(i);
  if ((separator !== 84 && separator !== 32) || end - i < 6) return undefined;
  const hours = digitsAt(text, i + 1, 2);
  const minutes = digitsAt(text, i + 4, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || text.charCodeAt(i + 3) !== 58) {
    return undefined;
  }
  ms += hours * 3_600_000 + minutes * 60_000;
  i += 6;
  if (i < end && text.charCodeAt(i) === 58) {
    if (end - i < 3) return undefined;
    const seconds = digitsAt(text, i + 1, 2);
    if (seconds < 0 || seconds > 59) return undefined;
    ms += seconds * 1000;
    i += 3;
    if (i < end && text.charCodeAt(i) === DOT) {
      let fraction = 0;
      let scale = 100;
      let j = i + 1;
      for (; j < end && j < i + 4; j++) {
        const code = text.charCodeAt(j);
        if (!isDigit(code)) break;
        fraction += (code - 48) * scale;
        scale /= 10;
      }
      if (j === i + 1) return undefined;
      ms += fraction;
      i = j;
    }
  }
  if (i === end) return ms;
  return i === end - 1 && text.charCodeAt(i) === 90 ? ms : undefined;
}

/** The number spelled by `count` digits at `at`, or -1. */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return -1;
    value = value * 10 + (code - 48);
  }
  return value;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100);
  return era * 146_097 + dayOfEra + dayOfYear - 719_468;
}

function parseTimestampSlowly(text: string): number | undefined {
  const match = TIMESTAMP_TEXT.exec(text);
  if (!match) return undefined;
  let iso = text.length > 10 && text[10] === " " ? `${text.slice(0, 10)}T${text.slice(11)}` : text;
  if (text.length > 10 && match[1] === undefined) iso += "Z";
  const value = Date.parse(iso);
  return Number.isNaN(value) ? undefined : value;
}
