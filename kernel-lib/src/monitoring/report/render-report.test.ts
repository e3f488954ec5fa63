import { beforeAll, describe, expect, it } from "vitest";
import type { ValidationResult } from "../../quality/validation-result";
import type { FeatureDrift } from "../drift/feature-drift";
import { renderReport, renderReportFragment } from "./render-report";
import type { MonitoringReportData } from "./report-data";

function feature(overrides: Partial<FeatureDrift>): FeatureDrift {
  return {
    kind: "numerical",
    kindSource: "inferred",
    method: "ks",
    score: 0.5,
    statistic: 0.1,
    pValue: 0.5,
    threshold: 0.05,
    drifted: false,
    referenceSize: 1000,
    currentSize: 500,
    referenceMissing: 0,
    currentMissing: 0,
    ...overrides,
  };
}

const dq: ValidationResult = {
  suite: "live-inputs",
  source: { kind: "records" },
  success: false,
  rowCount: 500,
  score: 0.75,
  dimensions: {
    completeness: { score: 1, expectations: 1, succeeded: 1, failed: 0 },
    validity: { score: 0.5, expectations: 2, succeeded: 1, failed: 1 },
    uniqueness: { score: null, expectations: 0, succeeded: 0, failed: 0 },
    consistency: { score: null, expectations: 0, succeeded: 0, failed: 0 },
    timeliness: { score: 1, expectations: 1, succeeded: 1, failed: 0 },
    accuracy: { score: null, expectations: 0, succeeded: 0, failed: 0 },
  },
  counts: { expectations: 4, succeeded: 3, failed: 1 },
  results: [
    {
      index: 0,
      type: "not_null",
      dimension: "completeness",
      columns: ["temperature"],
      success: true,
      evaluated: true,
      observed: 1,
      expected: "no nulls in at least 99% of rows",
      elementCount: 500,
      missingCount: 0,
      unexpectedCount: 0,
      unexpectedPercent: 0,
      unexpectedExamples: [],
      weight: 1,
    },
    {
      index: 1,
      type: "in_range",
      dimension: "validity",
      columns: ["temperature"],
      description: "plausible furnace temperature",
      success: false,
      evaluated: true,
      observed: 0.968,
      expected: "values in [20, 80] for at least 99% of rows",
      mostly: 0.99,
      elementCount: 500,
      missingCount: 0,
      unexpectedCount: 16,
      unexpectedPercent: 3.2,
      unexpectedExamples: [
        { index: 12, value: 105.5 },
        { index: 40, value: -3 },
        { index: 41, value: 99.25 },
        { index: 77, value: 120 },
      ],
      details: { min: -3, max: 120 },
      weight: 1,
    },
    {
      index: 2,
      type: "in_set",
      dimension: "validity",
      columns: ["zone"],
      success: true,
      evaluated: true,
      observed: 1,
      expected: 'values in {"north", "south"}',
      elementCount: 500,
      missingCount: 0,
      unexpectedCount: 0,
      unexpectedPercent: 0,
      unexpectedExamples: [],
      weight: 1,
    },
    {
      index: 3,
      type: "freshness",
      dimension: "timeliness",
      columns: ["ts"],
      success: true,
      evaluated: true,
      observed: 5_400_000,
      expected: "newest event at most 2 h old",
      elementCount: 500,
      missingCount: 0,
      unexpectedCount: null,
      unexpectedPercent: null,
      unexpectedExamples: [],
      weight: 1,
    },
  ],
  now: "2024-05-07T12:00:00.000Z",
  validatedAt: "2024-05-07T12:00:01.000Z",
};

