// A curl command that scores one row on an endpoint, to copy into a terminal: the request body
// is built from the served model's v2 metadata, with values its input schema accepts.

import type { EndpointFeature, V2TensorMetadata } from "../api/endpoints-api";

/** One input tensor of an Open Inference Protocol v2 request. */
export type V2InputTensor = {
  name: string;
  shape: number[];
  datatype: string;
  data: (number | boolean)[];
};

/** The predict key is read from the environment, so the command never holds a key. */
export const PREDICT_KEY_VARIABLE = "KILN_PREDICT_KEY";

/**
 * A v2 inference request for one row: each input with a plausible value, the middle of its
 * range when the served model's schema gives one (out-of-range values would be refused or sent
 * to the fallback model).
 *
 * @example
 * ```ts
 * exampleInferRequest(
 *   [{ name: "vibration", datatype: "FP32", shape: [-1] }],
 *   [{ name: "vibration", datatype: "FP32", required: true, min: 0, max: 10 }],
 * );
 * // { inputs: [{ name: "vibration", shape: [1], datatype: "FP32", data: [5] }] }
 * ```
 */
export function exampleInferRequest(
  inputs: readonly V2TensorMetadata[],
  features: readonly EndpointFeature[] = [],
): { inputs: V2InputTensor[] } {
  return {
    inputs: inputs.map((input) => {
      // -1 is the batch dimension: one row.
      const shape = input.shape.map((dim) => (dim < 0 ? 1 : dim));
      const size = shape.reduce((product, dim) => product * dim, 1);
      const feature = features.find((f) => f.name === input.name);
      const value = exampleValue(input.datatype, feature);
      return {
        name: input.name,
        shape,
        datatype: input.datatype,
        data: Array.from({ length: size }, () => value),
      };
    }),
  };
}

/**
 * The curl command that POSTs `request` to `inferUrl` with the predict key from
 * `$KILN_PREDICT_KEY`; everything else is single-quoted, so it pastes into any POSIX shell.
 *
 * @example
 * ```ts
 * inferenceCurl("http://127.0.0.1:8700/v2/models/drill/infer", request);
 * // curl -sS -X POST 'http://127.0.0.1:8700/v2/models/drill/infer' \
 * //   -H "Authorization: Bearer $KILN_PREDICT_KEY" \
 * //   -H 'Content-Type: application/json' \
 * //   -d '{"inputs":[…]}'
 * ```
 */
export function inferenceCurl(inferUrl: string, request: { inputs: V2InputTensor[] }): string {
  return [
    `curl -sS -X POST ${shellQuote(inferUrl)}`,
    `-H "Authorization: Bearer $${PREDICT_KEY_VARIABLE}"`,
    `-H 'Content-Type: application/json'`,
    `-d ${shellQuote(JSON.stringify(request))}`,
  ].join(" \\\n  ");
}

function exampleValue(datatype: string, feature: EndpointFeature | undefined): number | boolean {
  if (datatype === "BOOL") return true;
  const { min, max } = feature ?? {};
  const middle = min !== undefined && max !== undefined ? (min + max) / 2 : (min ?? max ?? 1);
  if (datatype.startsWith("INT") || datatype.startsWith("UINT")) {
    const low = min === undefined ? -Infinity : Math.ceil(min);
    const high = max === undefined ? Infinity : Math.floor(max);
    return Math.min(Math.max(Math.round(middle), low), high);
  }
  return Number(middle.toPrecision(6));
}

// POSIX single quotes: nothing inside is special, and a quote is closed, escaped and reopened.
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
