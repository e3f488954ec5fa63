// Kiln's drift statistics against SciPy and Evidently 0.7.23, run from Python: seeded fixtures are
// written to a temp dir, reference_values.py computes every statistic with SciPy (and statsmodels
// for the z-test) and with Evidently's own stattests, default method choice and dataset verdict,
// and each TypeScript value must match to 1e-6 relative (1e-9 absolute near zero).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FeatureKind } from "./binning";
import { chiSquareTest } from "./chi-square-test";
import { detectDrift, type DriftOptions, type FeatureColumns } from "./drift-report";
import { DRIFT_METHODS, type DriftMethod } from "./drift-methods";
import { featureDrift } from "./feature-drift";
import { inferFeatureKind, presentValues, type DriftValue } from "./feature-values";
import { jensenShannonDistance } from "./jensen-shannon";
import { kolmogorovSf } from "./kolmogorov-distribution";
import { ksTwoSample } from "./ks-test";
import { populationStabilityIndex } from "./psi";
import { chiSquaredSf, normalCdf } from "./special-functions";
import { normedWassersteinDistance, wassersteinDistance } from "./wasserstein";
import { proportionsZTest } from "./z-test";

const ROOT = resolve(__dirname, "../../../..");
const PYTHON = join(ROOT, ".kiln", "venv-evidently", "bin", "python");
const SCRIPT = join(__dirname, "reference_values.py");

// ---- Seeded fixtures ----------------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sampler(seed: number) {
  const random = mulberry32(seed);
  const normal = (mean = 0, sd = 1) => {
    const u = 1 - random();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  return {
    normals: (n: number, mean = 0, sd = 1) => Array.from({ length: n }, () => normal(mean, sd)),
    choices: <T>(n: number, values: readonly T[], weights: readonly number[]) => {
      const total = weights.reduce((a, b) => a + b, 0);
      return Array.from({ length: n }, () => {
        let r = random() * total;
        for (let i = 0; i < values.length; i++) {
          r -= weights[i] as number;
          if (r < 0) return values[i] as T;
        }
        return values[values.length - 1] as T;
      });
    },
    /** Replaces a share of the values by null, NaN or ±Infinity. */
    withMissing: (values: DriftValue[], share: number) =>
      values.map((v) => {
        if (random() >= share) return v;
        return [null, NaN, Infinity, -Infinity, undefined][Math.floor(random() * 5)];
      }),
  };
}

type FeatureCase = {
  name: string;
  kind: FeatureKind;
  reference: DriftValue[];
  current: DriftValue[];
};

const NUMERICAL_METHODS: DriftMethod[] = ["ks", "wasserstein", "jensenshannon", "psi"];
const CATEGORICAL_METHODS: DriftMethod[] = ["chisquare", "z", "jensenshannon", "psi"];
const round = (values: number[], digits: number) =>
  values.map((v) => Math.round(v * 10 ** digits) / 10 ** digits);

