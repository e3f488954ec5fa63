import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { listEndpoints, rollbackEndpoint, type ServedEndpoint } from "../api/endpoints-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { EndpointsModel, type EndpointsState } from "./endpoints-model";

vi.mock("../api/endpoints-api", () => ({ listEndpoints: vi.fn(), rollbackEndpoint: vi.fn() }));
const list = vi.mocked(listEndpoints);
const rollback = vi.mocked(rollbackEndpoint);

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const since = "2025-06-01T10:00:00.000Z";
const endpoint = (predictions: number, fallbackPredictions = 0): ServedEndpoint => ({
  name: "drill",
  current: { model: "drill-anomaly", version: "2", promotedAt: since },
  previous: { model: "drill-anomaly", version: "1", promotedAt: since },
  serving: true,
  inputs: [],
  fallback: null,
  usage: { predictions, fallbackPredictions, since },
});
const forbidden = new KilnServerError(
  "bad-response",
  "This endpoint runs code or changes deployments, so it needs the admin key; a predict key was sent.",
  "Use the admin key.",
  { serverUrl: settings.serverUrl, code: "FORBIDDEN" },
);
const loaded = (model: EndpointsModel) =>
  (model.state as Extract<EndpointsState, { status: "loaded" }>).endpoints;

describe("EndpointsModel", () => {
  let clock: number;
  let endpoints: EndpointsModel;
  beforeEach(() => {
    list.mockReset();
    rollback.mockReset();
    clock = 0;
    endpoints = new EndpointsModel({ pollIntervalMs: 60_000, now: () => clock });
  });
  afterEach(() => endpoints.dispose());

  it("lists the endpoints once it knows the server", async () => {
    list.mockResolvedValue([endpoint(0)]);
    expect(endpoints.state).toEqual({ status: "unconfigured" });
    endpoints.configure(settings);
    expect(endpoints.state).toEqual({ status: "loading" });
    await vi.waitFor(() => expect(endpoints.state.status).toBe("loaded"));
    expect(loaded(endpoints)).toEqual([
      { ...endpoint(0), rates: { perMinute: null, fallbackShare: null }, rollback: null },
    ]);
  });

  it("turns the counts of two lists into a rate per minute and a fallback share", async () => {
    list.mockResolvedValueOnce([endpoint(100)]).mockResolvedValueOnce([endpoint(160, 6)]);
    endpoints.configure(settings);
    await vi.waitFor(() => expect(endpoints.state.status).toBe("loaded"));
    clock = 30_000;
    await endpoints.refresh();
    expect(loaded(endpoints)[0]!.rates).toEqual({ perMinute: 120, fallbackShare: 0.1 });
  });

  it("keeps the last rates when asked again too soon for a meaningful one", async () => {
    list
      .mockResolvedValueOnce([endpoint(100)])
      .mockResolvedValueOnce([endpoint(160)])
      .mockResolvedValueOnce([endpoint(161)]);
    endpoints.configure(settings);
    await vi.waitFor(() => expect(endpoints.state.status).toBe("loaded"));
    clock = 30_000;
    await endpoints.refresh();
    clock = 31_000;
    await endpoints.refresh();
    expect(loaded(endpoints)[0]!).toMatchObject({
      usage: { predictions: 161 },
      rates: { perMinute: 120 },
    });
  });

  it("says why it cannot list, e.g. a predict key where the admin key is needed", async () => {
    list.mockRejectedValue(forbidden);
    endpoints.configure(settings);
    await vi.waitFor(() => expect(endpoints.state).toEqual({ status: "failed", error: forbidden }));
  });

  it("rolls back, showing it meanwhile, then lists the endpoints again", async () => {
    list.mockResolvedValue([endpoint(0)]);
    endpoints.configure(settings);
    await vi.waitFor(() => expect(endpoints.state.status).toBe("loaded"));
    let finish: () => void = () => undefined;
    rollback.mockImplementation(
      () => new Promise((resolve) => (finish = () => resolve({} as never))),
    );
    const rolling = endpoints.rollback("drill");
    expect(loaded(endpoints)[0]!.rollback).toEqual({ status: "rolling-back" });
    list.mockResolvedValue([{ ...endpoint(0), current: endpoint(0).previous! }]);
    finish();
    await rolling;
    expect(rollback).toHaveBeenCalledWith(settings, "drill");
    expect(loaded(endpoints)[0]).toMatchObject({ current: { version: "1" }, rollback: null });
  });

  it("shows a failed rollback on its endpoint, with the server's message", async () => {
    list.mockResolvedValue([endpoint(0)]);
    endpoints.configure(settings);
    await vi.waitFor(() => expect(endpoints.state.status).toBe("loaded"));
    const nothing = new KilnServerError(
      "bad-response",
      'Endpoint "drill" has served only drill-anomaly v2.',
      "Promote another version first.",
      { serverUrl: settings.serverUrl, code: "NOTHING_TO_ROLL_BACK" },
    );
    rollback.mockRejectedValue(nothing);
    await endpoints.rollback("drill");
    expect(loaded(endpoints)[0]!.rollback).toEqual({ status: "failed", error: nothing });
  });

  it("polls quietly: the list stays while the next one is on its way", async () => {
    vi.useFakeTimers();
    const polling = new EndpointsModel({ pollIntervalMs: 1_000 });
    try {
      list.mockResolvedValue([endpoint(0)]);
      polling.configure(settings);
      await vi.waitFor(() => expect(polling.state.status).toBe("loaded"));
      const states: string[] = [];
      polling.changed.connect(() => states.push(polling.state.status));
      await vi.advanceTimersByTimeAsync(1_000);
      expect(states).toEqual(["loaded"]);
      polling.dispose();
      await vi.advanceTimersByTimeAsync(5_000);
      expect(list).toHaveBeenCalledTimes(2);
    } finally {
      polling.dispose();
      vi.useRealTimers();
    }
  });
});
