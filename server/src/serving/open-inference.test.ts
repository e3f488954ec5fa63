import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { ServedModel } from "./endpoint-model";
import { EndpointRegistry } from "./endpoint-registry";
import { fakeServedModel } from "../../../test/support/fake-served-model";
import { EndpointBatchers } from "./micro-batcher";
import { openInferenceRoutes } from "./open-inference";

function servingApp(registry = new EndpointRegistry()) {
  if (registry.list().length === 0) registry.swap("churn", fakeServedModel({ version: "1" }));
  const app = new Hono();
  app.route(
    "/",
    openInferenceRoutes({ registry, batchers: new EndpointBatchers() }, { maxBodyBytes: 4096 }),
  );
  return { app, registry };
}

const infer = async (app: Hono, body: unknown, path = "/v2/models/churn/infer") =>
  app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** An answer in the binary tensor extension: its JSON header and the float32 values after it. */
async function binaryAnswer(response: Response): Promise<{ header: unknown; values: number[] }> {
  const body = new Uint8Array(await response.arrayBuffer());
  const headerLength = Number(response.headers.get("inference-header-content-length"));
  const view = new DataView(body.buffer, body.byteOffset + headerLength);
  return {
    header: JSON.parse(new TextDecoder().decode(body.subarray(0, headerLength))),
    values: Array.from({ length: view.byteLength / 4 }, (_, i) => view.getFloat32(i * 4, true)),
  };
}

/** The fake churn model with a second output, `logits` of shape [2]: `[10 * p, -p]`. */
function twoOutputModel(): ServedModel {
  const model = fakeServedModel();
  return {
    ...model,
    outputs: [...model.outputs, { name: "logits", datatype: "FP32", shape: [2] }],
    async predict(rows) {
      const prediction = await model.predict(rows);
      return { ...prediction, outputs: prediction.outputs.map(([p = 0]) => [p, 10 * p, -p]) };
    },
  };
}

const tenure = { name: "tenure", shape: [2], datatype: "FP32", data: [2, null] };
const visits = { name: "visits", shape: [2, 1], datatype: "INT32", data: [[1], [3]] };

