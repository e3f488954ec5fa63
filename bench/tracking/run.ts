// bench/tracking: how fast can a notebook log metric points to MLflow?
//
// Logs N metric points to one fresh local MLflow server (SQLite store) with
//   (a) Kiln's client: run.logMetric per point, buffered into log-batch requests;
//   (b) Python mlflow's best path: MlflowClient.log_batch, 1,000 metrics per call;
//   (c) a naive client: one runs/log-metric request per point (measured on a sample, since
//       100,000 sequential requests would take many minutes; throughput is per point either way).
// Prints throughput and the ratios Kiln/(b) and Kiln/(c). Targets: ≥ 1x (b), ≥ 30x (c).
//
// usage: npm run bench:tracking [-- --points 100000 --naive-sample 2000 --keys 10]
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { promisify } from "node:util";
import axios from "axios";
import { MlflowClient, startMlflowServer, startRun } from "../../kernel-lib/src";

const { values } = parseArgs({
  options: {
    points: { type: "string", default: "100000" },
    "naive-sample": { type: "string", default: "2000" },
    keys: { type: "string", default: "10" },
    rounds: { type: "string", default: "2" },
  },
});
const points = Number(values.points);
const naiveSample = Number(values["naive-sample"]);
const keys = Number(values.keys);
const rounds = Number(values.rounds);
const root = join(__dirname, "..", "..");

type Result = { name: string; points: number; seconds: number };
const perSecond = (r: Result) => r.points / r.seconds;

async function kiln(uri: string, spoolDir: string): Promise<Result> {
  const client = new MlflowClient({ trackingUri: uri, spoolDir });
  const run = await startRun({ experiment: `bench-kiln-${Date.now()}`, client });
  const started = performance.now();
  for (let i = 0; i < points; i++) run.logMetric(`m${i % keys}`, i, Math.floor(i / keys));
  await run.end();
  const seconds = (performance.now() - started) / 1000;
  await verifyCount(client, run.id, points);
  await client.close();
  return { name: "(a) Kiln client", points, seconds };
}

async function python(uri: string): Promise<Result> {
  const { stdout } = await promisify(execFile)(
    join(root, ".venv", "bin", "python"),
    [join(__dirname, "python_log_batch.py"), uri, String(points), String(keys)],
    { maxBuffer: 1 << 20 },
  );
  const { seconds } = JSON.parse(stdout.trim().split("\n").pop()!) as { seconds: number };
  return { name: "(b) Python MlflowClient.log_batch x1000", points, seconds };
}

async function naive(uri: string, spoolDir: string): Promise<Result> {
  const client = new MlflowClient({ trackingUri: uri, spoolDir });
  const run = await startRun({ experiment: `bench-naive-${Date.now()}`, client });
  const http = axios.create({ baseURL: `${uri}/api/2.0/mlflow/` });
  const started = performance.now();
  for (let i = 0; i < naiveSample; i++) {
    await http.post("runs/log-metric", {
      run_id: run.id,
      key: `m${i % keys}`,
      value: i,
      timestamp: Date.now(),
      step: Math.floor(i / keys),
    });
  }
  const seconds = (performance.now() - started) / 1000;
  await run.end();
  await client.close();
  return { name: "(c) one request per metric", points: naiveSample, seconds };
}

async function verifyCount(client: MlflowClient, runId: string, expected: number): Promise<void> {
  let total = 0;
  for (let k = 0; k < keys; k++) total += (await client.getMetricHistory(runId, `m${k}`)).length;
  if (total !== expected) throw new Error(`Kiln logged ${total} points, expected ${expected}`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kiln-bench-tracking-"));
  const server = await startMlflowServer({ dir, attachToEnv: false });
  try {
    console.log(`MLflow ${server.uri}; ${points} points over ${keys} keys`);
    // Warm the server (first requests compile SQL, open the DB) outside the timings.
    await naiveWarmup(server.uri, join(dir, "spool"));
    // Kiln and Python alternate, so a server that slows as its database grows hurts both alike;
    // each side keeps its best round.
    const kilnRounds: Result[] = [];
    const pythonRounds: Result[] = [];
    for (let round = 0; round < rounds; round++) {
      kilnRounds.push(await kiln(server.uri, join(dir, "spool")));
      pythonRounds.push(await python(server.uri));
    }
    const best = (rs: Result[]) => rs.reduce((x, y) => (perSecond(y) > perSecond(x) ? y : x));
    const results = [
      best(kilnRounds),
      best(pythonRounds),
      await naive(server.uri, join(dir, "spool")),
    ];
    console.log(
      `rounds (points/s): Kiln ${kilnRounds.map((r) => Math.round(perSecond(r))).join(", ")}; Python ${pythonRounds.map((r) => Math.round(perSecond(r))).join(", ")}`,
    );
    for (const r of results) {
      console.log(
        `${r.name.padEnd(42)} ${r.points.toString().padStart(7)} points in ${r.seconds.toFixed(2).padStart(7)} s = ${Math.round(perSecond(r)).toString().padStart(8)} points/s`,
      );
    }
    const [a, b, c] = results as [Result, Result, Result];
    console.log(
      `Kiln / Python log_batch: ${(perSecond(a) / perSecond(b)).toFixed(2)}x (target ≥ 1x)`,
    );
    console.log(
      `Kiln / one request per metric: ${(perSecond(a) / perSecond(c)).toFixed(1)}x (target ≥ 30x)`,
    );
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function naiveWarmup(uri: string, spoolDir: string): Promise<void> {
  const client = new MlflowClient({ trackingUri: uri, spoolDir });
  const run = await startRun({ experiment: "bench-warmup", client });
  for (let i = 0; i < 2000; i++) run.logMetric("warm", i, i);
  await run.end();
  await client.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