function featureCases(): FeatureCase[] {
  const s = sampler(20261125);
  const colors = ["red", "green", "blue", "grey"];
  return [
    {
      name: "small numeric, same distribution",
      kind: "numerical",
      reference: s.normals(300),
      current: s.normals(200),
    },
    {
      name: "small numeric, shifted",
      kind: "numerical",
      reference: s.normals(300),
      current: s.normals(200, 0.5),
    },
    {
      name: "small numeric, equal sizes",
      kind: "numerical",
      reference: s.normals(150),
      current: s.normals(150, 0.2),
    },
    {
      name: "small numeric, tiny samples",
      kind: "numerical",
      reference: s.normals(8),
      current: s.normals(6, 1),
    },
    {
      name: "large numeric, same distribution",
      kind: "numerical",
      reference: s.normals(3000),
      current: s.normals(2000),
    },
    {
      name: "large numeric, shifted",
      kind: "numerical",
      reference: s.normals(3000),
      current: s.normals(2000, 0.3),
    },
    {
      name: "large numeric, scaled",
      kind: "numerical",
      reference: s.normals(1200, 5, 2),
      current: s.normals(900, 5, 3),
    },
    {
      name: "ties (one decimal)",
      kind: "numerical",
      reference: round(s.normals(400), 1),
      current: round(s.normals(350, 0.1), 1),
    },
    {
      name: "ties, large (integers 0-40)",
      kind: "numerical",
      reference: round(s.normals(2500, 20, 6), 0),
      current: round(s.normals(1500, 21, 6), 0),
    },
    {
      name: "very different sizes: 50 vs 20000",
      kind: "numerical",
      reference: s.normals(50),
      current: s.normals(20000, 0.2),
    },
    {
      name: "very different sizes: 800 vs 12000",
      kind: "numerical",
      reference: s.normals(800),
      current: s.normals(12000, 0.05),
    },
    {
      name: "very different sizes: 900 vs 15000, close",
      kind: "numerical",
      reference: s.normals(900),
      current: s.normals(15000),
    },
    {
      name: "very different sizes: 5000 vs 10",
      kind: "numerical",
      reference: s.normals(5000),
      current: s.normals(10, 0.1),
    },
    {
      name: "constant reference, large",
      kind: "numerical",
      reference: new Array(1500).fill(3.25),
      current: s.normals(400, 3.25, 0.01),
    },
    {
      name: "constant reference, small",
      kind: "numerical",
      reference: new Array(200).fill(3.25),
      current: [...new Array(90).fill(3.25), 3.5, 3.75],
    },
    {
      name: "numeric with few values (1-4), small",
      kind: "numerical",
      reference: s.choices(300, [1, 2, 3, 4], [4, 3, 2, 1]),
      current: s.choices(250, [1, 2, 3, 4], [3, 3, 2, 2]),
    },
    {
      name: "numeric with few values, large",
      kind: "numerical",
      reference: s.choices(2000, [1, 2, 3, 4], [4, 3, 2, 1]),
      current: s.choices(800, [1, 2, 3, 4], [3, 3, 2, 2]),
    },
    {
      name: "numeric binary 0/1, small",
      kind: "numerical",
      reference: s.choices(400, [0, 1], [7, 3]),
      current: s.choices(300, [0, 1], [6, 4]),
    },
    {
      name: "NaN, null and Infinity present",
      kind: "numerical",
      reference: s.withMissing(s.normals(500), 0.1),
      current: s.withMissing(s.normals(300, 0.25), 0.2),
    },
    {
      name: "NaN present, large",
      kind: "numerical",
      reference: s.withMissing(s.normals(2000), 0.05),
      current: s.withMissing(s.normals(700, 0.1), 0.3),
    },
    {
      name: "small categorical, same",
      kind: "categorical",
      reference: s.choices(400, colors, [4, 3, 2, 1]),
      current: s.choices(300, colors, [4, 3, 2, 1]),
    },
    {
      name: "small categorical, shifted",
      kind: "categorical",
      reference: s.choices(400, colors, [4, 3, 2, 1]),
      current: s.choices(300, colors, [2, 3, 2, 3]),
    },
    {
      name: "small categorical, new category",
      kind: "categorical",
      reference: s.choices(300, colors.slice(0, 3), [4, 3, 2]),
      current: s.choices(200, colors, [4, 3, 2, 1]),
    },
    {
      name: "small categorical, with missing",
      kind: "categorical",
      reference: s.withMissing(s.choices(300, colors, [1, 1, 1, 1]), 0.1),
      current: s.withMissing(s.choices(200, colors, [1, 1, 1, 2]), 0.1),
    },
    {
      name: "binary strings, same",
      kind: "categorical",
      reference: s.choices(500, ["no", "yes"], [8, 2]),
      current: s.choices(400, ["no", "yes"], [8, 2]),
    },
    {
      name: "binary strings, shifted",
      kind: "categorical",
      reference: s.choices(500, ["no", "yes"], [8, 2]),
      current: s.choices(400, ["no", "yes"], [6, 4]),
    },
    {
      name: "binary integers, categorical",
      kind: "categorical",
      reference: s.choices(600, [0, 1], [1, 1]),
      current: s.choices(100, [0, 1], [1, 2]),
    },
    {
      name: "large categorical, same",
      kind: "categorical",
      reference: s.choices(5000, colors, [4, 3, 2, 1]),
      current: s.choices(1000, colors, [4, 3, 2, 1]),
    },
    {
      name: "large categorical, shifted",
      kind: "categorical",
      reference: s.choices(5000, colors, [4, 3, 2, 1]),
      current: s.choices(1000, colors, [1, 2, 3, 4]),
    },
    {
      name: "large categorical, 30 integer codes",
      kind: "categorical",
      reference: s.choices(
        3000,
        Array.from({ length: 30 }, (_, i) => i),
        Array.from({ length: 30 }, (_, i) => 30 - i),
      ),
      current: s.choices(
        1000,
        Array.from({ length: 30 }, (_, i) => i),
        new Array(30).fill(1),
      ),
    },
  ];
}

