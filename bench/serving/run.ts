// bench/serving: one autoencoder (dense 64 → 16 → 64), served three ways, one row per request.
//
//   (a) Kiln: the tfjs model bundled with log.model(…, { inputSchema }) into a local MLflow
//       server, promoted onto a Kiln server running as a child process (`kiln serve`, so it does
//       not share the load generator's event loop), loaded at POST /v2/models/{name}/infer with
//       one [1, 64] FP32 tensor per request; concurrent requests are micro-batched.
//   (b) `mlflow models serve` (1 worker, --env-manager local) of the same model rebuilt in Keras
//       with the tfjs weights (TensorFlow from PyPI in bench/serving/.venv), logged with
//       mlflow.tensorflow.log_model, loaded at POST /invocations with {"inputs": [[64 floats]]}.
//   (c) in-process tfjs-node model.predict on batches: the ceiling, in rows/s.
//
// Load: autocannon at each concurrency, loopback, a warm-up then a measured period, (a) and (b)
// alternating. Prints requests/s, p50 and p99 per server and concurrency, and the ratios a/b
// (throughput and p99 at the highest concurrency) and a/c (rows/s).
// Targets: a ≥ 5x b at concurrency 64 with a lower p99; a ≥ 50% of c.
//
// usage: npm run bench:serving [-- --duration 8 --warmup 2 --concurrency 1,16,64 --mlflow-workers 1]
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import type { LayersModel, Tensor } from "@tensorflow/tfjs";
import { loadTensorflow, log, startMlflowServer, type Tensorflow } from "../../kernel-lib/src";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "8" },
    warmup: { type: "string", default: "2" },
    concurrency: { type: "string", default: "1,16,64" },
    "mlflow-workers": { type: "string", default: "1" },
    "rows-per-request": { type: "string", default: "64" },
  },
});
const duration = Number(values.duration);
const warmup = Number(values.warmup);
const concurrencies = values.concurrency.split(",").map(Number);
const mlflowWorkers = Number(values["mlflow-workers"]);
const rowsPerRequest = Number(values["rows-per-request"]);
const root = join(__dirname, "..", "..");
const venv = join(__dirname, ".venv");
const modelName = "bench-autoencoder";
const adminKey = "kiln_bench_serving_admin_key";
const predictKey = "kiln_bench_serving_predict_key";
const FEATURES = 64;

