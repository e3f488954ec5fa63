import {
  describeValue,
  outputSize,
  type FeatureMatrix,
  type FeatureSpec,
  type OutputSpec,
  type ServedModel,
} from "./endpoint-model";
import { featureList, missingInput, unknownInput } from "./feature-rows";
import type { MatrixRequestPrediction, RequestPrediction } from "./micro-batcher";
import { ServingRequestError } from "./scoring";

/** An Open Inference Protocol v2 tensor in JSON. */
export type InferTensor = {
  name: string;
  shape: number[];
  datatype: string;
  /** Row-major; binary FP32 data arrives as a `Float32Array`. */
  data: unknown[] | Float32Array;
  parameters?: Record<string, unknown>;
};

/** An output tensor of a v2 inference response, with its values (before any is sent as binary). */
export type OutputTensor = {
  name: string;
  shape: number[];
  datatype: OutputSpec["datatype"];
  data: number[] | Float32Array;
};

/** An output the client asked for, and whether its data goes back as binary (the binary tensor extension). */
export type RequestedOutput = { name: string; binary: boolean };

/** What `parseInferRequest` makes of a v2 inference request. */
export type ParsedInferRequest = {
  id: string | undefined;
  /** The outputs the client asked for; all of them when it asked for none. */
  outputs: RequestedOutput[];
} & (
  | {
      /** One object per row: feature name → value (validated later against the model). */
      rows: Record<string, unknown>[];
    }
  | {
      /** The rows of a `[batch, nFeatures]` tensor for a model that takes matrices, checked. */
      matrix: FeatureMatrix;
    }
);

/** The datatypes of the v2 protocol. */
const v2Datatypes = new Set([
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
  "BYTES",
]);
const integerDatatypes = new Set([
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
]);
const floatDatatypes = new Set(["FP16", "FP32", "FP64"]);

/** The tensor datatypes a feature accepts: its own and those converting to it without loss of meaning. */
function acceptsDatatype(feature: FeatureSpec, datatype: string): boolean {
  switch (feature.datatype) {
    case "FP32":
      return floatDatatypes.has(datatype) || integerDatatypes.has(datatype);
    case "INT32":
      return integerDatatypes.has(datatype);
    case "BOOL":
      return datatype === "BOOL";
  }
}

/**
 * Turns a v2 inference request body into rows: either one tensor per feature (shape `[batch]` or
 * `[batch, 1]`), or a single tensor of shape `[batch, nFeatures]` holding the features in the
 * model's order. `null` elements are missing values (a Kiln extension; the model may fall back).
 * An output goes back as binary when its `parameters.binary_data` says so, or else when the
 * request's `parameters.binary_data_output` does (the binary tensor extension).
 *
 * @example
 * parseInferRequest(model, { inputs: [{ name: "tenure", shape: [2], datatype: "FP32", data: [3, 5] }] });
 * @throws ServingRequestError 400 naming the input and what was expected.
 */
export function parseInferRequest(model: ServedModel, body: unknown): ParsedInferRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest(
      `The request body must be a JSON object with "inputs", got ${describeValue(body)}.`,
    );
  }
  const request = body as Record<string, unknown>;
  if (request.id !== undefined && typeof request.id !== "string") {
    throw badRequest(`"id" must be a string, got ${describeValue(request.id)}.`);
  }
  const parameters = parametersOf(request, `"parameters"`);
  const binaryByDefault =
    booleanParameter(parameters, "binary_data_output", `"parameters.binary_data_output"`) ?? false;
  if (!Array.isArray(request.inputs) || request.inputs.length === 0) {
    throw badRequest(
      `"inputs" must be a non-empty list of tensors like {"name": "${model.inputs[0]?.name ?? "x"}", "shape": [1], "datatype": "${model.inputs[0]?.datatype ?? "FP32"}", "data": [...]}.`,
    );
  }
  const tensors = request.inputs.map((tensor, index) => checkTensor(tensor, index));
  const outputs = requestedOutputs(model, request.outputs, binaryByDefault);
  const [first] = tensors;
  if (first && isMatrixForm(model, tensors)) {
    checkMatrixTensor(model, first);
    // A model taking matrices gets the tensor as it is: no row objects for numeric rows.
    return model.predictMatrix
      ? { id: request.id, outputs, matrix: { rows: first.shape[0] ?? 0, values: float32(first) } }
      : { id: request.id, outputs, rows: matrixRows(model, first) };
  }
  return { id: request.id, outputs, rows: featureRows(model, tensors) };
}