type DatasetCase = {
  name: string;
  kinds: Record<string, FeatureKind>;
  reference: Record<string, DriftValue[]>;
  current: Record<string, DriftValue[]>;
  options?: DriftOptions;
};

function datasetCases(): DatasetCase[] {
  const s = sampler(8);
  const zones = ["north", "south", "east", "west"];
  const vibration = s.normals(400);
  const flags = s.choices(400, [0, 1], [3, 1]);
  const bigTemp = s.normals(1500, 20, 5);
  const bigZone = s.choices(1500, zones, [1, 1, 1, 1]);
  return [
    {
      name: "mixed features, defaults",
      kinds: {
        temperature: "numerical",
        vibration: "numerical",
        zone: "categorical",
        flag: "categorical",
      },
      reference: {
        temperature: s.normals(400, 20, 5),
        vibration: s.withMissing(s.normals(400), 0.05),
        zone: s.choices(400, zones, [4, 3, 2, 1]),
        flag: s.choices(400, [0, 1], [3, 1]),
      },
      current: {
        temperature: s.normals(300, 23, 5),
        vibration: s.withMissing(s.normals(300), 0.1),
        zone: s.choices(300, zones, [4, 3, 2, 1]),
        flag: s.choices(300, [0, 1], [1, 1]),
      },
    },
    {
      // Two of four features drift: share 0.5 must give dataset drift (share >= drift_share).
      name: "exactly half drifted",
      kinds: { a: "numerical", b: "numerical", zone: "categorical", flag: "categorical" },
      reference: {
        a: vibration,
        b: s.normals(400),
        zone: s.choices(400, zones, [1, 1, 1, 1]),
        flag: flags,
      },
      current: {
        a: vibration.slice(0, 300),
        b: s.normals(300, 2),
        zone: s.choices(300, zones, [8, 1, 1, 1]),
        flag: flags.slice(0, 300),
      },
    },
    {
      // The current window is a slice of the reference: nothing drifts.
      name: "no drift",
      kinds: { a: "numerical", flag: "categorical" },
      reference: { a: vibration, flag: flags },
      current: { a: vibration.slice(100, 350), flag: flags.slice(100, 350) },
    },
    {
      name: "options per kind and per feature",
      kinds: {
        temperature: "numerical",
        load: "numerical",
        zone: "categorical",
        code: "categorical",
      },
      reference: {
        temperature: bigTemp,
        load: s.normals(1500, 100, 10),
        zone: bigZone,
        code: s.choices(1500, [1, 2, 3], [1, 1, 1]),
      },
      current: {
        temperature: s.normals(500, 21, 5),
        load: s.normals(500, 101, 10),
        zone: s.choices(500, zones, [2, 1, 1, 1]),
        code: s.choices(500, [1, 2, 3], [1, 1, 2]),
      },
      options: {
        numerical: { threshold: 0.15 },
        categorical: { method: "psi" },
        features: { load: { method: "ks", threshold: 0.01 }, code: { threshold: 0.05 } },
        driftShare: 0.3,
      },
    },
    {
      name: "one method and threshold for all",
      kinds: { temperature: "numerical", zone: "categorical" },
      reference: { temperature: bigTemp.slice(0, 600), zone: bigZone.slice(0, 600) },
      current: {
        temperature: s.normals(300, 20.5, 5),
        zone: s.choices(300, zones, [1, 1, 1, 1.3]),
      },
      options: { method: "jensenshannon", threshold: 0.05 },
    },
  ];
}

/** (n, d) pairs covering every branch of kstwo.sf. */
function kolmogorovGrid(): [number, number][] {
  const grid: [number, number][] = [];
  for (const n of [1, 2, 5, 30, 100, 140, 141, 500, 2000, 20000, 100000, 100001, 300000, 2000000]) {
    for (const z of [0.05, 0.3, 0.6, 0.8, 0.87, 0.95, 1, 1.2, 1.36, 1.5, 2, 3, 6]) {
      const d = z / Math.sqrt(n);
      if (d < 1) grid.push([n, d]);
    }
    for (const d of [0.4 / n, 0.75 / n, 1 / n, 0.55, 0.8, 1 - 1.5 / n, 1 - 0.5 / n]) {
      if (d > 0 && d < 1) grid.push([n, d]);
    }
  }
  return grid;
}

