// bench/features: the feature store's three targets on one machine, in one run.
//
//   1. Ingest 1,000,000 rows × 20 numeric features from CSV with kiln.data.ingest: rows/s and the
//      process's peak resident memory (target ≥ 200,000 rows/s, peak < 1 GB).
//   2. Point-in-time join of 100,000 entity rows against those 1,000,000 feature rows with
//      kiln.data.getTrainingSet, against a straightforward in-memory TypeScript join (group by
//      key, sort by time, binary search) over the same rows already in JS arrays; the two
//      results are checked equal, and the ratio printed.
//   3. 1,000 online lookups (kiln.data.getOnlineFeatures on a view of the table): p50/p99
//      (target p99 < 10 ms).
//
// usage: npm run bench:features [-- --rows 1000000 --keys 100000 --entities 100000 --only ingest]
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { data } from "../../kernel-lib/src";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    keys: { type: "string", default: "100000" },
    entities: { type: "string", default: "100000" },
    /** `ingest`: measure the ingest only (1), skip the join and the lookups. */
    only: { type: "string" },
  },
});
if (values.only !== undefined && values.only !== "ingest") {
  throw new TypeError(`--only takes "ingest", not ${JSON.stringify(values.only)}.`);
}
const ROWS = Number(values.rows);
const KEYS = Number(values.keys);
const ENTITIES = Number(values.entities);
const FEATURES = Array.from({ length: 20 }, (_, i) => `f${i}`);
const T0 = Date.UTC(2026, 0, 1);
const SPAN_MS = 30 * 24 * 3_600_000;

