// The serving path enriches a request by entity key: a bundle logged with `onlineFeatures` takes
// the view's key instead of the looked-up features, and the server fills them in from the
// materialized view's latest values (within its TTL) before the model runs. Real lake, real
// MLflow, real bundle, a real Kiln server over HTTP.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as kiln from "@kiln/kernel-lib";
import { log } from "../../kernel-lib/src/pipeline/runtime/log";
import { loadTensorflow } from "../../kernel-lib/src/tf/backend";
import { startKilnServer, type KilnServer } from "../../server/src/kiln-server";
import { realMlflowUri } from "../support/real-mlflow";

const work = mkdtempSync(join(tmpdir(), "kiln-features-serving-"));
const lake = join(work, "lake");
const adminKey = "features-serving-admin-key";
const modelName = `enriched-${Date.now()}`;
const HOUR = 3_600_000;
let server: KilnServer;

const machineStats = kiln.data.defineFeatureView({
  name: "machine_stats",
  key: "machine_id",
  eventTime: "ts",
  sources: ["machine_readings"],
  ttl: 6 * HOUR,
  schema: { vibration: "float64" },
  transform: (rows) =>
    rows.map((row) => ({ machine_id: row["machine_id"], ts: row["ts"], vibration: row["vib"] })),
});

const infer = (body: unknown) =>
  fetch(`${server.url}/v2/models/drill/infer`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  process.env["KILN_LAKE_URI"] = lake;
  process.env["MLFLOW_TRACKING_URI"] = realMlflowUri();
  process.env["KILN_EXPERIMENT"] = "features-serving-test";
  const now = Date.now();
  await kiln.data.ingest(
    [
      { machine_id: 1, ts: new Date(now - 3 * HOUR).toISOString(), vib: 1 },
      { machine_id: 1, ts: new Date(now - 1 * HOUR).toISOString(), vib: 2 }, // machine 1's latest
      { machine_id: 2, ts: new Date(now - 2 * HOUR).toISOString(), vib: 5 },
      { machine_id: 3, ts: new Date(now - 9 * HOUR).toISOString(), vib: 7 }, // past the 6 h TTL
    ],
    { table: "machine_readings", lake, schema: { vib: "float64" } },
  );
  await kiln.data.materialize(machineStats, { lake, lineage: false });
  const { tf } = await loadTensorflow();
  // score = 2 * temperature + 3 * vibration + 1, with vibration looked up by machine_id.
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  model.setWeights([tf.tensor2d([[2], [3]]), tf.tensor1d([1])]);
  const logged = await log.model(model, {
    name: modelName,
    inputSchema: {
      features: [
        { name: "temperature", dtype: "float32" },
        { name: "vibration", dtype: "float32", min: 0, max: 100 },
      ],
    },
    onlineFeatures: { view: machineStats, features: ["vibration"] },
  });
  server = await startKilnServer({
    stateDir: join(work, "state"),
    trackingUri: realMlflowUri(),
    sessionAdminKey: adminKey,
  });
  const promoted = await fetch(`${server.url}/api/endpoints/drill/promote`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ model: modelName, version: logged.version }),
  });
  expect(promoted.status).toBe(200);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await log.flush();
  rmSync(work, { recursive: true, force: true });
});

describe("serving with online features", () => {
  it("takes the entity key instead of the looked-up feature", async () => {
    const metadata = (await (
      await fetch(`${server.url}/v2/models/drill`, {
        headers: { authorization: `Bearer ${adminKey}` },
      })
    ).json()) as { inputs: { name: string; datatype: string }[] };
    expect(metadata.inputs).toEqual([
      { name: "machine_id", datatype: "INT32", shape: [-1] },
      { name: "temperature", datatype: "FP32", shape: [-1] },
    ]);
  });

  it("fills each row's features in from the view's latest values for its key", async () => {
    const response = await infer({
      inputs: [
        { name: "machine_id", shape: [3], datatype: "INT32", data: [1, 2, 1] },
        { name: "temperature", shape: [3], datatype: "FP32", data: [10, 10, 0] },
      ],
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { outputs: { data: number[] }[] };
    // 2 * 10 + 3 * 2 + 1, 2 * 10 + 3 * 5 + 1, 2 * 0 + 3 * 2 + 1
    const [a, b, c] = answer.outputs[0]!.data;
    expect(a).toBeCloseTo(27, 4);
    expect(b).toBeCloseTo(36, 4);
    expect(c).toBeCloseTo(7, 4);
  });

  it("answers 400 for a key the view has no current values for (unknown, or past its TTL)", async () => {
    for (const machine of [99, 3]) {
      const response = await infer({
        inputs: [
          { name: "machine_id", shape: [1], datatype: "INT32", data: [machine] },
          { name: "temperature", shape: [1], datatype: "FP32", data: [10] },
        ],
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(
        /field "vibration" .*required; this model has no fallback.*got nothing/,
      );
    }
  });

  it("refuses a bundle whose online features are not schema features", async () => {
    const { tf } = await loadTensorflow();
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [1] })] });
    await expect(
      log.model(model, {
        name: `${modelName}-bad`,
        inputSchema: { features: [{ name: "temperature", dtype: "float32" }] },
        onlineFeatures: { view: machineStats, features: ["vibration"] },
      }),
    ).rejects.toThrow(
      /onlineFeatures.features names "vibration", which inputSchema does not define/,
    );
  });
});
