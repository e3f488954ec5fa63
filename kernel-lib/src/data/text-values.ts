/**
 * Reading CSV text as typed values. These run for every field of every row, so they check
 * spellings with character codes instead of regular expressions where they can.
 *
 * @example
 * ```ts
 * parseIntegerText("-42"); // -42n
 * parseDecimalText("4.2e1"); // 42
 * parseTimestampText("2026-11-01 08:00"); // 1793520000000 (UTC, no offset means UTC)
 * ```
 */

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** `2026-11-01`, `2026-11-01T08:00`, `2026-11-01 08:00:00.123+02:00`, `…Z`. */
export const TIMESTAMP_TEXT =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

const isDigit = (code: number) => code >= 48 && code <= 57;

/** Whether `text` is a decimal integer (optional sign, digits only). */
export function isIntegerText(text: string): boolean {
  const first = text.charCodeAt(0);
  let i = first === 45 || first === 43 ? 1 : 0;
  if (i === text.length) return false;
  for (; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/**
 * The integer `text` spells (a number when it has at most 15 digits, a bigint beyond), or
 * undefined if it is not one or does not fit 64 bits.
 */
export function parseIntegerText(text: string): number | bigint | undefined {
  if (!isIntegerText(text)) return undefined;
  if (text.length <= 15) return Number(text);
  const value = BigInt(text);
  return value > INT64_MAX || value < INT64_MIN ? undefined : value;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * The number `text` spells in decimal or exponent notation, or undefined. Plain decimals of up
 * to 15 digits are computed from the character codes: the digits and the power of ten are exact
 * doubles and IEEE division rounds correctly, so the result equals `Number(text)`, at a fraction
 * of its cost on the substrings a CSV line is cut into.
 */
export function parseDecimalText(text: string): number | undefined {
  const length = text.length;
  const first = text.charCodeAt(0);
  let i = first === 45 || first === 43 ? 1 : 0;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      mantissa = mantissa * 10 + (code - 48);
      digits++;
    } else if (code === 46 && fraction < 0) {
      fraction = 0;
      continue;
    } else {
      break;
    }
    if (fraction >= 0) fraction++;
  }
  if (i === length && digits > 0 && digits <= 15) {
    const value = fraction > 0 ? mantissa / POWERS_OF_TEN[fraction]! : mantissa;
    return first === 45 ? -value : value;
  }
  return parseDecimalSlowly(text);
}

function parseDecimalSlowly(text: string): number | undefined {
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  // Number() also accepts " 5 ", "Infinity" and "0x1F"; a decimal starts and ends like one.
  if (!(isDigit(first) || first === 45 || first === 43 || first === 46)) return undefined;
  if (!(isDigit(last) || last === 46)) return undefined;
  if (first === 48 && text.length > 1 && !isDigit(text.charCodeAt(1)) && text[1] !== ".") {
    if (!/^0[eE]/.test(text)) return undefined;
  }
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** `true`/`false` in any case; declared booleans also take `1`/`0`. */
export function parseBooleanText(text: string, allowDigits: boolean): boolean | undefined {
  const lower = text.length <= 5 ? text.toLowerCase() : "";
  if (lower === "true" || (allowDigits && text === "1")) return true;
  if (lower === "false" || (allowDigits && text === "0")) return false;
  return undefined;
}

/**
 * Milliseconds since the epoch of an ISO-8601 date or time. A time without an offset is UTC
 * (`Date.parse` would read it as local time, which differs between machines).
 */
export function parseTimestampText(text: string): number | undefined {
  if (text.length < 10 || text.charCodeAt(4) !== 45) return undefined;
  const match = TIMESTAMP_TEXT.exec(text);
  if (!match) return undefined;
  let iso = text.length > 10 && text[10] === " " ? `${text.slice(0, 10)}T${text.slice(11)}` : text;
  if (text.length > 10 && match[1] === undefined) iso += "Z";
  const value = Date.parse(iso);
  return Number.isNaN(value) ? undefined : value;
}
