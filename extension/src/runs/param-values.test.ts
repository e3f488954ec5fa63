import type { ParamSpec } from "@kiln/kernel-lib/spec";
import { describe, expect, it } from "vitest";
import { paramInputOf, paramOverrides, parseParam, type ParamInput } from "./param-values";

const epochs: ParamSpec = { name: "epochs", type: "number", default: 3 };
const optimizer: ParamSpec = { name: "optimizer", type: "string", default: "adam" };
const shuffle: ParamSpec = { name: "shuffle", type: "boolean", default: true };
const layers: ParamSpec = { name: "layers", type: "json", default: [8, 4] };

describe("paramInputOf", () => {
  it.each([
    [epochs, "3"],
    [optimizer, "adam"],
    [shuffle, true],
    [layers, "[8,4]"],
  ] as const)("shows %o's default as %o", (param, input) => {
    expect(paramInputOf(param)).toEqual(input);
  });
});

describe("parseParam", () => {
  const cases: { param: ParamSpec; input: ParamInput; value?: unknown; problem?: RegExp }[] = [
    { param: epochs, input: " 10 ", value: 10 },
    { param: epochs, input: "1e-3", value: 0.001 },
    { param: epochs, input: "ten", problem: /^must be a number, such as 3; got “ten”$/ },
    { param: epochs, input: "", problem: /must be a number/ },
    { param: epochs, input: "Infinity", problem: /must be a number/ },
    { param: optimizer, input: "", value: "" },
    { param: optimizer, input: "sgd", value: "sgd" },
    { param: shuffle, input: false, value: false },
    { param: layers, input: '{"units": 4}', value: { units: 4 } },
    { param: layers, input: "[8, 4", problem: /^must be JSON, such as \[8,4\]/ },
  ];
  for (const { param, input, value, problem } of cases) {
    it(`reads ${JSON.stringify(input)} for a ${param.type} param as ${problem ? "a problem" : JSON.stringify(value)}`, () => {
      const parsed = parseParam(param, input);
      if (problem) {
        expect(parsed.ok).toBe(false);
        expect(!parsed.ok && parsed.problem).toMatch(problem);
      } else {
        expect(parsed).toEqual({ ok: true, value });
      }
    });
  }
});

describe("paramOverrides", () => {
  const params = [epochs, optimizer, shuffle, layers];

  it("sends only the params whose field differs from the default", () => {
    expect(
      paramOverrides(params, { epochs: "3.0", optimizer: "sgd", shuffle: true, layers: "[8,4]" }),
    ).toEqual({ overrides: { optimizer: "sgd" }, problems: {} });
  });

  it("names every field that does not read as its type", () => {
    const { problems } = paramOverrides(params, { epochs: "x", layers: "{" });
    expect(Object.keys(problems)).toEqual(["epochs", "layers"]);
  });
});
