import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { escapeLabelValue, formatValue } from "./exposition-format";
import { MetricsRegistry } from "./metrics-registry";

const python = resolve(__dirname, "../../../.venv/bin/python");
type ParsedFamily = {
  name: string;
  type: string;
  documentation: string;
  samples: Array<{ name: string; labels: Record<string, string>; value: number | string }>;
};

/** Parses exposition text with prometheus_client's own parser (not written here). */
function parseWithPrometheusClient(text: string): ParsedFamily[] {
  const script = `
import json, math, sys
from prometheus_client.parser import text_string_to_metric_families
out = []
for family in text_string_to_metric_families(sys.stdin.read()):
    out.append({"name": family.name, "type": family.type, "documentation": family.documentation,
                "samples": [{"name": s.name, "labels": s.labels,
                             "value": s.value if math.isfinite(s.value) else str(s.value)}
                            for s in family.samples]})
print(json.dumps(out))
`;
  return JSON.parse(
    execFileSync(python, ["-c", script], { input: text, encoding: "utf8" }),
  ) as ParsedFamily[];
}

/** A strict line check of the format, used whether or not Python is available. */
function expectWellFormed(text: string): void {
  expect(text.endsWith("\n")).toBe(true);
  const labelValue = String.raw`"(?:[^"\\\n]|\\[\\"n])*"`;
  const labels = String.raw`\{(?:[a-zA-Z_][a-zA-Z0-9_]*=${labelValue})(?:,[a-zA-Z_][a-zA-Z0-9_]*=${labelValue})*\}`;
  const sample = new RegExp(
    String.raw`^[a-zA-Z_:][a-zA-Z0-9_:]*(?:${labels})? (?:[+-]Inf|NaN|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$`,
  );
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("# HELP ")) expect(line).toMatch(/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/);
    else if (line.startsWith("# TYPE "))
      expect(line).toMatch(/^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram)$/);
    else expect(line).toMatch(sample);
  }
}