/** A seeded generator, so every run writes the same file. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function writeCsv(file: string): Promise<void> {
  const rand = random(1);
  const out = createWriteStream(file);
  out.write(`id,ts,${FEATURES.join(",")}\n`);
  let chunk = "";
  for (let i = 0; i < ROWS; i++) {
    const id = i % KEYS;
    const ts = new Date(T0 + Math.floor(rand() * SPAN_MS)).toISOString();
    chunk += `${id},${ts}`;
    for (let f = 0; f < FEATURES.length; f++) chunk += `,${(rand() * 100).toFixed(3)}`;
    chunk += "\n";
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}

const maxRssMb = () => process.resourceUsage().maxRSS / 1024;

/** The baseline join: rows grouped by key, each group sorted by time, binary search per entity. */
function inMemoryJoin(
  ids: Int32Array,
  times: Float64Array,
  columns: Float64Array[],
  entities: { id: number; time: number }[],
): (number | null)[][] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    let group = groups.get(id);
    if (!group) groups.set(id, (group = []));
    group.push(i);
  }
  for (const group of groups.values()) group.sort((a, b) => times[a]! - times[b]! || a - b);
  return entities.map(({ id, time }) => {
    const group = groups.get(id);
    let lo = 0;
    let hi = group ? group.length : 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[group![mid]!]! <= time) lo = mid + 1;
      else hi = mid;
    }
    if (!group || lo === 0) return columns.map(() => null);
    const row = group[lo - 1]!;
    return columns.map((column) => column[row]!);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "kiln-bench-features-"));
  const lake = join(dir, "lake");
  try {
    const csv = join(dir, "features.csv");
    await writeCsv(csv);
    const mb = statSync(csv).size / 2 ** 20;
    console.log(`CSV: ${ROWS.toLocaleString("en-US")} rows, ${mb.toFixed(0)} MB`);

    // 1. Ingest.
    const rssBefore = maxRssMb();
    let started = performance.now();
    await data.ingest(csv, { table: "features", key: "id", eventTime: "ts", lake });
    const ingestS = (performance.now() - started) / 1000;
    const ingestRss = maxRssMb();
    const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
    if (values.only === "ingest") {
      console.log(
        `ingest: ${ingestS.toFixed(2)} s, ${fmt(ROWS / ingestS)} rows/s; peak RSS ${fmt(rssBefore)} MB → ${fmt(ingestRss)} MB`,
      );
      return;
    }

    // 2. Point-in-time join, Kiln vs in memory.
    const rand = random(2);
    const entities = Array.from({ length: ENTITIES }, () => ({
      id: Math.floor(rand() * KEYS),
      time: T0 + Math.floor(rand() * SPAN_MS),
    }));
    started = performance.now();
    const set = await data.getTrainingSet(
      entities.map((e) => ({ id: e.id, ts: new Date(e.time) })),
      { table: "features", features: FEATURES, lake },
    );
    const kilnJoinS = (performance.now() - started) / 1000;

    const table = await data.read("features", { lake });
    const ids = Int32Array.from(table.getChild("id")!.toArray() as ArrayLike<number>, Number);
    const times = Float64Array.from(table.getChild("ts")!.toArray() as ArrayLike<number>, Number);
    const columns = FEATURES.map((f) =>
      Float64Array.from(table.getChild(f)!.toArray() as ArrayLike<number>, Number),
    );
    started = performance.now();
    const baseline = inMemoryJoin(ids, times, columns, entities);
    const memoryJoinS = (performance.now() - started) / 1000;
    // Same answers: every entity row, every feature.
    let nullsKiln = 0;
    for (let r = 0; r < entities.length; r++) {
      for (let c = 0; c < FEATURES.length; c++) {
        const k = set.table.getChild(FEATURES[c]!)!.get(r) as number | null;
        const b = baseline[r]![c]!;
        if (k === null) nullsKiln += 1;
        if ((k === null) !== (b === null) || (k !== null && Math.abs(k - b!) > 1e-9)) {
          throw new Error(`Row ${r}, ${FEATURES[c]}: Kiln ${k}, in-memory join ${b}`);
        }
      }
    }

    // 3. Online lookups.
    const view = data.defineFeatureView({
      name: "features_online",
      key: "id",
      eventTime: "ts",
      sources: ["features"],
      transform: (rows) => rows,
    });
    started = performance.now();
    await data.materialize(view, { lake });
    const materializeS = (performance.now() - started) / 1000;
    started = performance.now();
    await data.getOnlineFeatures(view, [0], { lake }); // builds the index
    const indexS = (performance.now() - started) / 1000;
    const latencies: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const key = Math.floor(rand() * KEYS);
      const t = performance.now();
      const online = await data.getOnlineFeatures(view, [key], { lake });
      latencies.push(performance.now() - t);
      if (online.rows[0] === null) throw new Error(`No online row for key ${key}`);
    }
    latencies.sort((a, b) => a - b);

    console.log(
      `\n${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`,
    );
    console.log("| measure | value | target |");
    console.log("| --- | --- | --- |");
    console.log(
      `| ingest ${fmt(ROWS)} rows × 20 features from CSV (${mb.toFixed(0)} MB) | ${ingestS.toFixed(1)} s, **${fmt(ROWS / ingestS)} rows/s** | ≥ 200,000 rows/s |`,
    );
    console.log(
      `| peak resident memory of the process (before ingest → after) | ${fmt(rssBefore)} MB → **${fmt(ingestRss)} MB** | < 1 GB |`,
    );
    console.log(
      `| point-in-time join, ${fmt(ENTITIES)} entity rows × ${fmt(ROWS)} feature rows, kiln.data.getTrainingSet (reads the table too) | ${kilnJoinS.toFixed(2)} s | |`,
    );
    console.log(
      `| same join in memory (sort + binary search over JS typed arrays, data already loaded) | ${memoryJoinS.toFixed(2)} s | |`,
    );
    console.log(
      `| Kiln / in-memory join time | **${(kilnJoinS / memoryJoinS).toFixed(2)}x** (results equal; ${fmt(nullsKiln)} null values) | |`,
    );
    console.log(
      `| materialize a view of the table (identity transform) | ${materializeS.toFixed(1)} s | |`,
    );
    console.log(`| build the online index | ${indexS.toFixed(2)} s | |`);
    console.log(
      `| 1,000 online lookups, one key each | p50 ${percentile(latencies, 50).toFixed(2)} ms, **p99 ${percentile(latencies, 99).toFixed(2)} ms** | p99 < 10 ms |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
