import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PredictionLogSettings, SampleRateError } from "./prediction-log-settings";

let dir: string;
beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "kiln-log-settings-"))));
afterEach(() => rm(dir, { recursive: true, force: true }));

describe("PredictionLogSettings", () => {
  it("logs every request by default", () => {
    expect(new PredictionLogSettings({ env: {} }).describe("drill")).toEqual({
      sampleRate: 1,
      source: "server",
    });
  });

  it("takes the server-wide rate from the option, else the environment", () => {
    const env = { KILN_PREDICTION_LOG_SAMPLE_RATE: "0.2" };
    expect(new PredictionLogSettings({ env }).sampleRate("drill")).toBe(0.2);
    expect(new PredictionLogSettings({ env, sampleRate: 0.5 }).sampleRate("drill")).toBe(0.5);
  });

  it("keeps per-endpoint rates set through the API across restarts, over the start options", async () => {
    const file = join(dir, "prediction-log.json");
    const settings = new PredictionLogSettings({ file, env: {}, sampleRates: { drill: 0.5 } });
    expect(settings.describe("drill")).toEqual({ sampleRate: 0.5, source: "endpoint" });
    settings.set("drill", 0.1);
    settings.set("churn", 0);
    const restarted = new PredictionLogSettings({ file, env: {}, sampleRates: { drill: 0.5 } });
    expect([restarted.sampleRate("drill"), restarted.sampleRate("churn")]).toEqual([0.1, 0]);
    restarted.set("churn", null);
    expect(restarted.describe("churn")).toEqual({ sampleRate: 1, source: "server" });
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({
      endpoints: { drill: { sampleRate: 0.1 } },
    });
  });

  it.each([
    [
      { env: { KILN_PREDICTION_LOG_SAMPLE_RATE: "all" } },
      /KILN_PREDICTION_LOG_SAMPLE_RATE is "all"/,
    ],
    [{ env: {}, sampleRate: 1.5 }, /sampleRate option is 1.5/],
    [{ env: {}, sampleRates: { drill: -1 } }, /endpoint "drill" is -1/],
  ])("refuses a rate outside 0–1 and says what to give", (options, message) => {
    expect(() => new PredictionLogSettings(options)).toThrow(SampleRateError);
    expect(() => new PredictionLogSettings(options)).toThrow(message);
    expect(() => new PredictionLogSettings(options)).toThrow(/number from 0 .* to 1/);
  });
});