describe("Open Inference Protocol v2 routes", () => {
  it("answers server and model metadata and health", async () => {
    const { app } = servingApp();
    expect(await (await app.request("/v2")).json()).toEqual({
      name: "kiln",
      version: "0.1.0",
      extensions: ["binary_tensor_data"],
    });
    expect((await app.request("/v2/health/live")).status).toBe(200);
    expect(await (await app.request("/v2/health/ready")).json()).toEqual({ ready: true });
    const metadata = { name: "churn", versions: ["1"], platform: "kiln-tfjs" };
    expect(await (await app.request("/v2/models/churn")).json()).toMatchObject({
      ...metadata,
      inputs: [
        { name: "tenure", datatype: "FP32", shape: [-1] },
        { name: "visits", datatype: "INT32", shape: [-1] },
        { name: "annual", datatype: "BOOL", shape: [-1] },
      ],
      outputs: [{ name: "probability", datatype: "FP32", shape: [-1, 1] }],
    });
    expect(await (await app.request("/v2/models/churn/versions/1")).json()).toMatchObject(metadata);
    expect(await (await app.request("/v2/models/churn/ready")).json()).toEqual({
      name: "churn",
      version: "1",
      ready: true,
    });
    expect((await app.request("/v2/models/churn/versions/1/ready")).status).toBe(200);
  });

  it("is not ready before a model is served", async () => {
    const app = new Hono().route(
      "/",
      openInferenceRoutes({ registry: new EndpointRegistry(), batchers: new EndpointBatchers() }),
    );
    expect((await app.request("/v2/health/ready")).status).toBe(503);
  });

  it("infers from one tensor per feature, with the version and fallback in the answer", async () => {
    const { app } = servingApp();
    const response = await infer(app, {
      id: "req-1",
      inputs: [tenure, visits],
      outputs: [{ name: "probability" }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-kiln-model-version")).toBe("1");
    expect(response.headers.get("x-kiln-fallback")).toBe("true");
    expect(await response.json()).toEqual({
      model_name: "churn",
      model_version: "1",
      id: "req-1",
      outputs: [{ name: "probability", datatype: "FP32", shape: [2, 1], data: [4, -1] }],
      parameters: { kiln_fallback: [false, true] },
    });
  });

  it("infers from one [batch, nFeatures] tensor and on an explicit version", async () => {
    const registry = new EndpointRegistry();
    registry.swap("churn", fakeServedModel({ version: "1", withAnnual: false }));
    const { app } = servingApp(registry);
    const matrix = {
      name: "input-0",
      shape: [2, 2],
      datatype: "INT32",
      data: [
        [2, 1],
        [4, null],
      ],
    };
    const response = await infer(app, { inputs: [matrix] }, "/v2/models/churn/versions/1/infer");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      outputs: [{ name: "probability", shape: [2, 1], data: [4, -1] }],
      parameters: { kiln_fallback: [false, true] },
    });
  });

  it("answers an output asked with binary_data as raw bytes after a JSON header that keeps the version and fallback", async () => {
    const { app } = servingApp();
    const response = await infer(app, {
      id: "req-1",
      inputs: [tenure, visits],
      outputs: [{ name: "probability", parameters: { binary_data: true } }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("x-kiln-model-version")).toBe("1");
    expect(response.headers.get("x-kiln-fallback")).toBe("true");
    expect(await binaryAnswer(response)).toEqual({
      header: {
        model_name: "churn",
        model_version: "1",
        id: "req-1",
        outputs: [
          {
            name: "probability",
            datatype: "FP32",
            shape: [2, 1],
            parameters: { binary_data_size: 8 },
          },
        ],
        parameters: { kiln_fallback: [false, true] },
      },
      values: [4, -1],
    });
  });

  it("sends every output as binary with binary_data_output, in the model's order", async () => {
    const registry = new EndpointRegistry();
    registry.swap("churn", twoOutputModel());
    const { app } = servingApp(registry);
    const response = await infer(app, {
      inputs: [tenure, visits],
      parameters: { binary_data_output: true },
    });
    const { header, values } = await binaryAnswer(response);
    expect(header).toMatchObject({
      outputs: [
        { name: "probability", shape: [2, 1], parameters: { binary_data_size: 8 } },
        { name: "logits", shape: [2, 2], parameters: { binary_data_size: 16 } },
      ],
    });
    expect(values).toEqual([4, -1, 40, -4, -10, 1]);
  });

  it("lets an output's binary_data override binary_data_output, and answers only the outputs asked for", async () => {
    const registry = new EndpointRegistry();
    registry.swap("churn", twoOutputModel());
    const { app } = servingApp(registry);
    const mixed = await infer(app, {
      inputs: [tenure, visits],
      parameters: { binary_data_output: true },
      outputs: [{ name: "logits" }, { name: "probability", parameters: { binary_data: false } }],
    });
    expect(await binaryAnswer(mixed)).toMatchObject({
      header: {
        outputs: [
          { name: "probability", shape: [2, 1], data: [4, -1] },
          { name: "logits", shape: [2, 2], parameters: { binary_data_size: 16 } },
        ],
      },
      values: [40, -4, -10, 1],
    });

    const oneOutput = await infer(app, {
      inputs: [tenure, visits],
      outputs: [{ name: "logits", parameters: { binary_data: true } }],
    });
    expect(await binaryAnswer(oneOutput)).toMatchObject({
      header: { outputs: [{ name: "logits", parameters: { binary_data_size: 16 } }] },
      values: [40, -4, -10, 1],
    });

    // No output left as binary: an ordinary JSON answer.
    const allJson = await infer(app, {
      inputs: [tenure, visits],
      parameters: { binary_data_output: true },
      outputs: [{ name: "logits", parameters: { binary_data: false } }],
    });
    expect(allJson.headers.get("inference-header-content-length")).toBeNull();
    expect(await allJson.json()).toMatchObject({
      outputs: [{ name: "logits", data: [40, -4, -10, 1] }],
    });
  });

  it("answers a binary request from a Triton client (binary inputs, binary_data_output) in binary", async () => {
    const { app } = servingApp();
    const header = new TextEncoder().encode(
      JSON.stringify({
        inputs: [
          { name: "tenure", shape: [2], datatype: "FP32", parameters: { binary_data_size: 8 } },
          { name: "visits", shape: [2], datatype: "INT32", parameters: { binary_data_size: 8 } },
        ],
        parameters: { binary_data_output: true },
      }),
    );
    const body = new Uint8Array([
      ...header,
      ...new Uint8Array(Float32Array.from([2, 4]).buffer),
      ...new Uint8Array(Int32Array.from([1, 3]).buffer),
    ]);
    const response = await app.request("/v2/models/churn/infer", {
      method: "POST",
      headers: {
        "content-type": "application/octet-stream",
        "inference-header-content-length": String(header.byteLength),
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(await binaryAnswer(response)).toMatchObject({
      header: { model_version: "1", parameters: { kiln_fallback: [false, false] } },
      values: [4, 9],
    });
  });

  it("hands a [batch, nFeatures] tensor to a model that takes matrices as one matrix, JSON or binary", async () => {
    const registry = new EndpointRegistry();
    const model = fakeServedModel({ matrix: true });
    registry.swap("churn", model);
    const { app } = servingApp(registry);
    const json = await infer(app, {
      inputs: [{ name: "x", shape: [2, 2], datatype: "FP32", data: [2, 1, null, 3] }],
    });
    expect(await json.json()).toMatchObject({
      outputs: [{ name: "probability", shape: [2, 1], data: [4, -1] }],
      parameters: { kiln_fallback: [false, true] },
    });
    const header = new TextEncoder().encode(
      JSON.stringify({
        inputs: [
          { name: "x", shape: [2, 2], datatype: "FP32", parameters: { binary_data_size: 16 } },
        ],
        parameters: { binary_data_output: true },
      }),
    );
    const binary = await app.request("/v2/models/churn/infer", {
      method: "POST",
      headers: { "inference-header-content-length": String(header.byteLength) },
      body: new Uint8Array([...header, ...new Uint8Array(Float32Array.from([2, 1, 4, 3]).buffer)]),
    });
    expect(await binaryAnswer(binary)).toMatchObject({
      header: { parameters: { kiln_fallback: [false, false] } },
      values: [4, 9],
    });
    expect(model.matrixCalls).toEqual([2, 2]);
    expect(model.calls).toEqual([]);
  });

  it("refuses NaN in binary FP32 data: a missing value is null, in JSON", async () => {
    const { app } = servingApp();
    const header = new TextEncoder().encode(
      JSON.stringify({
        inputs: [
          { name: "tenure", shape: [1], datatype: "FP32", parameters: { binary_data_size: 4 } },
          { name: "visits", shape: [1], datatype: "INT32", data: [1] },
        ],
      }),
    );
    const response = await app.request("/v2/models/churn/infer", {
      method: "POST",
      headers: { "inference-header-content-length": String(header.byteLength) },
      body: new Uint8Array([...header, ...new Uint8Array(Float32Array.from([NaN]).buffer)]),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error:
        'Input "tenure": a FP32 tensor holds finite numbers (send null in JSON for a missing value), got NaN.',
    });
  });

  it("refuses the [batch, nFeatures] form for a model with a BOOL feature", async () => {
    const { app } = servingApp();
    const matrix = { name: "input-0", shape: [1, 3], datatype: "FP32", data: [2, 1, 0] };
    const response = await infer(app, { inputs: [matrix] });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error:
        'Input "input-0": the model has a BOOL feature ("annual"), so one [batch, n] tensor cannot hold its features; send one tensor per feature ("tenure" (FP32), "visits" (INT32), "annual" (BOOL, optional)).',
    });
  });

  const errorCases: {
    case: string;
    body: unknown;
    path?: string;
    status: number;
    error: string | RegExp;
  }[] = [
    {
      case: "malformed JSON",
      body: "{inputs: [",
      status: 400,
      error: /^The request body is not valid JSON/,
    },
    {
      case: "no inputs",
      body: { inputs: [] },
      status: 400,
      error: /"inputs" must be a non-empty list of tensors/,
    },
    {
      case: "shape not matching the data",
      body: { inputs: [{ ...tenure, shape: [3] }, visits] },
      status: 400,
      error: 'Input "tenure": shape [3] needs 3 values, but "data" holds 2.',
    },
    {
      case: "wrong shape for a feature",
      body: { inputs: [{ ...tenure, shape: [1, 2] }, visits] },
      status: 400,
      error: 'Input "tenure": expected shape [batch] or [batch, 1], got [1,2].',
    },
    {
      case: "different batch sizes",
      body: { inputs: [tenure, { ...visits, shape: [1], data: [1] }] },
      status: 400,
      error:
        'Input "visits" has 1 rows but input "tenure" has 2; every input needs the same batch size.',
    },
    {
      case: "wrong datatype",
      body: { inputs: [tenure, { ...visits, datatype: "FP32" }] },
      status: 400,
      error: 'Input "visits": expected datatype INT32, got FP32.',
    },
    {
      case: "unknown datatype",
      body: { inputs: [{ ...tenure, datatype: "FLOAT" }, visits] },
      status: 400,
      error: /^Input "tenure": "datatype" must be one of BOOL, .*got "FLOAT"\.$/,
    },
    {
      case: "data not matching the datatype",
      body: { inputs: [{ ...tenure, data: ["2", 3] }, visits] },
      status: 400,
      error: 'Input "tenure": a FP32 tensor holds numbers, got "2".',
    },
    {
      case: "unknown input name",
      body: {
        inputs: [tenure, visits, { name: "age", shape: [2], datatype: "FP32", data: [1, 2] }],
      },
      status: 400,
      error:
        'Unknown input "age"; the model\'s inputs are "tenure" (FP32), "visits" (INT32), "annual" (BOOL, optional).',
    },
    {
      case: "missing required input",
      body: { inputs: [tenure] },
      status: 400,
      error: 'Missing required input "visits"; send a 32-bit integer (INT32) or null for it.',
    },
    {
      case: "a matrix of the wrong width",
      body: { inputs: [{ name: "input-0", shape: [1, 2], datatype: "FP32", data: [1, 2] }] },
      status: 400,
      error: /^Input "input-0": a \[batch, 3\] tensor holds the model's 3 features in order/,
    },
    {
      case: "a row the model refuses",
      body: { inputs: [{ ...tenure, data: [-1, 2] }, visits] },
      status: 400,
      error: 'Input "tenure" (row 0): expected a number >= 0, got -1.',
    },
    {
      case: "unknown output",
      body: { inputs: [tenure, visits], outputs: [{ name: "logits" }] },
      status: 400,
      error: 'Unknown output "logits"; the model\'s outputs are "probability".',
    },
    {
      case: "request parameters that are not an object",
      body: { inputs: [tenure, visits], parameters: [] },
      status: 400,
      error: '"parameters" must be an object, got [].',
    },
    {
      case: "binary_data_output that is not a boolean",
      body: { inputs: [tenure, visits], parameters: { binary_data_output: "yes" } },
      status: 400,
      error: '"parameters.binary_data_output" must be true or false, got "yes".',
    },
    {
      case: "an output's binary_data that is not a boolean",
      body: {
        inputs: [tenure, visits],
        outputs: [{ name: "probability", parameters: { binary_data: 1 } }],
      },
      status: 400,
      error: 'Output "probability": "parameters.binary_data" must be true or false, got 1.',
    },
    {
      case: "an output's parameters that are not an object",
      body: { inputs: [tenure, visits], outputs: [{ name: "probability", parameters: true }] },
      status: 400,
      error: 'Output "probability": "parameters" must be an object, got true.',
    },
    {
      case: "an output asked twice",
      body: {
        inputs: [tenure, visits],
        outputs: [
          { name: "probability" },
          { name: "probability", parameters: { binary_data: true } },
        ],
      },
      status: 400,
      error: 'Output "probability" is requested twice; ask for it once.',
    },
    {
      case: "a row the model refuses, with binary outputs asked (errors stay JSON)",
      body: {
        inputs: [{ ...tenure, data: [-1, 2] }, visits],
        parameters: { binary_data_output: true },
      },
      status: 400,
      error: 'Input "tenure" (row 0): expected a number >= 0, got -1.',
    },
    {
      case: "unknown model",
      body: { inputs: [tenure, visits] },
      path: "/v2/models/fraud/infer",
      status: 404,
      error: 'No model "fraud" is served. Served models: "churn".',
    },
    {
      case: "unknown version",
      body: { inputs: [tenure, visits] },
      path: "/v2/models/churn/versions/7/infer",
      status: 404,
      error: /^Model "churn" has no version "7" being served; it serves version "1"/,
    },
    {
      case: "a body over the limit",
      body: {
        inputs: [
          { name: "tenure", shape: [3000], datatype: "FP32", data: new Array(3000).fill(1) },
        ],
      },
      status: 413,
      error: /^The request body is larger than 4096 bytes/,
    },
  ];

  it.each(errorCases)("answers $status for $case", async ({ body, path, status, error }) => {
    const { app } = servingApp();
    const response = await infer(app, body, path);
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { error: string };
    expect(Object.keys(answer)).toEqual(["error"]);
    if (typeof error === "string") expect(answer.error).toBe(error);
    else expect(answer.error).toMatch(error);
  });

  it("keeps the protocol's error format when mounted in an app with its own error handler", async () => {
    const registry = new EndpointRegistry();
    registry.swap("churn", fakeServedModel());
    const app = new Hono();
    app.onError((_error, c) => c.json({ error: { code: "INTERNAL" } }, 500));
    app.route("/", openInferenceRoutes({ registry, batchers: new EndpointBatchers() }));
    const response = await app.request("/v2/models/fraud/infer", { method: "POST", body: "{}" });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'No model "fraud" is served. Served models: "churn".',
    });
  });

  it("answers 404 for metadata of an unknown model or version", async () => {
    const { app } = servingApp();
    expect((await app.request("/v2/models/fraud")).status).toBe(404);
    expect((await app.request("/v2/models/churn/versions/2/ready")).status).toBe(404);
  });

  it("keeps answering while the model is swapped under load: no failures, later requests on v2", async () => {
    const registry = new EndpointRegistry();
    registry.swap("churn", fakeServedModel({ version: "1", delayMs: 3 }));
    const { app } = servingApp(registry);
    const send = (i: number) =>
      infer(app, {
        inputs: [
          { name: "tenure", shape: [1], datatype: "FP32", data: [i] },
          { name: "visits", shape: [1], datatype: "INT32", data: [1] },
        ],
      }).then(async (response) => ({
        i,
        status: response.status,
        body: (await response.json()) as InferAnswer,
      }));
    const before = Array.from({ length: 100 }, (_, i) => send(i));
    await Promise.race(before);
    registry.swap("churn", fakeServedModel({ version: "2", delayMs: 3 }));
    const after = Array.from({ length: 100 }, (_, i) => send(100 + i));
    const answers = await Promise.all([...before, ...after]);

    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    for (const { i, body } of answers) {
      // Each answer comes from the version it names: bias = version.
      expect(body.outputs[0]?.data[0]).toBe(0.5 * i + 2 + Number(body.model_version));
    }
    expect(answers.slice(0, 100).some((answer) => answer.body.model_version === "1")).toBe(true);
    expect(answers.slice(100).every((answer) => answer.body.model_version === "2")).toBe(true);
  });
});

type InferAnswer = { model_version: string; outputs: { data: number[] }[] };