/** A report with every section, hand-written. */
const fixture: MonitoringReportData = {
  endpoint: "wafer-quality",
  model: { name: "wafer-model", version: "3", pipeline: { name: "wafer", version: "v7" } },
  generatedAt: "2024-05-07T12:00:00.000Z",
  window: { rows: 500, from: "2024-05-07T10:00:00.000Z", to: "2024-05-07T12:00:00.000Z" },
  drift: {
    features: {
      temperature: feature({ score: 0.0031234, pValue: 0.0031234, statistic: 0.21, drifted: true }),
      pressure: feature({ score: 0.41, pValue: 0.41, statistic: 0.04 }),
      zone: feature({
        kind: "categorical",
        kindSource: "declared",
        method: "psi",
        score: 0.25,
        statistic: 0.25,
        pValue: null,
        threshold: 0.1,
        drifted: true,
        currentMissing: 3,
      }),
    },
    featureCount: 3,
    driftedFeatures: 2,
    share: 2 / 3,
    driftShare: 0.5,
    datasetDrift: true,
    distributions: {
      temperature: {
        reference: { edges: [20, 30, 40, 50], counts: [100, 600, 300] },
        current: { edges: [20, 30, 40, 50], counts: [50, 150, 300] },
      },
      pressure: {
        reference: { edges: [1, 1.5, 2], counts: [500, 500] },
        current: { edges: [1, 1.5, 2], counts: [240, 260] },
      },
      zone: { categories: ["north", "south"], reference: [600, 400], current: [100, 397] },
    },
  },
  dq,
  performance: {
    task: "regression",
    chunks: [
      { start: "2024-05-01T00:00:00.000Z", rows: 200, metrics: { mae: 1.1, rmse: 1.5 } },
      { start: "2024-05-02T00:00:00.000Z", rows: 180, metrics: { mae: 1.3, rmse: 1.7 } },
      {
        start: "2024-05-03T00:00:00.000Z",
        rows: 210,
        metrics: { mae: 2.9, rmse: 3.6 },
        alert: ["mae"],
      },
      { start: "2024-05-04T00:00:00.000Z", rows: 50, metrics: { mae: null, rmse: 1.6 } },
    ],
    band: { mae: { lower: 0.5, upper: 2.5 }, rmse: { lower: 0.8, upper: 4 } },
  },
  usage: {
    days: [
      {
        day: "2024-05-05",
        requests: 1200,
        rows: 4800,
        errors: 12,
        fallbackRows: 48,
        p50Ms: 4.2,
        p95Ms: 18,
        p99Ms: 1250,
        byVersion: { "2": 1000, "3": 200 },
      },
      {
        day: "2024-05-06",
        requests: 1500,
        rows: 6000,
        errors: 0,
        fallbackRows: 0,
        p50Ms: 4,
        p95Ms: 16,
        p99Ms: 40,
        byVersion: { "3": 1500 },
      },
    ],
  },
  actions: [
    {
      at: "2024-05-06T03:00:00.000Z",
      kind: "check",
      reason: "schedule",
      details: { conditions: [] },
    },
    {
      at: "2024-05-07T03:00:00.000Z",
      kind: "retrain",
      reason: "drift_share 0.67 > 0.5",
      details: {
        decision: "kept-champion",
        runId: "run-42",
        metric: "mae",
        champion: { model: "wafer-model", version: "3", score: 1.21 },
        candidate: { model: "wafer-model", version: "4", score: 1.35 },
        alias: "challenger",
      },
    },
    {
      at: "2024-05-07T02:59:00.000Z",
      kind: "alert",
      reason: "drift_share 0.67 > 0.5",
      details: { conditions: ["drift_share 0.67 > 0.5"] },
    },
  ],
};

// happy-dom is an ES module: this CommonJS test loads it with import().
let HappyWindow: typeof import("happy-dom", { with: { "resolution-mode": "import" } }).Window;
beforeAll(async () => {
  HappyWindow = (await import("happy-dom")).Window;
});

/** The report as a DOM, parsed by a real HTML parser. */
function parse(html: string) {
  const window = new HappyWindow();
  window.document.write(html);
  return window.document;
}

let fixtureDocument: ReturnType<typeof parse> | undefined;
/** One section of the fixture's report (parsed once, when the first test asks). */
function fixtureSection(kind: string) {
  fixtureDocument ??= parse(renderReport(fixture));
  return fixtureDocument.querySelector(`section.kiln-${kind}`)!;
}

