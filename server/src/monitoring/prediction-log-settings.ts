import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** The environment variable of the server-wide sample rate. */
export const SAMPLE_RATE_ENV = "KILN_PREDICTION_LOG_SAMPLE_RATE";

/**
 * A sample rate that is not a number from 0 to 1 (an option, the environment, a request body or
 * the settings file).
 *
 * @example
 * throw new SampleRateError("KILN_PREDICTION_LOG_SAMPLE_RATE", "all");
 */
export class SampleRateError extends Error {
  override name = "SampleRateError";

  constructor(
    readonly source: string,
    readonly value: unknown,
  ) {
    super(
      `${source} is ${JSON.stringify(value) ?? String(value)}, not a sample rate: give a number from 0 (log no rows) to 1 (log every request's rows), e.g. 0.1 for one request in ten.`,
    );
  }
}

/** Options of `PredictionLogSettings`. */
export type PredictionLogSettingsOptions = {
  /** Where rates set through the API are kept across restarts (`<stateDir>/prediction-log.json`). */
  file?: string;
  /** The server-wide rate; default `$KILN_PREDICTION_LOG_SAMPLE_RATE`, else 1. */
  sampleRate?: number;
  /** Per-endpoint rates at start; rates set through the API (the file) win over them. */
  sampleRates?: Record<string, number>;
  env?: NodeJS.ProcessEnv;
};

/** An endpoint's rate and where it comes from. */
export type SampleRateSetting = { sampleRate: number; source: "endpoint" | "server" };

type SettingsFile = { endpoints: Record<string, { sampleRate: number }> };

/**
 * Sample rates of the prediction log: the share of requests whose rows are logged, per endpoint,
 * else server-wide. Whole requests are sampled. Rates set with `set` are kept in `file`.
 *
 * @example
 * const settings = new PredictionLogSettings({ file: ".kiln/prediction-log.json", sampleRate: 1 });
 * settings.set("drill", 0.1);
 * settings.sampleRate("drill"); // 0.1
 * settings.sampleRate("churn"); // 1
 */
export class PredictionLogSettings {
  readonly #file: string | undefined;
  readonly #serverRate: number;
  readonly #rates = new Map<string, number>();

  /** @throws SampleRateError for a rate that is not a number from 0 to 1. */
  constructor(options: PredictionLogSettingsOptions = {}) {
    const env = options.env ?? process.env;
    this.#file = options.file;
    const fromEnv = env[SAMPLE_RATE_ENV];
    this.#serverRate =
      options.sampleRate !== undefined
        ? checkedRate(options.sampleRate, "The prediction log's sampleRate option")
        : fromEnv !== undefined && fromEnv !== ""
          ? checkedRate(Number(fromEnv), SAMPLE_RATE_ENV, fromEnv)
          : 1;
    for (const [endpoint, rate] of Object.entries(options.sampleRates ?? {})) {
      this.#rates.set(endpoint, checkedRate(rate, `The sample rate of endpoint "${endpoint}"`));
    }
    for (const [endpoint, { sampleRate }] of Object.entries(this.#read().endpoints)) {
      this.#rates.set(endpoint, checkedRate(sampleRate, `${this.#file}: endpoint "${endpoint}"`));
    }
  }

  /** The share of `endpoint`'s requests whose rows are logged. */
  sampleRate(endpoint: string): number {
    return this.#rates.get(endpoint) ?? this.#serverRate;
  }

  describe(endpoint: string): SampleRateSetting {
    const own = this.#rates.get(endpoint);
    return own === undefined
      ? { sampleRate: this.#serverRate, source: "server" }
      : { sampleRate: own, source: "endpoint" };
  }

  /**
   * Sets `endpoint`'s rate (null: back to the server-wide rate) and keeps it in the file.
   * @throws SampleRateError for a rate that is not a number from 0 to 1.
   */
  set(endpoint: string, sampleRate: number | null): SampleRateSetting {
    if (sampleRate === null) this.#rates.delete(endpoint);
    else this.#rates.set(endpoint, checkedRate(sampleRate, '"sampleRate"'));
    if (this.#file) {
      const stored = this.#read();
      if (sampleRate === null) delete stored.endpoints[endpoint];
      else stored.endpoints[endpoint] = { sampleRate };
      mkdirSync(dirname(this.#file), { recursive: true });
      // Written aside and renamed: a crash never leaves half a file.
      writeFileSync(`${this.#file}.tmp`, `${JSON.stringify(stored, null, 2)}\n`);
      renameSync(`${this.#file}.tmp`, this.#file);
    }
    return this.describe(endpoint);
  }

  #read(): SettingsFile {
    if (!this.#file || !existsSync(this.#file)) return { endpoints: {} };
    const parsed = JSON.parse(readFileSync(this.#file, "utf8")) as Partial<SettingsFile>;
    return { endpoints: { ...parsed.endpoints } };
  }
}

function checkedRate(rate: unknown, source: string, shown: unknown = rate): number {
  if (typeof rate === "number" && rate >= 0 && rate <= 1) return rate;
  throw new SampleRateError(source, shown);
}