/** The tensor's values as FP32, `null` (missing) as NaN. */
function float32(tensor: InferTensor): Float32Array {
  const { data } = tensor;
  if (data instanceof Float32Array) return data;
  return Float32Array.from(data, (value) => (value === null ? NaN : (value as number)));
}

function checkTensor(tensor: unknown, index: number): InferTensor {
  if (typeof tensor !== "object" || tensor === null || Array.isArray(tensor)) {
    throw badRequest(
      `inputs[${index}] must be a tensor object {name, shape, datatype, data}, got ${describeValue(tensor)}.`,
    );
  }
  const { name, shape, datatype, data } = tensor as Record<string, unknown>;
  if (typeof name !== "string" || name === "") {
    throw badRequest(`inputs[${index}] needs a "name" string.`);
  }
  if (
    !Array.isArray(shape) ||
    !shape.every((dim) => Number.isInteger(dim) && (dim as number) >= 0)
  ) {
    throw badRequest(
      `Input "${name}": "shape" must be a list of non-negative integers like [2] or [2, 1], got ${describeValue(shape)}.`,
    );
  }
  if (typeof datatype !== "string" || !v2Datatypes.has(datatype)) {
    throw badRequest(
      `Input "${name}": "datatype" must be one of ${[...v2Datatypes].join(", ")}, got ${describeValue(datatype)}.`,
    );
  }
  if (!Array.isArray(data) && !(data instanceof Float32Array)) {
    throw badRequest(
      `Input "${name}": "data" must be a list of values (row-major), got ${describeValue(data)}.`,
    );
  }
  const expectedCount = (shape as number[]).reduce((count, dim) => count * dim, 1);
  if (data instanceof Float32Array) {
    // Binary FP32 data: NaN and infinities are refused as in JSON, which cannot even spell them.
    if (data.length !== expectedCount) {
      throw badRequest(
        `Input "${name}": shape ${JSON.stringify(shape)} needs ${expectedCount} values, but its binary data holds ${data.length}.`,
      );
    }
    for (const value of data) {
      if (!Number.isFinite(value)) {
        throw badRequest(
          `Input "${name}": a FP32 tensor holds finite numbers (send null in JSON for a missing value), got ${value}.`,
        );
      }
    }
    return { name, shape: shape as number[], datatype, data };
  }
  const flat = (data as unknown[]).flat(Infinity);
  if (flat.length !== expectedCount) {
    throw badRequest(
      `Input "${name}": shape ${JSON.stringify(shape)} needs ${expectedCount} values, but "data" holds ${flat.length}.`,
    );
  }
  for (const value of flat) {
    if (!fitsDatatype(datatype, value)) {
      throw badRequest(
        `Input "${name}": a ${datatype} tensor holds ${describeDatatype(datatype)}, got ${describeValue(value)}.`,
      );
    }
  }
  return { name, shape: shape as number[], datatype, data: flat };
}

function fitsDatatype(datatype: string, value: unknown): boolean {
  if (value === null) return true;
  if (datatype === "BOOL") return typeof value === "boolean";
  if (datatype === "BYTES") return typeof value === "string";
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  return !integerDatatypes.has(datatype) || Number.isInteger(value);
}

function describeDatatype(datatype: string): string {
  if (datatype === "BOOL") return "true/false values";
  if (datatype === "BYTES") return "strings";
  return integerDatatypes.has(datatype) ? "integers" : "numbers";
}

