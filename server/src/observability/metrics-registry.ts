import {
  checkLabelName,
  checkMetricName,
  escapeHelp,
  formatLabels,
  formatValue,
} from "./exposition-format";

/** Label values of one series: every label name of the metric, and no other. */
export type Labels<L extends string> = Readonly<Record<L, string | number | boolean>>;

/** What every metric is declared with. */
export type MetricOptions<L extends string> = {
  /** e.g. `kiln_http_requests_total`; counters should end in `_total`. */
  name: string;
  /** One line for `# HELP`. */
  help: string;
  labelNames?: readonly L[];
};

/** A histogram's declaration; `buckets` are upper bounds, ascending (`+Inf` is added). */
export type HistogramOptions<L extends string> = MetricOptions<L> & { buckets?: readonly number[] };

/** A gauge's declaration; `collect` runs before every render, to read values kept elsewhere. */
export type GaugeOptions<L extends string> = MetricOptions<L> & {
  collect?: (gauge: Gauge<L>) => void;
};

/** Prometheus' default buckets, in seconds: right for request latencies. */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

type Series<S> = { labels: Array<readonly [string, string]>; state: S };

abstract class Metric<L extends string, S> {
  abstract readonly type: "counter" | "gauge" | "histogram";
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly #series = new Map<string, Series<S>>();

  constructor(options: MetricOptions<L>, reservedLabels: readonly string[] = []) {
    checkMetricName(options.name);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = [...(options.labelNames ?? [])];
    for (const label of this.labelNames) checkLabelName(this.name, label, reservedLabels);
    if (new Set(this.labelNames).size !== this.labelNames.length) {
      throw new TypeError(
        `Metric "${this.name}" declares a label twice: ${this.labelNames.join(", ")}.`,
      );
    }
  }

  protected abstract initialState(): S;

  /** The series of `labels`, created on first use. */
  protected series(labels: Labels<L> | undefined): S {
    const given = (labels ?? {}) as Record<string, string | number | boolean>;
    const pairs = this.labelNames.map((name) => {
      const value = given[name];
      if (value === undefined) {
        throw new TypeError(
          `Metric "${this.name}" needs label "${name}"; it has labels ${this.labelNames.join(", ")}.`,
        );
      }
      return [name, String(value)] as const;
    });
    const unknown = Object.keys(given).filter((name) => !this.labelNames.includes(name as L));
    if (unknown.length > 0) {
      throw new TypeError(
        `Metric "${this.name}" has no label ${unknown.map((n) => `"${n}"`).join(", ")}; its labels are: ${this.labelNames.join(", ") || "(none)"}.`,
      );
    }
    const key = JSON.stringify(pairs.map(([, value]) => value));
    let series = this.#series.get(key);
    if (!series) {
      series = { labels: pairs, state: this.initialState() };
      this.#series.set(key, series);
    }
    return series.state;
  }

  /** Forgets every series (e.g. before a gauge's `collect` sets the current ones). */
  reset(): void {
    this.#series.clear();
    if (this.labelNames.length === 0) this.series(undefined);
  }