/** Creates bench/serving/.venv from requirements.txt, again only when that file changed. */
function ensureVenv(): string {
  const python = join(venv, "bin", "python");
  const requirements = join(__dirname, "requirements.txt");
  const stamp = join(venv, ".requirements.sha256");
  const hash = createHash("sha256").update(readFileSync(requirements)).digest("hex");
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, "utf8") === hash) {
    return python;
  }
  console.log("Creating bench/serving/.venv (TensorFlow + MLflow from PyPI, a few minutes)…");
  if (!existsSync(python)) execFileSync("python3.11", ["-m", "venv", venv], { stdio: "inherit" });
  execFileSync(python, ["-m", "pip", "install", "-q", "-r", requirements], { stdio: "inherit" });
  writeFileSync(stamp, hash);
  return python;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, what: string, ms = 180_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer ${url} within ${ms / 1000} s`);
}

/** A seeded generator, so every run trains and sends the same numbers. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Rows in [0, 1] driven by 4 latent factors, so a 16-unit bottleneck can reconstruct them. */
function syntheticRows(n: number, seed: number): number[][] {
  const rand = random(seed);
  return Array.from({ length: n }, () => {
    const z = [rand(), rand(), rand(), rand()];
    return Array.from({ length: FEATURES }, (_, j) => {
      const v =
        0.5 + 0.25 * Math.sin(z[0]! * 6 + j * 0.2) + 0.2 * z[j % 4]! - 0.1 * z[(j + 1) % 4]!;
      return Math.round(v * 1e6) / 1e6;
    });
  });
}

async function trainAutoencoder(tf: Tensorflow): Promise<LayersModel> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 16, activation: "relu", inputShape: [FEATURES] }),
      tf.layers.dense({ units: FEATURES, activation: "sigmoid" }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: "meanSquaredError" });
  const x = tf.tensor2d(syntheticRows(2048, 1));
  const history = await model.fit(x, x, { epochs: 10, batchSize: 64, verbose: 0 });
  x.dispose();
  const loss = history.history["loss"]!.at(-1) as number;
  console.log(`autoencoder 64 → 16 → 64 trained, reconstruction MSE ${loss.toFixed(5)}`);
  return model;
}

const predictRows = (tf: Tensorflow, model: LayersModel, rows: number[][]): number[][] =>
  tf.tidy(() => (model.predict(tf.tensor2d(rows)) as Tensor).arraySync() as number[][]);

/** (c): model.predict on batches of `batch` rows, JS arrays in and out, for `seconds`. */
function ceiling(tf: Tensorflow, model: LayersModel, batch: number, seconds: number): number {
  const rows = syntheticRows(batch, 7).flat();
  const data = Float32Array.from(rows);
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    const out = tf.tidy(() => model.predict(tf.tensor2d(data, [batch, FEATURES])) as Tensor);
    out.dataSync();
    out.dispose();
    done += batch;
  }
  return done / ((performance.now() - started) / 1000);
}

type Target = {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: string | Buffer;
  rows: number;
};
type Measured = { rps: number; p50: number; p99: number };

async function load(target: Target, connections: number): Promise<Measured> {
  const options = { ...target, method: "POST" as const, connections, timeout: 30 };
  await autocannon({ ...options, duration: warmup });
  const r = await autocannon({ ...options, duration });
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(
      `${target.name} at concurrency ${connections}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`,
    );
  }
  return { rps: r["2xx"] / r.duration, p50: r.latency.p50, p99: r.latency.p99 };
}

function stopChild(child: ChildProcess | undefined, group: boolean): Promise<void> {
  if (!child || child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(group ? -child.pid! : child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    process.kill(group ? -child.pid! : child.pid!, "SIGTERM");
  });
}

async function main(): Promise<void> {
  const python = ensureVenv();
  const dir = mkdtempSync(join(tmpdir(), "kiln-bench-serving-"));
  const mlflow = await startMlflowServer({ dir: join(dir, "mlflow"), attachToEnv: false });
  let kilnChild: ChildProcess | undefined;
  let mlflowChild: ChildProcess | undefined;
  try {
    const { tf } = await loadTensorflow();
    console.log(`tfjs backend ${tf.getBackend()}; MLflow ${mlflow.uri}`);
    const model = await trainAutoencoder(tf);
    const row = syntheticRows(1, 42)[0]!;

    // (a) bundle and register the tfjs model, promote it on a Kiln server (child process).
    process.env["MLFLOW_TRACKING_URI"] = mlflow.uri;
    process.env["KILN_EXPERIMENT"] = "bench-serving";
    const logged = await log.model(model, {
      name: modelName,
      inputSchema: {
        features: Array.from({ length: FEATURES }, (_, i) => ({
          name: `f${i}`,
          dtype: "float32" as const,
        })),
      },
    });
    await log.flush();
    const kilnPort = await freePort();
    kilnChild = spawn(
      process.execPath,
      [join(root, "server", "dist", "cli.js"), "serve", "--port", String(kilnPort)],
      {
        env: {
          ...process.env,
          KILN_STATE_DIR: join(dir, "kiln"),
          KILN_ADMIN_KEY: adminKey,
          KILN_PREDICT_KEY: predictKey,
        },
        stdio: ["ignore", "ignore", "inherit"],
      },
    );
    const kilnUrl = `http://127.0.0.1:${kilnPort}`;
    await waitFor(`${kilnUrl}/health`, kilnChild, "kiln serve");
    const promoted = await fetch(`${kilnUrl}/api/endpoints/ae/promote`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ model: modelName, version: logged.version }),
    });
    if (!promoted.ok) throw new Error(`promote: ${promoted.status} ${await promoted.text()}`);
    const kiln: Target = {
      name: "(a) Kiln, v2 infer",
      url: `${kilnUrl}/v2/models/ae/infer`,
      headers: { "content-type": "application/json", authorization: `Bearer ${predictKey}` },
      body: JSON.stringify({
        inputs: [{ name: "x", shape: [1, FEATURES], datatype: "FP32", data: row }],
      }),
      rows: 1,
    };
    // (a, many rows) a client that sends its rows in one request, as raw FP32 in the v2 binary
    // tensor extension both ways (what Triton's clients do by default), so the rows' cost is not
    // JSON.
    const batchRows = syntheticRows(rowsPerRequest, 43);
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          {
            name: "x",
            shape: [rowsPerRequest, FEATURES],
            datatype: "FP32",
            parameters: { binary_data_size: rowsPerRequest * FEATURES * 4 },
          },
        ],
        parameters: { binary_data_output: true },
      }),
    );
    const kilnBatched: Target = {
      name: `(a) Kiln, v2 infer, ${rowsPerRequest} rows per request (binary FP32 in and out)`,
      url: kiln.url,
      headers: {
        "content-type": "application/octet-stream",
        "inference-header-content-length": String(header.byteLength),
        authorization: `Bearer ${predictKey}`,
      },
      body: Buffer.concat([header, Buffer.from(Float32Array.from(batchRows.flat()).buffer)]),
      rows: rowsPerRequest,
    };

    // (b) the same model in Keras, logged with mlflow.tensorflow, served by `mlflow models serve`.
    const weightsFile = join(dir, "weights.json");
    writeFileSync(
      weightsFile,
      JSON.stringify({
        weights: model
          .getWeights()
          .map((w) => ({ shape: w.shape, values: Array.from(w.dataSync()) })),
        sample: syntheticRows(8, 3),
        expected: predictRows(tf, model, syntheticRows(8, 3)),
      }),
    );
    const keras = JSON.parse(
      execFileSync(python, [join(__dirname, "keras_model.py"), mlflow.uri, weightsFile], {
        encoding: "utf8",
        env: { ...process.env, MLFLOW_TRACKING_URI: mlflow.uri },
      })
        .trim()
        .split("\n")
        .pop()!,
    ) as { run_id: string; max_abs_diff: number; tensorflow: string };
    console.log(
      `Keras model (TensorFlow ${keras.tensorflow}) matches tfjs within ${keras.max_abs_diff.toExponential(1)}`,
    );
    const mlflowPort = await freePort();
    mlflowChild = spawn(
      join(venv, "bin", "mlflow"),
      [
        "models",
        "serve",
        "-m",
        `runs:/${keras.run_id}/model`,
        "--env-manager",
        "local",
        "-p",
        String(mlflowPort),
        "-h",
        "127.0.0.1",
        "-w",
        String(mlflowWorkers),
      ],
      {
        env: {
          ...process.env,
          MLFLOW_TRACKING_URI: mlflow.uri,
          PATH: `${join(venv, "bin")}:${process.env["PATH"] ?? ""}`,
          TF_CPP_MIN_LOG_LEVEL: "2",
        },
        stdio: ["ignore", "ignore", "ignore"],
        detached: true, // its own process group: the CLI starts the web server as a child
      },
    );
    const mlflowUrl = `http://127.0.0.1:${mlflowPort}`;
    await waitFor(`${mlflowUrl}/ping`, mlflowChild, "mlflow models serve");
    const peer: Target = {
      name: `(b) mlflow models serve, ${mlflowWorkers} worker${mlflowWorkers > 1 ? "s" : ""}`,
      url: `${mlflowUrl}/invocations`,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ inputs: [row] }),
      rows: 1,
    };
    const peerBatched: Target = {
      ...peer,
      name: `${peer.name}, ${rowsPerRequest} rows per request`,
      body: JSON.stringify({ inputs: batchRows }),
      rows: rowsPerRequest,
    };

    // Every target must answer with the model's own prediction before anything is timed.
    const check = async (
      t: Target,
      sent: number[][],
      pick: (r: Response) => Promise<number[][]>,
    ) => {
      const r = await fetch(t.url, { method: "POST", headers: t.headers, body: t.body });
      if (!r.ok) throw new Error(`${t.name}: ${r.status} ${await r.text()}`);
      const got = await pick(r);
      const want = predictRows(tf, model, sent);
      const diff = Math.max(...want.flatMap((w, i) => w.map((v, j) => Math.abs(v - got[i]![j]!))));
      if (got.length !== sent.length || !(diff < 1e-4)) {
        throw new Error(
          `${t.name} answers ${JSON.stringify(got).slice(0, 200)}…, max diff ${diff}`,
        );
      }
    };
    const byRow = (out: ArrayLike<number>) =>
      Array.from({ length: out.length / FEATURES }, (_, i) =>
        Array.from(out).slice(i * FEATURES, (i + 1) * FEATURES),
      );
    const v2Rows = async (r: Response) =>
      byRow(((await r.json()) as { outputs: { data: number[] }[] }).outputs[0]!.data);
    const v2BinaryRows = async (r: Response) => {
      const body = new Uint8Array(await r.arrayBuffer());
      const headerLength = Number(r.headers.get("inference-header-content-length"));
      return byRow(new Float32Array(body.slice(headerLength).buffer));
    };
    const mlflowRows = async (r: Response) =>
      ((await r.json()) as { predictions: number[][] }).predictions;
    await check(kiln, [row], v2Rows);
    await check(peer, [row], mlflowRows);
    await check(kilnBatched, batchRows, v2BinaryRows);
    await check(peerBatched, batchRows, mlflowRows);

    // (c) the ceiling, measured while the servers are idle.
    const ceilings = [64, 1024].map((batch) => ({ batch, rps: ceiling(tf, model, batch, 4) }));
    const best = ceilings.reduce((x, y) => (y.rps > x.rps ? y : x));

    const results: { target: Target; c: number; m: Measured }[] = [];
    for (const c of concurrencies) {
      for (const target of [kiln, peer]) results.push({ target, c, m: await load(target, c) });
      console.log(`concurrency ${c}: done`);
    }
    const top = Math.max(...concurrencies);
    for (const target of [kilnBatched, peerBatched]) {
      results.push({ target, c: top, m: await load(target, top) });
    }
    console.log(`${rowsPerRequest} rows per request at concurrency ${top}: done`);

    const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
    console.log(
      `\n${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${warmup} s warm-up + ${duration} s per run\n`,
    );
    console.log("| server | concurrency | requests/s | rows/s | p50 ms | p99 ms |");
    console.log("| --- | --- | --- | --- | --- | --- |");
    for (const { target, c, m } of results) {
      console.log(
        `| ${target.name} | ${c} | ${fmt(m.rps)} | ${fmt(m.rps * target.rows)} | ${m.p50} | ${m.p99} |`,
      );
    }
    for (const { batch, rps } of ceilings) {
      console.log(`| (c) tfjs-node model.predict, batches of ${batch} | - | - | ${fmt(rps)} | | |`);
    }
    const at = (t: Target) => results.find((r) => r.target === t && r.c === top)!.m;
    const [a, b, aMany, bMany] = [at(kiln), at(peer), at(kilnBatched), at(peerBatched)];
    console.log(`\nat concurrency ${top}:`);
    console.log(`a/b throughput, 1 row per request: ${(a.rps / b.rps).toFixed(1)}x (target ≥ 5x)`);
    console.log(`a/b p99, 1 row per request: ${a.p99} ms vs ${b.p99} ms (target lower)`);
    console.log(
      `a/b throughput, ${rowsPerRequest} rows per request: ${(aMany.rps / bMany.rps).toFixed(1)}x; p99 ${aMany.p99} ms vs ${bMany.p99} ms`,
    );
    for (const [label, m, rows] of [
      ["1 row", a, 1],
      [`${rowsPerRequest} rows`, aMany, rowsPerRequest],
    ] as const) {
      console.log(
        `a/c rows/s, ${label} per request: ${fmt(m.rps * rows)} / ${fmt(best.rps)} (batches of ${best.batch}) = ${((100 * m.rps * rows) / best.rps).toFixed(1)}% (target ≥ 50%)`,
      );
    }
  } finally {
    await stopChild(kilnChild, false);
    await stopChild(mlflowChild, true);
    await mlflow.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
