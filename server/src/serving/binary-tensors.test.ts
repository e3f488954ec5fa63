import { describe, expect, it } from "vitest";
import { decodeBinaryRequest, encodeBinaryResponse } from "./binary-tensors";

/** A request as Triton's clients send it: JSON header, then each binary input's raw bytes. */
function binaryRequest(
  header: unknown,
  ...buffers: ArrayBuffer[]
): { body: Uint8Array; headerLength: number } {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const body = new Uint8Array(json.byteLength + buffers.reduce((n, b) => n + b.byteLength, 0));
  body.set(json, 0);
  let offset = json.byteLength;
  for (const buffer of buffers) {
    body.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return { body, headerLength: json.byteLength };
}

describe("decodeBinaryRequest", () => {
  it("fills each binary input's data from the bytes after the JSON header, in order", () => {
    const fp32 = Float32Array.from([1.5, -2]).buffer;
    const int64 = BigInt64Array.from([7n, -3n]).buffer;
    const bools = Uint8Array.from([1, 0]).buffer;
    const { body, headerLength } = binaryRequest(
      {
        inputs: [
          { name: "a", shape: [2], datatype: "FP32", parameters: { binary_data_size: 8 } },
          { name: "b", shape: [2], datatype: "INT64", parameters: { binary_data_size: 16 } },
          { name: "c", shape: [1], datatype: "FP32", data: [4] },
          { name: "d", shape: [2], datatype: "BOOL", parameters: { binary_data_size: 2 } },
        ],
      },
      fp32,
      int64,
      bools,
    );
    const request = decodeBinaryRequest(body, headerLength) as {
      inputs: { name: string; data: unknown[] }[];
    };
    expect(request.inputs.map((i) => [i.name, Array.from(i.data)])).toEqual([
      ["a", [1.5, -2]],
      ["b", [7, -3]],
      ["c", [4]],
      ["d", [true, false]],
    ]);
  });

  it.each([
    [
      "a header length past the body",
      (b: Uint8Array, h: number) => [b, h + 1000],
      /Inference-Header-Content-Length/,
    ],
    [
      "bytes left over",
      (b: Uint8Array, h: number) => [Uint8Array.from([...b, 0, 0, 0, 0]), h],
      /no input's binary_data_size/,
    ],
    [
      "a truncated tensor",
      (b: Uint8Array, h: number) => [b.subarray(0, b.byteLength - 2), h],
      /does not fit/,
    ],
  ])("refuses %s with a 400 that says what is wrong", (_, mangle, message) => {
    const { body, headerLength } = binaryRequest(
      {
        inputs: [{ name: "a", shape: [2], datatype: "FP32", parameters: { binary_data_size: 8 } }],
      },
      Float32Array.from([1, 2]).buffer,
    );
    const [mangled, length] = mangle(body, headerLength) as [Uint8Array, number];
    expect(() => decodeBinaryRequest(mangled, length)).toThrow(message);
  });

  it("refuses binary data of a datatype Kiln does not read", () => {
    const { body, headerLength } = binaryRequest(
      {
        inputs: [{ name: "s", shape: [1], datatype: "BYTES", parameters: { binary_data_size: 4 } }],
      },
      Uint8Array.from([1, 2, 3, 4]).buffer,
    );
    expect(() => decodeBinaryRequest(body, headerLength)).toThrow(
      /datatype BYTES, which Kiln does not read/,
    );
  });
});

describe("encodeBinaryResponse", () => {
  it("moves binary outputs' data after the JSON header, little-endian, in the order of outputs", () => {
    const response = {
      model_version: "3",
      // Not ASCII: the header length must count bytes, not characters.
      id: "requête-ü",
      outputs: [
        { name: "a", shape: [2], datatype: "FP32" as const, data: [1.5, -2] },
        { name: "b", shape: [1], datatype: "FP32" as const, data: [7] },
        { name: "c", shape: [1, 3], datatype: "FP32" as const, data: [0.25, 8, -1] },
      ],
      parameters: { kiln_fallback: [false] },
    };
    const { body, headerLength } = encodeBinaryResponse(response, new Set(["a", "c"]));

    expect(JSON.parse(new TextDecoder().decode(body.subarray(0, headerLength)))).toEqual({
      model_version: "3",
      id: "requête-ü",
      outputs: [
        { name: "a", shape: [2], datatype: "FP32", parameters: { binary_data_size: 8 } },
        { name: "b", shape: [1], datatype: "FP32", data: [7] },
        { name: "c", shape: [1, 3], datatype: "FP32", parameters: { binary_data_size: 12 } },
      ],
      parameters: { kiln_fallback: [false] },
    });
    const view = new DataView(body.buffer, body.byteOffset + headerLength);
    expect(view.byteLength).toBe(20);
    const values = Array.from({ length: 5 }, (_, i) => view.getFloat32(i * 4, true));
    expect(values).toEqual([1.5, -2, 0.25, 8, -1]);
  });

  it("gives an output of no rows a binary_data_size of 0", () => {
    const { body, headerLength } = encodeBinaryResponse(
      { outputs: [{ name: "a", shape: [0, 1], datatype: "FP32", data: [] }] },
      new Set(["a"]),
    );
    expect(body.byteLength).toBe(headerLength);
    expect(JSON.parse(new TextDecoder().decode(body))).toEqual({
      outputs: [
        { name: "a", shape: [0, 1], datatype: "FP32", parameters: { binary_data_size: 0 } },
      ],
    });
  });
});
