// The run form's parameter values: what a field shows for a param's default, and what the user
// typed read back as the param's type, checked before anything is sent (the server checks the
// same way, in kernel-lib's run-params.ts).

import type { JsonValue, ParamSpec } from "@kiln/kernel-lib/spec";

/** What a param's field holds: a checkbox's state for a boolean, text for everything else. */
export type ParamInput = string | boolean;

/** A field read as its param's type, or why it cannot be. */
export type ParsedParam = { ok: true; value: JsonValue } | { ok: false; problem: string };

/**
 * The field's initial content: the param's default.
 *
 * @example
 * ```ts
 * paramInputOf({ name: "lr", type: "number", default: 0.01 }); // "0.01"
 * ```
 */
export function paramInputOf(param: ParamSpec): ParamInput {
  switch (param.type) {
    case "boolean":
      return param.default === true;
    case "string":
      return typeof param.default === "string" ? param.default : "";
    case "number":
      return String(param.default);
    case "json":
      return JSON.stringify(param.default);
  }
}

/**
 * Reads a field as its param's type.
 *
 * @example
 * ```ts
 * parseParam({ name: "epochs", type: "number", default: 3 }, "ten");
 * // { ok: false, problem: "must be a number, such as 3; got “ten”" }
 * ```
 */
export function parseParam(param: ParamSpec, input: ParamInput): ParsedParam {
  switch (param.type) {
    case "boolean":
      return typeof input === "boolean"
        ? { ok: true, value: input }
        : { ok: false, problem: "must be true or false" };
    case "string":
      return { ok: true, value: String(input) };
    case "number": {
      const text = String(input).trim();
      const value = Number(text);
      return text !== "" && Number.isFinite(value)
        ? { ok: true, value }
        : {
            ok: false,
            problem: `must be a number, such as ${JSON.stringify(param.default)}; got “${text}”`,
          };
    }
    case "json":
      try {
        return { ok: true, value: JSON.parse(String(input)) as JsonValue };
      } catch {
        return {
          ok: false,
          problem: `must be JSON, such as ${JSON.stringify(param.default)} (strings in double quotes)`,
        };
      }
  }
}

/**
 * The params to send with a run: those whose field differs from the default. Empty `problems`
 * means every field reads as its type.
 *
 * @example
 * ```ts
 * const { overrides, problems } = paramOverrides(spec.params, { epochs: "10", lr: "0.01" });
 * // overrides: { epochs: 10 } (lr is the default), problems: {}
 * ```
 */
export function paramOverrides(
  params: readonly ParamSpec[],
  inputs: Readonly<Record<string, ParamInput>>,
): { overrides: Record<string, JsonValue>; problems: Record<string, string> } {
  const overrides: Record<string, JsonValue> = {};
  const problems: Record<string, string> = {};
  for (const param of params) {
    const input = inputs[param.name];
    if (input === undefined) continue;
    const parsed = parseParam(param, input);
    if (!parsed.ok) problems[param.name] = parsed.problem;
    else if (JSON.stringify(parsed.value) !== JSON.stringify(param.default)) {
      overrides[param.name] = parsed.value;
    }
  }
  return { overrides, problems };
}
