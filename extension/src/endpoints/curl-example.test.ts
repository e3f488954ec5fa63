import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { EndpointFeature, V2TensorMetadata } from "../api/endpoints-api";
import { exampleInferRequest, inferenceCurl } from "./curl-example";

const input = (name: string, datatype: string, shape = [-1]): V2TensorMetadata => ({
  name,
  datatype,
  shape,
});
const feature = (name: string, range: { min?: number; max?: number }): EndpointFeature => ({
  name,
  datatype: "FP32",
  required: true,
  ...range,
});

describe("exampleInferRequest", () => {
  const cases: {
    name: string;
    input: V2TensorMetadata;
    feature?: EndpointFeature;
    data: (number | boolean)[];
  }[] = [
    {
      name: "the middle of an FP32 feature's range",
      input: input("vibration", "FP32"),
      feature: feature("vibration", { min: 0, max: 10 }),
      data: [5],
    },
    {
      name: "a value inside a range that excludes 0",
      input: input("temperature", "FP32"),
      feature: feature("temperature", { min: 100, max: 101 }),
      data: [100.5],
    },
    {
      name: "the one limit a feature has",
      input: input("count", "INT32"),
      feature: feature("count", { min: 3 }),
      data: [3],
    },
    {
      name: "a whole number inside an INT32 range",
      input: input("level", "INT32"),
      feature: feature("level", { min: 0, max: 3 }),
      data: [2],
    },
    { name: "1 without a range", input: input("x", "FP32"), data: [1] },
    { name: "true for a BOOL", input: input("annual", "BOOL"), data: [true] },
    {
      name: "one row of a [batch, n] tensor",
      input: input("features", "FP32", [-1, 3]),
      data: [1, 1, 1],
    },
  ];
  for (const { name, input: tensor, feature: range, data } of cases) {
    it(`gives ${name}`, () => {
      const { inputs } = exampleInferRequest([tensor], range ? [range] : []);
      expect(inputs).toEqual([
        {
          name: tensor.name,
          datatype: tensor.datatype,
          shape: tensor.shape.map((dim) => (dim < 0 ? 1 : dim)),
          data,
        },
      ]);
    });
  }

  it("keeps the model's input order", () => {
    const { inputs } = exampleInferRequest([input("b", "FP32"), input("a", "FP32")]);
    expect(inputs.map((i) => i.name)).toEqual(["b", "a"]);
  });
});

describe("inferenceCurl", () => {
  const request = exampleInferRequest([input("it's", "FP32")]);
  const command = inferenceCurl("http://127.0.0.1:8700/v2/models/drill/infer", request);

  it("reads the predict key from $KILN_PREDICT_KEY, never holding a key itself", () => {
    expect(command).toContain('-H "Authorization: Bearer $KILN_PREDICT_KEY"');
    expect(command.split("\n")[0]).toBe(
      "curl -sS -X POST 'http://127.0.0.1:8700/v2/models/drill/infer' \\",
    );
  });

  it("pastes into a shell as the request it describes, quotes in names included", () => {
    // The command runs in bash with curl replaced by a function that prints its arguments.
    const args = execFileSync("bash", ["-c", `curl() { printf '%s\\n' "$@"; }\n${command}`], {
      env: { PATH: process.env["PATH"] ?? "", KILN_PREDICT_KEY: "kiln_predict_x" },
      encoding: "utf8",
    }).split("\n");
    expect(args.slice(0, 8)).toEqual([
      "-sS",
      "-X",
      "POST",
      "http://127.0.0.1:8700/v2/models/drill/infer",
      "-H",
      "Authorization: Bearer kiln_predict_x",
      "-H",
      "Content-Type: application/json",
    ]);
    expect(args[8]).toBe("-d");
    expect(JSON.parse(args[9]!)).toEqual(request);
  });
});