describe("renderReport", () => {
  const html = renderReport(fixture);
  let document: ReturnType<typeof parse>;
  beforeAll(() => {
    document = parse(html);
  });

  it("is a complete document that loads nothing from elsewhere", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(document.title).toBe("Monitoring report: wafer-quality");
    expect(document.querySelectorAll("script")).toHaveLength(0);
    expect(html).not.toMatch(/<link|@import|url\(|src=|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it("nests as written: every section and chart closes where it should", () => {
    const report = document.querySelector("body > div.kiln-report");
    expect(report).not.toBeNull();
    expect(document.querySelectorAll("div.kiln-report")).toHaveLength(1);
    const sections = [...report!.querySelectorAll(":scope > section")].map((s) => s.className);
    expect(sections).toEqual([
      "kiln-drift",
      "kiln-dq",
      "kiln-performance",
      "kiln-usage",
      "kiln-actions",
    ]);
    const svgs = html.match(/<svg /g)?.length ?? 0;
    // 3 drift features + 2 performance metrics + 2 usage charts.
    expect(svgs).toBe(7);
    expect(document.querySelectorAll("svg")).toHaveLength(svgs);
    for (const svg of document.querySelectorAll("svg")) {
      expect(svg.closest("section")).not.toBeNull();
    }
    expect(report!.querySelector(":scope > footer")).not.toBeNull();
  });

  it("heads the report with the endpoint, model and a status per section", () => {
    const header = document.querySelector("header")!.textContent!;
    expect(header).toContain("Monitoring report: wafer-quality");
    expect(header).toContain("wafer-model v3");
    expect(header).toContain("wafer v7");
    expect(header).toContain("last 500 rows");
    expect(header).toContain("DRIFT 66.7%");
    expect(header).toContain("FAIL 75%");
    expect(header).toContain("1 ALERTED CHUNK");
  });
});

describe("the drift section", () => {
  const section = () => fixtureSection("drift");

  it("shows the dataset verdict and each feature's test, drifted features first", () => {
    expect(section().textContent).toContain("DATASET DRIFT");
    expect(section().textContent).toContain("2 of 3 (66.7%)");
    const cards = [...section().querySelectorAll(".card.feature")];
    expect(cards.map((card) => card.querySelector("h3")!.textContent!.trim())).toEqual([
      "temperature DRIFTED",
      "zone DRIFTED",
      "pressure OK",
    ]);
    const [temperature, zone] = cards.map((card) => card.textContent!);
    expect(temperature).toContain("p-value 0.003123");
    expect(temperature).toContain("threshold 0.05");
    expect(temperature).toContain("ks");
    expect(zone).toContain("distance 0.25");
    expect(zone).toContain("psi");
    expect(zone).toContain("categorical (declared)");
    expect(zone).toContain("(+3 missing)");
  });

  it("plots one chart per feature, with both samples as shares", () => {
    const cards = [...section().querySelectorAll(".card.feature")];
    for (const card of cards) expect(card.querySelectorAll("svg")).toHaveLength(1);
    const temperature = cards[0]!;
    // 3 bins per sample, none empty.
    expect(temperature.querySelectorAll("svg .bars rect")).toHaveLength(6);
    expect(temperature.querySelector("svg .bars rect title")!.textContent).toBe("[20, 30): 10%");
    const zone = cards[1]!;
    expect(zone.querySelectorAll("svg .bars rect")).toHaveLength(4);
    expect(zone.querySelector("svg .x-axis")!.textContent).toContain("north");
    expect(zone.querySelector("svg .legend")!.textContent).toBe("referencecurrent");
  });

  it("says so when a feature has no distribution", () => {
    const withoutPlots = { ...fixture, drift: { ...fixture.drift, distributions: undefined } };
    const html = renderReportFragment(withoutPlots as MonitoringReportData);
    expect(html.match(/<svg /g)?.length ?? 0).toBe(4);
    expect(html).toContain("No distribution was sent for this feature.");
  });
});

describe("the data-quality section", () => {
  const section = () => fixtureSection("dq");

  it("shows a score per dimension, null as not checked", () => {
    const dimensions = [...section().querySelectorAll(".dim")].map((dim) => [
      dim.querySelector(".dim-name")!.textContent,
      dim.querySelector(".score")!.textContent,
    ]);
    expect(dimensions).toEqual([
      ["completeness", "100%"],
      ["validity", "50%"],
      ["uniqueness", "–"],
      ["consistency", "–"],
      ["timeliness", "100%"],
      ["accuracy", "–"],
    ]);
    expect(section().querySelectorAll(".dim-neutral")).toHaveLength(3);
    expect(section().textContent).toContain("not checked");
    expect(section().textContent).toContain("FAIL");
    expect(section().textContent).toContain("3 of 4 met");
  });

  it("lists expectations, failed first, with observed value, unexpected count and examples", () => {
    const rows = [...section().querySelectorAll("tbody tr")].map((row) =>
      [...row.querySelectorAll("td")].map((cell) => cell.textContent!.trim()),
    );
    expect(rows.map((row) => row[0])).toEqual([
      "in_range(temperature)plausible furnace temperature",
      "not_null(temperature)",
      "in_set(zone)",
      "freshness(ts)",
    ]);
    const [inRange, , , freshness] = rows;
    expect(inRange![3]).toContain("96.8%");
    expect(inRange![3]).toContain("min -3, max 120");
    expect(inRange![4]).toBe("16 (3.2%)");
    expect(inRange![5]).toContain("row 12: 105.5");
    expect(inRange![5]).toContain("row 41: 99.25");
    expect(inRange![5]).not.toContain("row 77");
    expect(inRange![6]).toBe("FAIL");
    expect(freshness![3]).toBe("1.5 h old");
    expect(freshness![4]).toBe("–");
  });
});

describe("the performance section", () => {
  const section = () => fixtureSection("performance");

  it("plots each metric over the chunks with its band and alert points", () => {
    const cards = [...section().querySelectorAll(".card.metric")];
    expect(cards.map((card) => card.querySelector("h3")!.textContent)).toEqual(["mae", "rmse"]);
    const [mae, rmse] = cards;
    expect(mae!.querySelectorAll("svg")).toHaveLength(1);
    expect(mae!.querySelectorAll("rect.band")).toHaveLength(1);
    // mae is missing in the last chunk: 3 points, the third alerting (named and out of band).
    expect(mae!.querySelectorAll("circle.point")).toHaveLength(3);
    expect(mae!.querySelectorAll("circle.alert")).toHaveLength(1);
    expect(mae!.querySelector("circle.alert title")!.textContent).toBe(
      "2024-05-03 mae: 2.9 (alert)",
    );
    expect(mae!.textContent).toContain("latest 2.9");
    expect(rmse!.querySelectorAll("circle.point")).toHaveLength(4);
    expect(rmse!.querySelectorAll("circle.alert")).toHaveLength(0);
    expect(rmse!.querySelector(".x-axis")!.textContent).toContain("2024-05-01");
  });
});

describe("the usage section", () => {
  const section = () => fixtureSection("usage");

  it("stacks requests by version, plots the rates and tabulates latency, newest first", () => {
    const [requests, rates] = [...section().querySelectorAll("svg")];
    expect(requests!.querySelector(".legend")!.textContent).toBe("version 2version 3");
    expect(requests!.querySelectorAll(".bars rect")).toHaveLength(3);
    expect(rates!.querySelector(".legend")!.textContent).toBe("fallback rateerror rate");
    expect(section().textContent).toContain("requests 2,700");
    const rows = [...section().querySelectorAll("tbody tr")].map((row) =>
      [...row.querySelectorAll("td")].map((cell) => cell.textContent!.trim()),
    );
    expect(rows).toEqual([
      ["2024-05-06", "1,500", "6,000", "0 0%", "0 0%", "4 ms", "16 ms", "40 ms"],
      ["2024-05-05", "1,200", "4,800", "12 1%", "48 1%", "4.2 ms", "18 ms", "1.3 s"],
    ]);
  });
});

describe("the actions section", () => {
  const section = () => fixtureSection("actions");

  it("lists actions newest first, with a retraining's decision and scores", () => {
    const rows = [...section().querySelectorAll("tbody tr")].map((row) =>
      [...row.querySelectorAll("td")].map((cell) => cell.textContent!.trim()),
    );
    expect(rows.map((row) => row[1])).toEqual(["retrain", "alert", "check"]);
    expect(rows[0]![0]).toBe("2024-05-07 03:00 UTC");
    expect(rows[0]![3]).toContain("kept-champion");
    expect(rows[0]![3]).toContain("mae: champion 1.21, candidate 1.35");
    expect(rows[0]![3]).toContain("runId: run-42");
  });
});

describe("sections left out or unavailable", () => {
  const base = {
    endpoint: "bare",
    model: { name: "m", version: "1" },
    generatedAt: "2024-05-07T12:00:00.000Z",
  };

  const cases: { name: string; data: MonitoringReportData; sections: string[]; notes: string[] }[] =
    [
      { name: "no sections at all", data: base, sections: [], notes: [] },
      {
        name: "sections the server could not produce",
        data: {
          ...base,
          drift: { unavailable: "no predictions logged yet" },
          performance: { unavailable: "no labels received yet" },
          actions: { unavailable: "no policy" },
        },
        sections: ["kiln-drift", "kiln-performance", "kiln-actions"],
        notes: [
          "Not available: no predictions logged yet",
          "Not available: no labels received yet",
          "Not available: no policy",
        ],
      },
      {
        name: "empty sections",
        data: {
          ...base,
          usage: { days: [] },
          actions: [],
          performance: { task: "regression", chunks: [] },
        },
        sections: ["kiln-performance", "kiln-usage", "kiln-actions"],
        notes: ["No measured chunks yet.", "No traffic yet.", "No actions recorded yet."],
      },
    ];

  it.each(cases)("$name", ({ data, sections, notes }) => {
    const document = parse(renderReport(data));
    const shown = [...document.querySelectorAll("section")].map((s) => s.className);
    expect(shown).toEqual(sections);
    expect([...document.querySelectorAll("section .note")].map((n) => n.textContent)).toEqual(
      notes,
    );
    expect(document.querySelectorAll("svg")).toHaveLength(0);
  });
});

describe("escaping", () => {
  const evil = `<script>alert("x")</script>`;
  const data: MonitoringReportData = {
    ...fixture,
    endpoint: `ep<img src=x onerror=alert(1)>`,
    drift: {
      ...fixture.drift,
      features: { [evil]: feature({ drifted: true }) },
      distributions: {
        [evil]: { categories: [evil, "b"], reference: [1, 2], current: [2, 1] },
      },
    } as MonitoringReportData["drift"],
    performance: { unavailable: evil },
    actions: [{ at: "now", kind: evil, reason: evil, details: { error: evil, [evil]: evil } }],
  };
  const html = renderReport(data);

  it("turns every string from the data into text", () => {
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    const document = parse(html);
    expect(document.querySelectorAll("script, img")).toHaveLength(0);
    expect(document.querySelector(".card.feature h3")!.textContent).toContain(evil);
    expect(document.title).toBe("Monitoring report: ep<img src=x onerror=alert(1)>");
  });
});

describe("renderReportFragment", () => {
  it("is one div with its own scoped styles", () => {
    const html = renderReportFragment(fixture);
    expect(html.startsWith('<div class="kiln-report"><style>')).toBe(true);
    expect(html.endsWith("</div>")).toBe(true);
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    for (const rule of css.split("\n")) expect(rule.startsWith("div.kiln-report")).toBe(true);
  });

  it("refuses something that is not report data, saying what it expects", () => {
    expect(() => renderReportFragment(null as unknown as MonitoringReportData)).toThrow(
      /expects a MonitoringReportData object/,
    );
  });
});
