// One-click promotion, end to end with real components: a model and its core-sensor fallback
// are trained here, bundled and registered in a real MLflow server, promoted onto an endpoint of
// a real Kiln server (over HTTP, with keys), served over the Open Inference Protocol v2 and
// MLflow's invocation formats, swapped to v2 under concurrent load, restored after a restart and
// rolled back.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LayersModel } from "@tensorflow/tfjs";
import { log } from "../../kernel-lib/src/pipeline/runtime/log";
import { loadTensorflow, type Tensorflow } from "../../kernel-lib/src/tf/backend";
import { createApiKey } from "../../server/src/auth/api-keys";
import { startKilnServer, type KilnServer } from "../../server/src/kiln-server";
import { realMlflowClient, realMlflowUri } from "../support/real-mlflow";

const mlflow = realMlflowClient();
const modelName = `drill-anomaly-${Date.now()}`;
const adminKey = "kiln_session_admin_key_for_serving_tests";
let predictKey: string;
let tf: Tensorflow;
let stateDir: string;
let server: KilnServer;
let main: LayersModel;

const schema = {
  features: [
    { name: "vibration", dtype: "float32" as const, min: 0, max: 10 },
    { name: "temperature", dtype: "float32" as const, min: 0, max: 10 },
    { name: "spindle_load", dtype: "float32" as const, min: 0, max: 10 },
  ],
};
const truth = (v: number, t: number, s: number) => 0.5 * v + 0.3 * t + 0.2 * s;

async function train(inputs: number, epochs: number): Promise<LayersModel> {
  const rows = Array.from({ length: 128 }, (_, i) => [i % 10, (i * 7) % 10, (i * 3) % 10]);
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [inputs] })] });
  model.compile({ optimizer: tf.train.adam(0.1), loss: "meanSquaredError" });
  await model.fit(
    tf.tensor2d(rows.map((r) => r.slice(0, inputs))),
    tf.tensor2d(rows.map(([v, t, s]) => [truth(v!, t!, s!)])),
    { epochs, verbose: 0 },
  );
  return model;
}

async function logVersion(model: LayersModel, fallback: LayersModel): Promise<string> {
  const logged = await log.model(model, {
    name: modelName,
    inputSchema: schema,
    fallback: { model: fallback, features: ["vibration", "temperature"] },
  });
  return logged.version!;
}

const call = (path: string, init: RequestInit & { key?: string } = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      "content-type": "application/json",
      ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
    },
  });
const promote = (body: unknown, key = adminKey) =>
  call("/api/endpoints/drill/promote", { method: "POST", body: JSON.stringify(body), key });
const infer = (inputs: unknown[]) =>
  call("/v2/models/drill/infer", {
    method: "POST",
    body: JSON.stringify({ inputs }),
    key: predictKey,
  });
const feature = (name: string, values: (number | null)[]) => ({
  name,
  shape: [values.length],
  datatype: "FP32",
  data: values,
});

beforeAll(async () => {
  process.env["MLFLOW_TRACKING_URI"] = realMlflowUri();
  process.env["KILN_EXPERIMENT"] = "serving-test";
  ({ tf } = await loadTensorflow());
  stateDir = await mkdtemp(join(tmpdir(), "kiln-serving-"));
  predictKey = createApiKey(join(stateDir, "keys.json"), "predict").key;
  main = await train(3, 30);
  expect(await logVersion(main, await train(2, 30))).toBe("1");
  server = await startKilnServer({
    stateDir,
    trackingUri: realMlflowUri(),
    sessionAdminKey: adminKey,
  });
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await log.flush();
  await rm(stateDir, { recursive: true, force: true });
});

