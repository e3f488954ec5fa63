import { endianness } from "node:os";
import type { OutputSpec } from "./endpoint-model";
import type { OutputTensor } from "./open-inference-request";
import { ServingRequestError } from "./scoring";

// Bytes per element of the v2 datatypes a Kiln model can take (all little-endian).
const readers: Record<
  string,
  { size: number; read: (view: DataView, offset: number) => number | boolean }
> = {
  BOOL: { size: 1, read: (v, o) => v.getUint8(o) !== 0 },
  UINT8: { size: 1, read: (v, o) => v.getUint8(o) },
  INT8: { size: 1, read: (v, o) => v.getInt8(o) },
  UINT16: { size: 2, read: (v, o) => v.getUint16(o, true) },
  INT16: { size: 2, read: (v, o) => v.getInt16(o, true) },
  UINT32: { size: 4, read: (v, o) => v.getUint32(o, true) },
  INT32: { size: 4, read: (v, o) => v.getInt32(o, true) },
  INT64: { size: 8, read: (v, o) => Number(v.getBigInt64(o, true)) },
  UINT64: { size: 8, read: (v, o) => Number(v.getBigUint64(o, true)) },
  FP32: { size: 4, read: (v, o) => v.getFloat32(o, true) },
  FP64: { size: 8, read: (v, o) => v.getFloat64(o, true) },
};

const littleEndian = endianness() === "LE";

type TensorJson = {
  name?: unknown;
  datatype?: unknown;
  data?: unknown;
  parameters?: { binary_data_size?: unknown };
};

/**
 * Decodes a request in the Open Inference Protocol's binary tensor extension (what Triton's
 * clients send by default): the first `headerLength` bytes are the JSON request, followed by the
 * raw little-endian data of every input whose `parameters.binary_data_size` is set, in order.
 * Returns the JSON request with those inputs' `data` filled in, so the rest of the server sees
 * an ordinary JSON request; FP32 data stays a `Float32Array` (the fast path for numeric models).
 *
 * @example
 * const request = decodeBinaryRequest(body, Number(c.req.header("inference-header-content-length")));
 */
export function decodeBinaryRequest(body: Uint8Array, headerLength: number): unknown {
  if (!Number.isInteger(headerLength) || headerLength < 0 || headerLength > body.byteLength) {
    throw new ServingRequestError(
      400,
      `Inference-Header-Content-Length is ${headerLength}, but the body has ${body.byteLength} bytes; it must be the byte length of the JSON header at the start of the body.`,
    );
  }
  let request: { inputs?: TensorJson[] };
  try {
    request = JSON.parse(
      new TextDecoder().decode(body.subarray(0, headerLength)),
    ) as typeof request;
  } catch (error) {
    throw new ServingRequestError(
      400,
      `The JSON header of the binary request is not valid JSON (${(error as Error).message}).`,
    );
  }
  let offset = headerLength;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (const input of Array.isArray(request.inputs) ? request.inputs : []) {
    const size = input.parameters?.binary_data_size;
    if (size === undefined) continue;
    const name = String(input.name);
    const reader = readers[String(input.datatype)];
    if (!reader) {
      throw new ServingRequestError(
        400,
        `Input "${name}" has binary data of datatype ${String(input.datatype)}, which Kiln does not read; send ${Object.keys(readers).join(", ")}.`,
      );
    }
    if (
      typeof size !== "number" ||
      !Number.isInteger(size) ||
      size < 0 ||
      size % reader.size !== 0 ||
      offset + size > body.byteLength
    ) {
      throw new ServingRequestError(
        400,
        `Input "${name}": binary_data_size ${String(size)} does not fit the ${body.byteLength - offset} bytes left or a whole number of ${String(input.datatype)} elements.`,
      );
    }
    if (input.datatype === "FP32" && littleEndian) {
      // A copy, so the array is aligned and does not keep the request body alive.
      input.data = new Float32Array(body.slice(offset, offset + size).buffer);
    } else {
      const data: (number | boolean)[] = [];
      for (let at = offset; at < offset + size; at += reader.size) data.push(reader.read(view, at));
      input.data = data;
    }
    offset += size;
  }
  if (offset !== body.byteLength) {
    throw new ServingRequestError(
      400,
      `The binary request has ${body.byteLength - offset} bytes that no input's binary_data_size accounts for.`,
    );
  }
  return request;
}

// How each datatype a Kiln model outputs is written as binary (little-endian). Keyed by every
// output datatype, so a new one does not compile until it can be sent as binary.
const writers: Record<
  OutputSpec["datatype"],
  { size: number; write: (view: DataView, offset: number, value: number) => void }
> = {
  FP32: { size: 4, write: (v, o, value) => v.setFloat32(o, value, true) },
};

/** A v2 inference response: `outputs` and whatever else the answer carries. */
type InferResponse = { outputs: OutputTensor[] } & Record<string, unknown>;

/**
 * Encodes a response in the Open Inference Protocol's binary tensor extension: the JSON response,
 * in which each output named in `binaryOutputs` carries `parameters.binary_data_size` instead of
 * `data`, followed by those outputs' raw little-endian data in the order of `outputs`. Send
 * `headerLength` (bytes of JSON) as `Inference-Header-Content-Length`.
 *
 * @example
 * const { body, headerLength } = encodeBinaryResponse(answer, new Set(["probability"]));
 */
export function encodeBinaryResponse(
  response: InferResponse,
  binaryOutputs: ReadonlySet<string>,
): { body: Uint8Array<ArrayBuffer>; headerLength: number } {
  const buffers: Uint8Array[] = [];
  const outputs = response.outputs.map((tensor) => {
    if (!binaryOutputs.has(tensor.name)) return tensor;
    const { data } = tensor;
    if (data instanceof Float32Array && littleEndian) {
      buffers.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } else {
      const writer = writers[tensor.datatype];
      const bytes = new Uint8Array(data.length * writer.size);
      const view = new DataView(bytes.buffer);
      for (let index = 0; index < data.length; index += 1) {
        writer.write(view, index * writer.size, data[index]!);
      }
      buffers.push(bytes);
    }
    const { name, shape, datatype } = tensor;
    const size = buffers[buffers.length - 1]!.byteLength;
    return { name, shape, datatype, parameters: { binary_data_size: size } };
  });
  const header = new TextEncoder().encode(JSON.stringify({ ...response, outputs }));
  const body = new Uint8Array(
    buffers.reduce((length, bytes) => length + bytes.byteLength, header.byteLength),
  );
  let offset = 0;
  for (const bytes of [header, ...buffers]) {
    body.set(bytes, offset);
    offset += bytes.byteLength;
  }
  return { body, headerLength: header.byteLength };
}