  /** The `# HELP`, `# TYPE` and sample lines of this metric. */
  render(): string[] {
    const lines = [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} ${this.type}`,
    ];
    for (const { labels, state } of this.#series.values())
      lines.push(...this.samples(labels, state));
    return lines;
  }

  protected abstract samples(labels: Array<readonly [string, string]>, state: S): string[];
}

/**
 * A value that only goes up (requests served, predictions made).
 *
 * @example
 * const requests = registry.counter({ name: "kiln_http_requests_total", help: "HTTP requests.", labelNames: ["method"] });
 * requests.inc({ method: "GET" });
 */
export class Counter<L extends string = never> extends Metric<L, { value: number }> {
  readonly type = "counter";

  constructor(options: MetricOptions<L>) {
    super(options);
    this.reset();
  }

  protected initialState(): { value: number } {
    return { value: 0 };
  }

  /** Adds `by` (default 1) to the series of `labels`. @throws TypeError for a negative `by`. */
  inc(labels?: Labels<L>, by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) {
      throw new TypeError(`Counter "${this.name}" can only grow; got an increment of ${by}.`);
    }
    this.series(labels).value += by;
  }

  /** The current value of the series of `labels` (0 when it was never incremented). */
  get(labels?: Labels<L>): number {
    return this.series(labels).value;
  }

  protected samples(labels: Array<readonly [string, string]>, state: { value: number }): string[] {
    return [`${this.name}${formatLabels(labels)} ${formatValue(state.value)}`];
  }
}

/**
 * A value that goes up and down (queue depth, models served).
 *
 * @example
 * const served = registry.gauge({ name: "kiln_endpoints", help: "Serving endpoints.", collect: (g) => g.set(undefined, registry.list().length) });
 */
export class Gauge<L extends string = never> extends Metric<L, { value: number }> {
  readonly type = "gauge";
  readonly #collect: ((gauge: Gauge<L>) => void) | undefined;

  constructor(options: GaugeOptions<L>) {
    super(options);
    this.#collect = options.collect;
    this.reset();
  }

  protected initialState(): { value: number } {
    return { value: 0 };
  }

  set(labels: Labels<L> | undefined, value: number): void {
    this.series(labels).value = value;
  }

  inc(labels?: Labels<L>, by = 1): void {
    this.series(labels).value += by;
  }

  dec(labels?: Labels<L>, by = 1): void {
    this.series(labels).value -= by;
  }

  get(labels?: Labels<L>): number {
    return this.series(labels).value;
  }

  override render(): string[] {
    this.#collect?.(this);
    return super.render();
  }

  protected samples(labels: Array<readonly [string, string]>, state: { value: number }): string[] {
    return [`${this.name}${formatLabels(labels)} ${formatValue(state.value)}`];
  }
}

type HistogramState = { bucketCounts: number[]; sum: number; count: number };

/**
 * Observations counted into fixed buckets, rendered as cumulative `_bucket{le}` series with
 * `_sum` and `_count`.
 *
 * @example
 * const latency = registry.histogram({ name: "kiln_prediction_latency_seconds", help: "…", labelNames: ["endpoint"] });
 * latency.observe({ endpoint: "churn" }, 0.012);
 */
export class Histogram<L extends string = never> extends Metric<L, HistogramState> {
  readonly type = "histogram";
  readonly buckets: readonly number[];

  constructor(options: HistogramOptions<L>) {
    super(options, ["le"]);
    const buckets = [...(options.buckets ?? DEFAULT_LATENCY_BUCKETS)];
    if (buckets.at(-1) === Infinity) buckets.pop();
    if (
      buckets.length === 0 ||
      buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (buckets[i - 1] ?? -Infinity)))
    ) {
      throw new TypeError(
        `Histogram "${this.name}" needs finite buckets in strictly ascending order (e.g. [0.01, 0.1, 1]); got [${options.buckets?.join(", ")}].`,
      );
    }
    this.buckets = buckets;
    this.reset();
  }

  protected initialState(): HistogramState {
    return { bucketCounts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }

  /** Counts `value` into the series of `labels`. @throws TypeError for NaN. */
  observe(labels: Labels<L> | undefined, value: number): void {
    if (Number.isNaN(value)) throw new TypeError(`Histogram "${this.name}" cannot observe NaN.`);
    const state = this.series(labels);
    // Counts are kept per bucket and made cumulative when rendered.
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) state.bucketCounts[index] = (state.bucketCounts[index] ?? 0) + 1;
    state.sum += value;
    state.count += 1;
  }

  /** Count and sum of the series of `labels`. */
  get(labels?: Labels<L>): { count: number; sum: number } {
    const { count, sum } = this.series(labels);
    return { count, sum };
  }

  protected samples(labels: Array<readonly [string, string]>, state: HistogramState): string[] {
    const lines: string[] = [];
    let cumulative = 0;
    this.buckets.forEach((bound, i) => {
      cumulative += state.bucketCounts[i] ?? 0;
      lines.push(
        `${this.name}_bucket${formatLabels([...labels, ["le", formatValue(bound)]])} ${cumulative}`,
      );
    });
    lines.push(`${this.name}_bucket${formatLabels([...labels, ["le", "+Inf"]])} ${state.count}`);
    lines.push(`${this.name}_sum${formatLabels(labels)} ${formatValue(state.sum)}`);
    lines.push(`${this.name}_count${formatLabels(labels)} ${state.count}`);
    return lines;
  }
}

/** What the registry needs of a metric. */
type RegisteredMetric = {
  readonly type: "counter" | "gauge" | "histogram";
  readonly name: string;
  render(): string[];
};

/**
 * The metrics of one process, rendered together for `GET /metrics`. No dependencies, no global
 * state: create one per app (tests get their own).
 *
 * @example
 * const registry = new MetricsRegistry();
 * const jobs = registry.counter({ name: "kiln_jobs_total", help: "Jobs run.", labelNames: ["status"] });
 * jobs.inc({ status: "done" });
 * registry.render(); // "# HELP kiln_jobs_total Jobs run.\n# TYPE kiln_jobs_total counter\n..."
 */
export class MetricsRegistry {
  readonly #metrics = new Map<string, RegisteredMetric>();

  counter<L extends string = never>(options: MetricOptions<L>): Counter<L> {
    return this.#add(new Counter<L>(options));
  }

  gauge<L extends string = never>(options: GaugeOptions<L>): Gauge<L> {
    return this.#add(new Gauge<L>(options));
  }

  histogram<L extends string = never>(options: HistogramOptions<L>): Histogram<L> {
    return this.#add(new Histogram<L>(options));
  }

  /** Every metric in the text exposition format 0.0.4, in the order they were declared. */
  render(): string {
    const lines = [...this.#metrics.values()].flatMap((metric) => metric.render());
    return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
  }

  #add<M extends RegisteredMetric>(metric: M): M {
    const names =
      metric.type === "histogram"
        ? [metric.name, `${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`]
        : [metric.name];
    for (const name of names) {
      if (this.#metrics.has(name) || this.#taken(name)) {
        throw new TypeError(
          `A metric named "${name}" is already registered; declare each metric once and share it.`,
        );
      }
    }
    this.#metrics.set(metric.name, metric);
    return metric;
  }

  #taken(name: string): boolean {
    return [...this.#metrics.values()].some(
      (metric) =>
        metric.type === "histogram" &&
        [`${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`].includes(name),
    );
  }
}
