import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { decodeBinaryRequest, encodeBinaryResponse } from "./binary-tensors";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { InputValidationError, type ServedModel } from "./endpoint-model";
import {
  parseInferRequest,
  responseTensors,
  type OutputTensor,
  type RequestedOutput,
} from "./open-inference-request";
import {
  observeScoring,
  resolveModel,
  scoreMatrix,
  scoreRows,
  servingHeaders,
  ServingRequestError,
  type ServingDeps,
} from "./scoring";

/** Options of the Open Inference Protocol routes. */
export type OpenInferenceOptions = {
  /** Reported by `GET /v2`. */
  serverVersion?: string;
  /** Largest inference request body, in bytes; larger ones answer 413. */
  maxBodyBytes?: number;
};

const defaultOptions = {
  serverVersion: "0.1.0",
  maxBodyBytes: 10 * 1024 * 1024,
} satisfies Required<OpenInferenceOptions>;

/**
 * The Open Inference Protocol v2 (KServe v2 REST) routes under `/v2`: server and model health and
 * metadata, and inference. Errors are the protocol's `{"error": "message"}`: 400 for a bad
 * request (naming the input and what was expected), 404 for an unknown model or version, 413 for
 * a body over `maxBodyBytes`. Answers say which version served them (`model_version`) and which
 * rows used the model's fallback (`parameters.kiln_fallback`). Requests and answers may use the
 * binary tensor extension (`Inference-Header-Content-Length`), as Triton's clients do by default.
 *
 * @example
 * app.route("/", openInferenceRoutes({ registry, batchers }));
 * // POST /v2/models/churn/infer {"inputs": [{"name": "tenure", "shape": [1], "datatype": "FP32", "data": [3]}]}
 */
export function openInferenceRoutes(deps: ServingDeps, options: OpenInferenceOptions = {}): Hono {
  const opts = { ...defaultOptions, ...options } satisfies Required<OpenInferenceOptions>;
  const routes = new Hono();

  routes.get("/v2", (c) =>
    c.json({ name: "kiln", version: opts.serverVersion, extensions: ["binary_tensor_data"] }),
  );
  routes.get("/v2/health/live", (c) => c.json({ live: true }));
  routes.get("/v2/health/ready", (c) => {
    // Ready once a model is served: a load balancer should not send traffic before that.
    const ready = deps.registry.list().length > 0;
    return c.json({ ready }, ready ? 200 : 503);
  });

  for (const base of ["/v2/models/:name", "/v2/models/:name/versions/:version"]) {
    routes.get(base, (c) => c.json(modelMetadata(modelOf(deps, c))));
    routes.get(`${base}/ready`, (c) => {
      const model = modelOf(deps, c);
      return c.json({ name: model.endpoint, version: model.version, ready: true });
    });
    routes.post(
      `${base}/infer`,
      observeScoring(deps, "v2"),
      bodyLimit({
        maxSize: opts.maxBodyBytes,
        onError: (c) =>
          c.json(
            {
              error: `The request body is larger than ${opts.maxBodyBytes} bytes; send fewer rows per request.`,
            },
            413,
          ),
      }),
      async (c) => {
        const model = modelOf(deps, c);
        c.set("scoring", { model });
        const request = parseInferRequest(model, await jsonBody(c));
        const prediction =
          "matrix" in request
            ? { ...(await scoreMatrix(deps, model, request.matrix)), inputs: request.matrix }
            : await scoreRows(deps, model, request.rows);
        c.set("scoring", { model: prediction.model, scored: prediction });
        const answer = {
          model_name: model.endpoint,
          model_version: prediction.model.version,
          ...(request.id === undefined ? {} : { id: request.id }),
          outputs: responseTensors(prediction, request.outputs),
          parameters: { kiln_fallback: prediction.usedFallback },
        };
        return inferAnswer(c, answer, request.outputs, servingHeaders(prediction));
      },
    );
  }

  routes.onError((error, c) => {
    const { status, message } = openInferenceError(error);
    return c.json({ error: message }, status);
  });
  return routes;
}

/** The answer as JSON, or in the binary tensor extension when any output is asked as binary. */
function inferAnswer(
  c: Context,
  answer: { outputs: OutputTensor[] } & Record<string, unknown>,
  requested: RequestedOutput[],
  headers: Record<string, string>,
): Response {
  const binaryOutputs = new Set(requested.filter((o) => o.binary).map((o) => o.name));
  if (binaryOutputs.size === 0) return c.json(asJson(answer), 200, headers);
  const { body, headerLength } = encodeBinaryResponse(asJson(answer, binaryOutputs), binaryOutputs);
  return c.body(body, 200, {
    ...headers,
    "Content-Type": "application/octet-stream",
    "Inference-Header-Content-Length": String(headerLength),
  });
}

/** The answer with the data of every output not sent as binary as a plain list (JSON). */
function asJson<T extends { outputs: OutputTensor[] }>(
  answer: T,
  binaryOutputs: ReadonlySet<string> = new Set(),
): T {
  return {
    ...answer,
    outputs: answer.outputs.map((tensor) =>
      binaryOutputs.has(tensor.name) || Array.isArray(tensor.data)
        ? tensor
        : { ...tensor, data: Array.from(tensor.data) },
    ),
  };
}

function modelOf(deps: ServingDeps, c: Context): ServedModel {
  return resolveModel(deps, c.req.param("name") ?? "", c.req.param("version"));
}

/** The v2 model metadata of `model`; features are `[batch]` tensors, outputs `[batch, ...shape]`. */
export function modelMetadata(model: ServedModel): Record<string, unknown> {
  return {
    name: model.endpoint,
    versions: [model.version],
    platform: "kiln-tfjs",
    inputs: model.inputs.map((input) => ({
      name: input.name,
      datatype: input.datatype,
      shape: [-1],
    })),
    outputs: model.outputs.map((output) => ({
      name: output.name,
      datatype: output.datatype,
      shape: [-1, ...output.shape],
    })),
    parameters: { kiln_model_name: model.modelName },
  };
}

async function jsonBody(c: Context): Promise<unknown> {
  const headerLength = c.req.header("inference-header-content-length");
  if (headerLength !== undefined) {
    return decodeBinaryRequest(new Uint8Array(await c.req.arrayBuffer()), Number(headerLength));
  }
  const text = await c.req.text();
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ServingRequestError(
      400,
      `The request body is not valid JSON (${(error as Error).message}); send an inference request like {"inputs": [{"name", "shape", "datatype", "data"}]}.`,
    );
  }
}

function openInferenceError(error: unknown): { status: ContentfulStatusCode; message: string } {
  if (error instanceof ServingRequestError) return { status: error.status, message: error.message };
  if (error instanceof InputValidationError) return { status: 400, message: error.message };
  console.error(error);
  return { status: 500, message: "Kiln failed to run the model; the server log has the details." };
}