/** A single tensor `[batch, nFeatures]` not named after a feature (a model of 2+ features). */
function isMatrixForm(model: ServedModel, tensors: InferTensor[]): boolean {
  const [tensor] = tensors;
  return (
    tensors.length === 1 &&
    tensor !== undefined &&
    model.inputs.length > 1 &&
    tensor.shape.length === 2 &&
    !model.inputs.some((feature) => feature.name === tensor.name)
  );
}

/** Checks that a `[batch, n]` tensor fits the model's features. */
function checkMatrixTensor(model: ServedModel, tensor: InferTensor): void {
  const width = tensor.shape[1] ?? 0;
  const features = model.inputs;
  if (width !== features.length) {
    throw badRequest(
      `Input "${tensor.name}": a [batch, ${features.length}] tensor holds the model's ${features.length} features in order (${featureList(features)}), got shape ${JSON.stringify(tensor.shape)}.`,
    );
  }
  const nonNumeric = features.find((feature) => feature.datatype === "BOOL");
  if (nonNumeric) {
    throw badRequest(
      `Input "${tensor.name}": the model has a BOOL feature ("${nonNumeric.name}"), so one [batch, n] tensor cannot hold its features; send one tensor per feature (${featureList(features)}).`,
    );
  }
  const refused = features.find((feature) => !acceptsDatatype(feature, tensor.datatype));
  if (refused) {
    throw badRequest(
      `Input "${tensor.name}": feature "${refused.name}" is ${refused.datatype}, so the tensor's datatype must be ${refused.datatype}, got ${tensor.datatype}.`,
    );
  }
}

function matrixRows(model: ServedModel, tensor: InferTensor): Record<string, unknown>[] {
  const [batch = 0, width = 0] = tensor.shape;
  const features = model.inputs;
  const rows = new Array<Record<string, unknown>>(batch);
  for (let row = 0; row < batch; row++) {
    const values: Record<string, unknown> = {};
    for (let column = 0; column < width; column++) {
      values[features[column]!.name] = tensor.data[row * width + column];
    }
    rows[row] = values;
  }
  return rows;
}

function featureRows(model: ServedModel, tensors: InferTensor[]): Record<string, unknown>[] {
  const features = new Map(model.inputs.map((feature) => [feature.name, feature]));
  const seen = new Set<string>();
  let batch: { size: number; from: string } | undefined;
  for (const tensor of tensors) {
    const feature = features.get(tensor.name);
    if (!feature) {
      const hint =
        tensors.length === 1 && model.inputs.length > 1
          ? ` Or send one tensor of shape [batch, ${model.inputs.length}] with the features in that order.`
          : "";
      throw badRequest(`${unknownInput(tensor.name, model.inputs).message}${hint}`);
    }
    if (seen.has(tensor.name))
      throw badRequest(`Input "${tensor.name}" is sent twice; send each input once.`);
    seen.add(tensor.name);
    const [size = 0, ...rest] = tensor.shape;
    if (
      tensor.shape.length === 0 ||
      tensor.shape.length > 2 ||
      (rest.length === 1 && rest[0] !== 1)
    ) {
      throw badRequest(
        `Input "${tensor.name}": expected shape [batch] or [batch, 1], got ${JSON.stringify(tensor.shape)}.`,
      );
    }
    if (!acceptsDatatype(feature, tensor.datatype)) {
      throw badRequest(
        `Input "${tensor.name}": expected datatype ${feature.datatype}, got ${tensor.datatype}.`,
      );
    }
    if (batch && batch.size !== size) {
      throw badRequest(
        `Input "${tensor.name}" has ${size} rows but input "${batch.from}" has ${batch.size}; every input needs the same batch size.`,
      );
    }
    batch ??= { size, from: tensor.name };
  }
  const missing = model.inputs.find((feature) => feature.required && !seen.has(feature.name));
  if (missing) throw badRequest(missingInput(missing).message);
  return Array.from({ length: batch?.size ?? 0 }, (_, row) =>
    Object.fromEntries(tensors.map((tensor) => [tensor.name, tensor.data[row]])),
  );
}