describe("promotion", () => {
  it("needs the admin key, and names what is wrong in a bad request", async () => {
    expect((await promote({ model: modelName }, predictKey)).status).toBe(403);
    expect((await promote({ model: modelName }, "")).status).toBe(401);
    const unknown = await promote({ model: "no-such-model" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe(
      "MODEL_VERSION_NOT_FOUND",
    );
    const badName = await call("/api/endpoints/Bad..Name/promote", {
      method: "POST",
      body: JSON.stringify({ model: modelName }),
      key: adminKey,
    });
    expect(badName.status).toBe(400);
    expect((await promote({})).status).toBe(400);
  });

  it.each([
    ["not an object", 5],
    ["a missing limit", { maxBatchSize: 8 }],
    ["a batch size of 0", { maxBatchSize: 0, maxWaitMs: 2 }],
    ["a fractional batch size", { maxBatchSize: 2.5, maxWaitMs: 2 }],
    ["a negative wait", { maxBatchSize: 8, maxWaitMs: -1 }],
  ])("refuses batching limits with %s (400, nothing promoted)", async (_, batching) => {
    const response = await promote({ model: modelName, version: "1", batching });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      "INVALID_BATCHING",
    );
    const listed = (await (await call("/api/endpoints", { key: adminKey })).json()) as {
      endpoints: unknown[];
    };
    expect(listed.endpoints).toEqual([]);
  });

  it("promotes version 1 and sets the champion alias in MLflow", async () => {
    const response = await promote({ model: modelName, version: "1" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      name: "drill",
      current: { model: modelName, version: "1" },
    });
    expect((await mlflow.getModelVersionByAlias(modelName, "champion")).version).toBe("1");
    const listed = (await (await call("/api/endpoints", { key: adminKey })).json()) as {
      endpoints: unknown[];
    };
    expect(listed.endpoints).toHaveLength(1);
  });
});

describe("serving a promoted model", () => {
  it("answers Open Inference Protocol v2 requests with the model's own predictions", async () => {
    const rows = [
      [1, 2, 3],
      [9, 0, 4],
    ];
    const response = await infer([
      feature(
        "vibration",
        rows.map((r) => r[0]!),
      ),
      feature(
        "temperature",
        rows.map((r) => r[1]!),
      ),
      feature(
        "spindle_load",
        rows.map((r) => r[2]!),
      ),
    ]);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-kiln-model-version")).toBe("1");
    const body = (await response.json()) as {
      model_version: string;
      outputs: { data: number[] }[];
      parameters: { kiln_fallback: boolean[] };
    };
    const expected = (main.predict(tf.tensor2d(rows)) as ReturnType<typeof tf.tensor2d>).dataSync();
    expect(body.model_version).toBe("1");
    body.outputs[0]!.data.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 4));
    expect(body.parameters.kiln_fallback).toEqual([false, false]);
  });

  it("answers from the fallback model, and says so, when a sensor is dead", async () => {
    const response = await call("/endpoints/drill/invocations", {
      method: "POST",
      key: predictKey,
      body: JSON.stringify({
        dataframe_records: [
          { vibration: 1, temperature: 2, spindle_load: 3 },
          { vibration: 1, temperature: 2 },
          { vibration: 1, temperature: 2, spindle_load: null },
        ],
      }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-kiln-fallback")).toBe("true");
    const body = (await response.json()) as {
      predictions: number[];
      kiln: { model_version: string; fallback: boolean[] };
    };
    expect(body.kiln).toEqual({ model_version: "1", fallback: [false, true, true] });
    expect(body.predictions).toHaveLength(3);
  });

  it("works with clients nobody at Kiln wrote: tritonclient (v2) and requests (MLflow formats)", async () => {
    const { stdout } = await promisify(execFile)(
      join(__dirname, "..", "..", ".venv", "bin", "python"),
      [join(__dirname, "interop_client.py"), server.url, "drill", predictKey],
    );
    const seen = JSON.parse(stdout) as {
      triton: {
        live: boolean;
        metadata_inputs: string[];
        results: Record<
          "default" | "binary" | "json",
          {
            model_version: string;
            kiln_fallback: boolean[];
            binary_data_size: number | null;
            output: number[];
          }
        >;
      };
      mlflow: Record<string, { status: number; predictions: number[] }>;
    };
    const expected = Array.from(
      (
        main.predict(
          tf.tensor2d([
            [1, 2, 3],
            [9, 0, 4],
          ]),
        ) as ReturnType<typeof tf.tensor2d>
      ).dataSync(),
    );
    expect(seen.triton.live).toBe(true);
    expect(seen.triton.metadata_inputs).toEqual(["vibration", "temperature", "spindle_load"]);
    const { default: asDefault, binary, json } = seen.triton.results;
    // The client's defaults got binary outputs (2 rows of FP32), and the same values as JSON.
    expect([asDefault.binary_data_size, binary.binary_data_size, json.binary_data_size]).toEqual([
      8,
      8,
      null,
    ]);
    expect(asDefault.output).toEqual(json.output);
    expect(binary.output).toEqual(json.output);
    json.output.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    for (const result of [asDefault, binary, json]) {
      expect(result.model_version).toBe("1");
      expect(result.kiln_fallback).toEqual([false, false]);
    }
    for (const format of ["dataframe_split", "dataframe_records", "instances", "inputs", "csv"]) {
      expect(seen.mlflow[format]!.status).toBe(200);
      seen.mlflow[format]!.predictions.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
    }
  });

  it("runs an async job of many rows on the same model, and counts predictions in /metrics", async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({
      vibration: i % 10,
      temperature: (i * 7) % 10,
      spindle_load: i % 3 === 0 ? null : (i * 3) % 10,
    }));
    const submitted = await call("/endpoints/drill/jobs", {
      method: "POST",
      key: predictKey,
      body: JSON.stringify({ dataframe_records: rows }),
    });
    expect(submitted.status).toBe(202);
    const { status_url } = (await submitted.json()) as { status_url: string };
    let job: {
      status: string;
      result?: { predictions: number[]; model_version: string; fallback: boolean[] };
    };
    do {
      await new Promise((r) => setTimeout(r, 100));
      job = (await (await call(status_url, { key: predictKey })).json()) as typeof job;
    } while (job.status === "pending" || job.status === "running");
    expect(job.status).toBe("succeeded");
    expect(job.result!.predictions).toHaveLength(500);
    expect(job.result!.model_version).toBe("1");
    expect(job.result!.fallback.filter(Boolean)).toHaveLength(167);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(
      /kiln_predictions_total\{endpoint="drill",version="1",fallback="true"\} \d+/,
    );
    expect(metrics).toMatch(/kiln_batch_size_count\{endpoint="drill"\} \d+/);
    expect(metrics).toMatch(
      /kiln_http_requests_total\{method="POST",route="\/v2\/models\/:name\/infer",status="200"\} \d+/,
    );
  });

  it("refuses a request without the predict key", async () => {
    const response = await call("/v2/models/drill/infer", {
      method: "POST",
      body: JSON.stringify({ inputs: [feature("vibration", [1])] }),
    });
    expect(response.status).toBe(401);
  });
});