describe("exposition format helpers", () => {
  it.each([
    ["plain", "plain"],
    ['say "hi"', 'say \\"hi\\"'],
    ["C:\\tmp", "C:\\\\tmp"],
    ["two\nlines", "two\\nlines"],
    ['\\"\n', '\\\\\\"\\n'],
  ])("escapes label value %j", (value, escaped) => {
    expect(escapeLabelValue(value)).toBe(escaped);
  });

  it.each([
    [1, "1"],
    [0.005, "0.005"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
    [1e-7, "1e-7"],
  ])("formats %d as %s", (value, text) => {
    expect(formatValue(value)).toBe(text);
  });
});

describe("MetricsRegistry", () => {
  it("renders counters, gauges and cumulative histogram buckets", () => {
    const registry = new MetricsRegistry();
    const jobs = registry.counter({
      name: "kiln_jobs_total",
      help: "Jobs run.",
      labelNames: ["status"],
    });
    const queued = registry.gauge({ name: "kiln_queued", help: "Queued jobs." });
    const sizes = registry.histogram({ name: "kiln_size", help: "Sizes.", buckets: [1, 5] });
    jobs.inc({ status: "done" });
    jobs.inc({ status: "done" }, 2);
    queued.set(undefined, 4);
    queued.dec();
    for (const size of [1, 3, 7]) sizes.observe(undefined, size);

    expect(registry.render()).toBe(
      [
        "# HELP kiln_jobs_total Jobs run.",
        "# TYPE kiln_jobs_total counter",
        'kiln_jobs_total{status="done"} 3',
        "# HELP kiln_queued Queued jobs.",
        "# TYPE kiln_queued gauge",
        "kiln_queued 3",
        "# HELP kiln_size Sizes.",
        "# TYPE kiln_size histogram",
        'kiln_size_bucket{le="1"} 1',
        'kiln_size_bucket{le="5"} 2',
        'kiln_size_bucket{le="+Inf"} 3',
        "kiln_size_sum 11",
        "kiln_size_count 3",
        "",
      ].join("\n"),
    );
  });

  it("reads values kept elsewhere through a gauge's collect hook", () => {
    const registry = new MetricsRegistry();
    let depth = 2;
    registry.gauge({
      name: "kiln_depth",
      help: "Depth.",
      labelNames: ["endpoint"],
      collect: (gauge) => gauge.set({ endpoint: "churn" }, depth),
    });
    expect(registry.render()).toContain('kiln_depth{endpoint="churn"} 2');
    depth = 5;
    expect(registry.render()).toContain('kiln_depth{endpoint="churn"} 5');
  });

  it.each([
    [
      "a bad metric name",
      (r: MetricsRegistry) => r.counter({ name: "1bad", help: "" }),
      /name "1bad"/,
    ],
    [
      "a bad label name",
      (r: MetricsRegistry) => r.counter({ name: "ok_total", help: "", labelNames: ["bad-name"] }),
      /Label "bad-name"/,
    ],
    [
      'a histogram label "le"',
      (r: MetricsRegistry) => r.histogram({ name: "h", help: "", labelNames: ["le"] }),
      /not "le"/,
    ],
    [
      "unsorted buckets",
      (r: MetricsRegistry) => r.histogram({ name: "h", help: "", buckets: [1, 0.5] }),
      /strictly ascending/,
    ],
    [
      "a metric declared twice",
      (r: MetricsRegistry) => {
        r.histogram({ name: "h", help: "" });
        r.counter({ name: "h_count", help: "" });
      },
      /already registered/,
    ],
    [
      "a missing label",
      (r: MetricsRegistry) =>
        r.counter({ name: "c_total", help: "", labelNames: ["a", "b"] }).inc({ a: "x" } as never),
      /needs label "b"/,
    ],
    [
      "an unknown label",
      (r: MetricsRegistry) =>
        r.counter({ name: "c_total", help: "", labelNames: ["a"] }).inc({ a: "x", z: 1 } as never),
      /no label "z"/,
    ],
    [
      "a negative counter increment",
      (r: MetricsRegistry) => r.counter({ name: "c_total", help: "" }).inc(undefined, -1),
      /can only grow/,
    ],
  ])("refuses %s with a TypeError", (_, misuse, message) => {
    expect(() => misuse(new MetricsRegistry())).toThrow(TypeError);
    expect(() => misuse(new MetricsRegistry())).toThrow(message);
  });

  it("renders text that prometheus_client's parser reads back exactly", () => {
    const registry = new MetricsRegistry();
    const requests = registry.counter({
      name: "kiln_http_requests_total",
      help: 'Requests, with a "quote", a back\\slash and a\nline feed.',
      labelNames: ["route", "status"],
    });
    const latency = registry.histogram({
      name: "kiln_latency_seconds",
      help: "Latency.",
      labelNames: ["endpoint"],
      buckets: [0.01, 0.1, 1],
    });
    const tricky = 'a "quoted" \\ path\nwith a line feed';
    requests.inc({ route: tricky, status: 200 }, 3);
    requests.inc({ route: "/health", status: 404 });
    latency.observe({ endpoint: "churn" }, 0.05);
    latency.observe({ endpoint: "churn" }, 2);
    const text = registry.render();
    expectWellFormed(text);

    const families = parseWithPrometheusClient(text);
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ["kiln_http_requests", "counter"],
      ["kiln_latency_seconds", "histogram"],
    ]);
    expect(families[0]?.documentation).toBe(
      'Requests, with a "quote", a back\\slash and a\nline feed.',
    );
    expect(families[0]?.samples).toEqual([
      { name: "kiln_http_requests_total", labels: { route: tricky, status: "200" }, value: 3 },
      { name: "kiln_http_requests_total", labels: { route: "/health", status: "404" }, value: 1 },
    ]);
    expect(families[1]?.samples).toEqual([
      { name: "kiln_latency_seconds_bucket", labels: { endpoint: "churn", le: "0.01" }, value: 0 },
      { name: "kiln_latency_seconds_bucket", labels: { endpoint: "churn", le: "0.1" }, value: 1 },
      { name: "kiln_latency_seconds_bucket", labels: { endpoint: "churn", le: "1" }, value: 1 },
      { name: "kiln_latency_seconds_bucket", labels: { endpoint: "churn", le: "+Inf" }, value: 2 },
      { name: "kiln_latency_seconds_sum", labels: { endpoint: "churn" }, value: 2.05 },
      { name: "kiln_latency_seconds_count", labels: { endpoint: "churn" }, value: 2 },
    ]);
  });
});
