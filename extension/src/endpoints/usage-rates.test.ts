import { describe, expect, it } from "vitest";
import type { EndpointUsage } from "../api/endpoints-api";
import { usageRates } from "./usage-rates";

const since = "2025-06-01T10:00:00.000Z";
const sample = (readAt: number, predictions: number, fallbackPredictions = 0, from = since) => ({
  readAt,
  usage: { predictions, fallbackPredictions, since: from } satisfies EndpointUsage,
});

describe("usageRates", () => {
  it("turns the rows counted between two lists into rows per minute and a fallback share", () => {
    expect(usageRates(sample(0, 100, 0), sample(30_000, 160, 6))).toEqual({
      perMinute: 120,
      fallbackShare: 0.1,
    });
  });

  it("has no rate from one list, but a fallback share since the server started", () => {
    expect(usageRates(undefined, sample(0, 200, 50))).toEqual({
      perMinute: null,
      fallbackShare: 0.25,
    });
  });

  it("says nothing of the fallback before the first prediction", () => {
    expect(usageRates(sample(0, 0), sample(15_000, 0))).toEqual({
      perMinute: 0,
      fallbackShare: null,
    });
  });

  it("falls back to the share since the start when no rows came in between", () => {
    expect(usageRates(sample(0, 10, 1), sample(15_000, 10, 1))).toEqual({
      perMinute: 0,
      fallbackShare: 0.1,
    });
  });

  it("measures nothing across a server restart, whose counts start from zero", () => {
    const restarted = sample(30_000, 5, 0, "2025-06-01T11:00:00.000Z");
    expect(usageRates(sample(0, 100), restarted)).toEqual({ perMinute: null, fallbackShare: 0 });
  });
});