const CHI_SQUARED_GRID: [number, number][] = [
  [0.5, 1],
  [3.841458820694124, 1],
  [10, 2],
  [1, 5],
  [20, 5],
  [50, 30],
  [200, 150],
  [1e-3, 3],
  [100, 3],
  [0.2, 0.5],
];
const NORMAL_GRID = [-10, -5, -2, -1, -0.5, 0, 0.3, 1, 1.96, 3, 6, 9];

// ---- Running Python -----------------------------------------------------------------------

type Scored = { score: number | string; drifted: boolean; threshold: number };
type CaseResult = {
  referenceSize: number;
  currentSize: number;
  inferredKind: string | null;
  scipy: {
    ks?: { statistic: number; pValue: number };
    wasserstein?: number;
    wassersteinRaw?: number;
    chisquare?: { statistic: number | string; pValue: number };
    z?: { statistic: number; pValue: number };
    jensenshannon: number;
    psi: number;
  };
  evidently: { defaultMethod: DriftMethod; default: Scored; methods: Record<string, Scored> };
};
type DatasetResult = {
  count: number;
  share: number;
  datasetDrift: boolean;
  columns: Record<
    string,
    { method: DriftMethod; score: number; threshold: number; drifted: boolean }
  >;
};
type Results = {
  cases: Record<string, CaseResult>;
  datasets: Record<string, DatasetResult>;
  kolmogorov: number[];
  chiSquared: number[];
  normalCdf: number[];
};

const features = featureCases();
const datasets = datasetCases();
const grid = kolmogorovGrid();
let results: Results;
let dir: string;