describe("promoting a new version under load", () => {
  it("fails no request, and requests after the swap report version 2", async () => {
    expect(await logVersion(await train(3, 60), await train(2, 60))).toBe("2");
    const request = () =>
      infer([
        feature("vibration", [1]),
        feature("temperature", [2]),
        feature("spindle_load", [3]),
      ]).then(async (r) => ({
        status: r.status,
        version: ((await r.json()) as { model_version: string }).model_version,
      }));
    const during: Promise<{ status: number; version: string }>[] = [];
    let promoting = true;
    const load = (async () => {
      while (promoting) {
        during.push(...Array.from({ length: 16 }, request));
        await Promise.all(during.slice(-16));
      }
    })();
    const promoted = await promote({
      model: modelName,
      version: "2",
      batching: { maxBatchSize: 4, maxWaitMs: 5 },
    });
    promoting = false;
    await load;
    expect(promoted.status).toBe(200);
    const results = await Promise.all(during);
    expect(results.length).toBeGreaterThan(16);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(new Set(results.map((r) => r.version))).toContain("1");
    const after = await Promise.all(Array.from({ length: 8 }, request));
    expect(after.map((r) => r.version)).toEqual(Array(8).fill("2"));
    expect((await mlflow.getModelVersionByAlias(modelName, "champion")).version).toBe("2");
  });

  it("serves the same version after a restart, and rolls back to the previous one", async () => {
    await server.stop();
    server = await startKilnServer({
      stateDir,
      trackingUri: realMlflowUri(),
      sessionAdminKey: adminKey,
    });
    const metadata = await call("/v2/models/drill", { key: predictKey });
    expect(((await metadata.json()) as { versions: string[] }).versions).toEqual(["2"]);

    // The endpoint's own batching limits came back too: 8 rows go to the model 4 at a time.
    const listed = (await (await call("/api/endpoints", { key: adminKey })).json()) as {
      endpoints: { batching?: unknown }[];
    };
    expect(listed.endpoints[0]!.batching).toEqual({ maxBatchSize: 4, maxWaitMs: 5 });
    const eight = Array.from({ length: 8 }, (_, i) => i % 10);
    const rows = await infer([
      feature("vibration", eight),
      feature("temperature", eight),
      feature("spindle_load", eight),
    ]);
    expect(rows.status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const sample = (name: string, ...labels: string[]) => {
      const line = metrics
        .split("\n")
        .find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
      return Number(line?.split(" ").at(-1));
    };
    expect(sample("kiln_batch_size_count", 'endpoint="drill"')).toBe(2);
    expect(sample("kiln_batch_size_bucket", 'endpoint="drill"', 'le="4"')).toBe(2);

    const rolledBack = await call("/api/endpoints/drill/rollback", {
      method: "POST",
      key: adminKey,
    });
    expect(await rolledBack.json()).toMatchObject({
      current: { version: "1" },
      previous: { version: "2" },
    });
    const response = await infer([
      feature("vibration", [1]),
      feature("temperature", [2]),
      feature("spindle_load", [3]),
    ]);
    expect(((await response.json()) as { model_version: string }).model_version).toBe("1");
  });
});

describe("kiln promote and kiln rollback", () => {
  const kiln = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(__dirname, "..", "..", "server", "dist", "cli.js"), ...args],
      { env: { ...process.env, KILN_SERVER_URL: server.url, KILN_ADMIN_KEY: adminKey } },
    );
    return stdout;
  };

  it("promote a version on the running server and roll it back", async () => {
    expect(await kiln("promote", `${modelName}/2`, "--endpoint", "drill")).toContain(
      `Endpoint drill now serves ${modelName} v2 (alias @champion)`,
    );
    expect(await kiln("rollback", "drill")).toContain(
      `Endpoint drill serves ${modelName} v1 again`,
    );
  });

  it("say what is wrong with a bad model reference", async () => {
    const failure = await kiln("promote", `${modelName}/latest`).catch(
      (e: { stderr: string }) => e,
    );
    expect((failure as { stderr: string }).stderr).toMatch(
      /is not MODEL, MODEL@alias or MODEL\/version/,
    );
  });
});