function requestedOutputs(
  model: ServedModel,
  outputs: unknown,
  binaryByDefault: boolean,
): RequestedOutput[] {
  const names = model.outputs.map((output) => output.name);
  if (outputs === undefined) return names.map((name) => ({ name, binary: binaryByDefault }));
  if (!Array.isArray(outputs)) {
    throw badRequest(
      `"outputs" must be a list like [{"name": "${names[0] ?? "y"}"}], got ${describeValue(outputs)}.`,
    );
  }
  const seen = new Set<string>();
  return outputs.map((output, index) => {
    const name = (output as { name?: unknown } | null)?.name;
    if (typeof name !== "string") throw badRequest(`outputs[${index}] needs a "name" string.`);
    if (!names.includes(name)) {
      throw badRequest(
        `Unknown output "${name}"; the model's outputs are ${names.map((n) => `"${n}"`).join(", ")}.`,
      );
    }
    // Asked twice, an output could be asked as binary and as JSON at once.
    if (seen.has(name)) throw badRequest(`Output "${name}" is requested twice; ask for it once.`);
    seen.add(name);
    const parameters = parametersOf(
      output as Record<string, unknown>,
      `Output "${name}": "parameters"`,
    );
    const binary = booleanParameter(
      parameters,
      "binary_data",
      `Output "${name}": "parameters.binary_data"`,
    );
    return { name, binary: binary ?? binaryByDefault };
  });
}

/** The `parameters` object of a request or requested output (empty when absent). */
function parametersOf(holder: Record<string, unknown>, what: string): Record<string, unknown> {
  const { parameters } = holder;
  if (parameters === undefined) return {};
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    throw badRequest(`${what} must be an object, got ${describeValue(parameters)}.`);
  }
  return parameters as Record<string, unknown>;
}

function booleanParameter(
  parameters: Record<string, unknown>,
  key: string,
  what: string,
): boolean | undefined {
  const value = parameters[key];
  if (value === undefined || typeof value === "boolean") return value;
  throw badRequest(`${what} must be true or false, got ${describeValue(value)}.`);
}

/**
 * The `outputs` tensors of a v2 inference response: for each output, shape `[batch, ...shape]`
 * and the rows' values row-major.
 */
export function responseTensors(
  prediction: RequestPrediction | MatrixRequestPrediction,
  requested: RequestedOutput[],
): OutputTensor[] {
  const { outputs } = prediction;
  const rows = outputs instanceof Float32Array ? prediction.usedFallback.length : outputs.length;
  const width = prediction.model.outputs.reduce((total, output) => total + outputSize(output), 0);
  const tensors: OutputTensor[] = [];
  let offset = 0;
  for (const output of prediction.model.outputs) {
    const size = outputSize(output);
    if (requested.some((wanted) => wanted.name === output.name)) {
      tensors.push({
        name: output.name,
        datatype: output.datatype,
        shape: [rows, ...output.shape],
        data:
          outputs instanceof Float32Array
            ? size === width
              ? outputs
              : columns(outputs, rows, width, offset, size)
            : outputs.flatMap((values) => values.slice(offset, offset + size)),
      });
    }
    offset += size;
  }
  return tensors;
}

/** Columns `[offset, offset + size)` of a row-major matrix. */
function columns(
  matrix: Float32Array,
  rows: number,
  width: number,
  offset: number,
  size: number,
): Float32Array {
  const picked = new Float32Array(rows * size);
  for (let row = 0; row < rows; row++) {
    picked.set(matrix.subarray(row * width + offset, row * width + offset + size), row * size);
  }
  return picked;
}

function badRequest(message: string): ServingRequestError {
  return new ServingRequestError(400, message);
}