beforeAll(() => {
  if (!existsSync(PYTHON)) {
    throw new Error(
      `The Evidently reference environment is missing (${PYTHON}). Run \`npm run setup\`: it creates ` +
        ".kiln/venv-evidently from requirements-evidently.txt. These tests never skip.",
    );
  }
  dir = mkdtempSync(join(tmpdir(), "kiln-drift-"));
  const fixtures = join(dir, "fixtures.json");
  const output = join(dir, "results.json");
  writeFileSync(
    fixtures,
    JSON.stringify({
      cases: features.map((c) => ({
        ...c,
        methods: c.kind === "numerical" ? NUMERICAL_METHODS : CATEGORICAL_METHODS,
      })),
      datasets,
      kolmogorov: grid,
      chiSquared: CHI_SQUARED_GRID,
      normalCdf: NORMAL_GRID,
    }),
  );
  const run = spawnSync(PYTHON, [SCRIPT, fixtures, output], { encoding: "utf8", timeout: 300_000 });
  if (run.error || run.status !== 0) {
    throw new Error(
      `reference_values.py failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`,
    );
  }
  results = JSON.parse(readFileSync(output, "utf8")) as Results;
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- Comparisons --------------------------------------------------------------------------

const fromJson = (x: number | string): number =>
  typeof x === "number" ? x : x === "NaN" ? NaN : x === "Infinity" ? Infinity : -Infinity;

/** Equal to 1e-6 relative, or 1e-9 absolute for values near zero; NaN and ±Infinity exactly. */
function expectClose(actual: number, expected: number | string, what: string): void {
  const e = fromJson(expected);
  if (!Number.isFinite(e) || !Number.isFinite(actual)) {
    expect(actual, what).toBe(e);
    return;
  }
  const diff = Math.abs(actual - e);
  const ok = diff <= 1e-9 || diff <= 1e-6 * Math.abs(e);
  expect(ok, `${what}: TypeScript ${actual}, Python ${e} (difference ${diff})`).toBe(true);
}

describe("drift statistics match SciPy", () => {
  it.each(features)("$name", (c) => {
    const expected = results.cases[c.name] as CaseResult;
    const ref = presentValues(c.reference).values;
    const cur = presentValues(c.current).values;
    expect([ref.length, cur.length]).toEqual([expected.referenceSize, expected.currentSize]);
    const { scipy } = expected;
    if (scipy.ks) {
      const ks = ksTwoSample(ref as number[], cur as number[]);
      expectClose(ks.statistic, scipy.ks.statistic, "KS statistic");
      expectClose(ks.pValue, scipy.ks.pValue, "KS p-value");
    }
    if (scipy.wasserstein !== undefined && scipy.wassersteinRaw !== undefined) {
      expectClose(
        wassersteinDistance(ref as number[], cur as number[]),
        scipy.wassersteinRaw,
        "Wasserstein",
      );
      expectClose(
        normedWassersteinDistance(ref as number[], cur as number[]),
        scipy.wasserstein,
        "Wasserstein normed",
      );
    }
    if (scipy.chisquare) {
      const chi = chiSquareTest(ref, cur);
      expectClose(chi.statistic, scipy.chisquare.statistic, "chi² statistic");
      expectClose(chi.pValue, scipy.chisquare.pValue, "chi² p-value");
    }
    if (scipy.z) {
      const z = proportionsZTest(ref, cur);
      expectClose(z.statistic, scipy.z.statistic, "z statistic");
      expectClose(z.pValue, scipy.z.pValue, "z p-value");
    }
    expectClose(jensenShannonDistance(ref, cur, c.kind), scipy.jensenshannon, "Jensen-Shannon");
    expectClose(populationStabilityIndex(ref, cur, c.kind), scipy.psi, "PSI");
  });

  it("kstwo.sf on every branch (Durbin matrix, Pomeranz, Pelz-Good, Smirnov)", () => {
    grid.forEach(([n, d], i) =>
      expectClose(kolmogorovSf(n, d), results.kolmogorov[i] as number, `kstwo.sf(${d}, ${n})`),
    );
  });

  it("chi2.sf and norm.cdf", () => {
    CHI_SQUARED_GRID.forEach(([x, df], i) =>
      expectClose(chiSquaredSf(x, df), results.chiSquared[i] as number, `chi2.sf(${x}, ${df})`),
    );
    NORMAL_GRID.forEach((x, i) =>
      expectClose(normalCdf(x), results.normalCdf[i] as number, `norm.cdf(${x})`),
    );
  });
});

describe("drift verdicts match Evidently", () => {
  it.each(features)("$name", (c) => {
    const expected = (results.cases[c.name] as CaseResult).evidently;
    const auto = featureDrift(c.name, c.reference, c.current, { kind: c.kind });
    expect(auto.method).toBe(expected.defaultMethod);
    expectClose(auto.score, expected.default.score, `default method ${auto.method} score`);
    expect(auto.threshold).toBe(expected.default.threshold);
    expect(auto.drifted, `default method ${auto.method} verdict`).toBe(expected.default.drifted);
    for (const [method, scored] of Object.entries(expected.methods)) {
      const drift = featureDrift(c.name, c.reference, c.current, {
        kind: c.kind,
        method: method as DriftMethod,
      });
      expectClose(drift.score, scored.score, `${method} score`);
      expect(drift.threshold).toBe(DRIFT_METHODS[method as DriftMethod].defaultThreshold);
      expect(drift.threshold).toBe(scored.threshold);
      expect(drift.drifted, `${method} verdict`).toBe(scored.drifted);
    }
  });

  it.each(
    features.filter(
      (c) => !c.reference.some((v) => v === null || v === undefined || Number.isNaN(v)),
    ),
  )("infers the kind of $name as Evidently does", (c) => {
    const inferred = (results.cases[c.name] as CaseResult).inferredKind;
    if (inferred === null) return;
    expect(inferFeatureKind(presentValues(c.reference).values)).toBe(inferred);
  });

  it.each(datasets)("dataset: $name", (d) => {
    const expected = results.datasets[d.name] as DatasetResult;
    const options: DriftOptions = {
      ...d.options,
      features: Object.fromEntries(
        Object.entries(d.kinds).map(([name, kind]) => [
          name,
          { ...d.options?.features?.[name], kind },
        ]),
      ),
    };
    const report = detectDrift(d.reference as FeatureColumns, d.current as FeatureColumns, options);
    expect(report.driftedFeatures).toBe(expected.count);
    expectClose(report.share, expected.share, "share of drifted features");
    expect(report.datasetDrift).toBe(expected.datasetDrift);
    for (const [name, column] of Object.entries(expected.columns)) {
      const drift = report.features[name];
      expect(drift?.method, name).toBe(column.method);
      expectClose(drift?.score ?? NaN, column.score, `${name} score`);
      expect(drift?.threshold, name).toBe(column.threshold);
      expect(drift?.drifted, name).toBe(column.drifted);
    }
  });

  it("covers both dataset verdicts and the share = drift share edge", () => {
    const verdicts = datasets.map((d) => (results.datasets[d.name] as DatasetResult).datasetDrift);
    expect(verdicts).toContain(true);
    expect(verdicts).toContain(false);
    expect((results.datasets["exactly half drifted"] as DatasetResult).share).toBe(0.5);
  });
});