describe("bad input against the running server", () => {
  const v2 = (body: string) =>
    call("/v2/models/drill/infer", { method: "POST", body, key: predictKey });
  const invocations = (body: string) =>
    call("/endpoints/drill/invocations", { method: "POST", body, key: predictKey });

  it.each([
    ["malformed JSON", "{", /not valid JSON/],
    ["no inputs", "{}", /inputs/],
    [
      "a shape that does not match the data",
      JSON.stringify({ inputs: [{ name: "vibration", shape: [2], datatype: "FP32", data: [1] }] }),
      /shape|element/i,
    ],
    [
      "a datatype the model does not take",
      JSON.stringify({
        inputs: [{ name: "vibration", shape: [1], datatype: "BYTES", data: ["x"] }],
      }),
      /datatype|BYTES/,
    ],
    [
      "an input the model does not have",
      JSON.stringify({ inputs: [{ name: "pressure", shape: [1], datatype: "FP32", data: [1] }] }),
      /pressure/,
    ],
  ])("Open Inference Protocol: %s → 400 naming the problem", async (_, body, message) => {
    const response = await v2(body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it.each([
    ["malformed JSON", "{", /JSON/],
    [
      "two input formats at once",
      JSON.stringify({ instances: [], inputs: [] }),
      /exactly one|one of/i,
    ],
    [
      "an unknown column",
      JSON.stringify({ dataframe_records: [{ vibration: 1, torque: 2 }] }),
      /torque/,
    ],
    [
      "a value of the wrong type",
      JSON.stringify({ dataframe_records: [{ vibration: "high" }] }),
      /vibration/,
    ],
  ])("MLflow invocations: %s → 400 BAD_REQUEST naming the problem", async (_, body, message) => {
    const response = await invocations(body);
    expect(response.status).toBe(400);
    const error = (await response.json()) as { error_code: string; message: string };
    expect(error.error_code).toBe("BAD_REQUEST");
    expect(error.message).toMatch(message);
  });

  it("answers a body over the limit with 413, an unknown model with 404, a bad key with 401", async () => {
    const huge = JSON.stringify({
      dataframe_records: [{ vibration: 1, pad: "x".repeat(11 * 1024 * 1024) }],
    });
    expect((await invocations(huge)).status).toBe(413);
    const unknown = await call("/v2/models/nope/infer", {
      method: "POST",
      body: JSON.stringify({ inputs: [feature("vibration", [1])] }),
      key: predictKey,
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/nope/);
    const badKey = await call("/endpoints/drill/invocations", {
      method: "POST",
      body: JSON.stringify({ dataframe_records: [{ vibration: 1 }] }),
      key: "kiln_predict_not-a-real-key",
    });
    expect(badKey.status).toBe(401);
    expect((await call("/jobs/no-such-job", { key: predictKey })).status).toBe(404);
  });
});
