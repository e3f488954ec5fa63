// @vitest-environment happy-dom
import { Widget } from "@lumino/widgets";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { listEndpoints, rollbackEndpoint, type ServedEndpoint } from "../api/endpoints-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { EndpointsModel } from "./endpoints-model";
import { EndpointsSection } from "./EndpointsSection";

vi.mock("../api/endpoints-api", () => ({ listEndpoints: vi.fn(), rollbackEndpoint: vi.fn() }));
const list = vi.mocked(listEndpoints);

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const since = "2025-06-01T10:00:00.000Z";
const drill: ServedEndpoint = {
  name: "drill",
  current: { model: "drill-anomaly", version: "2", promotedAt: since },
  previous: { model: "drill-anomaly", version: "1", promotedAt: since },
  pipeline: { name: "drill", version: "v2" },
  serving: true,
  inputs: [],
  fallback: { features: ["vibration", "temperature"] },
  usage: { predictions: 100, fallbackPredictions: 5, since },
};

describe("EndpointsSection", () => {
  let clock: number;
  let endpoints: EndpointsModel;
  let confirmRollback: ReturnType<typeof vi.fn<(endpoint: ServedEndpoint) => Promise<boolean>>>;
  let openReport: ReturnType<typeof vi.fn<(endpoint: ServedEndpoint) => void>>;
  let section: EndpointsSection;
  const fact = (key: string) =>
    [...section.node.querySelectorAll(`.jp-KilnEndpoints-${key}`)].map((n) => n.textContent);

  beforeEach(() => {
    vi.clearAllMocks();
    list.mockReset();
    clock = 0;
    endpoints = new EndpointsModel({ pollIntervalMs: 60_000, now: () => clock });
    confirmRollback = vi.fn(async () => true);
    openReport = vi.fn();
    section = new EndpointsSection({ endpoints, confirmRollback, openReport });
    Widget.attach(section, document.body);
  });
  afterEach(() => {
    section.dispose();
    endpoints.dispose();
  });

  it("shows each endpoint's versions, pipeline, fallback and drift, said plainly", async () => {
    list.mockResolvedValue([drill]);
    endpoints.configure(settings);
    await vi.waitFor(() => expect(fact("name")).toEqual(["drill"]));
    expect(fact("serving")).toEqual(["serving"]);
    expect(fact("version")).toEqual(["drill-anomaly v2"]);
    expect(fact("previous")).toEqual(["drill-anomaly v1"]);
    expect(fact("pipeline")).toEqual(["drill v2"]);
    expect(fact("fallback")).toEqual([
      "a fallback model answers rows with missing features from vibration, temperature",
    ]);
    expect(fact("drift")).toEqual(["not reported by this server"]);
  });

  it("shows what the server's monitoring says of drift", async () => {
    const at = "2025-06-01T12:00:00.000Z";
    list.mockResolvedValue([
      { ...drill, monitoring: { policy: false, lastCheck: null } },
      {
        ...drill,
        name: "press",
        monitoring: {
          policy: true,
          lastCheck: {
            at,
            rows: 500,
            drift: { share: 2 / 3, datasetDrift: true, drifted: ["vibration", "temperature"] },
            held: ["dataset_drift: 67% of features drifted"],
          },
        },
      },
    ]);
    endpoints.configure(settings);
    await vi.waitFor(() => expect(fact("name")).toEqual(["drill", "press"]));
    expect(fact("drift")).toEqual([
      "not monitored: no policy (set one with PUT /api/endpoints/drill/policy, see docs/monitoring.md)",
      `dataset drift at the last check (${new Date(at).toLocaleString()}): vibration, temperature drifted (67% of features) · held: dataset_drift: 67% of features drifted`,
    ]);
  });

  it("opens an endpoint's monitoring report on a click", async () => {
    list.mockResolvedValue([{ ...drill, monitoring: { policy: false, lastCheck: null } }]);
    endpoints.configure(settings);
    await vi.waitFor(() => expect(fact("report")).toEqual(["Report"]));
    const button = section.node.querySelector<HTMLButtonElement>(".jp-KilnEndpoints-report")!;
    expect(button.disabled).toBe(false);
    button.click();
    expect(openReport).toHaveBeenCalledWith(expect.objectContaining({ name: "drill" }));
  });

  it("offers no report from a server older than monitoring", async () => {
    list.mockResolvedValue([drill]);
    endpoints.configure(settings);
    await vi.waitFor(() => expect(fact("report")).toEqual(["Report"]));
    const button = section.node.querySelector<HTMLButtonElement>(".jp-KilnEndpoints-report")!;
    expect(button.disabled).toBe(true);
    expect(button.title).toBe(
      "This Kiln server makes no monitoring reports: update it to see them",
    );
  });

  it("shows the request rate and fallback rate between two lists", async () => {
    list
      .mockResolvedValueOnce([drill])
      .mockResolvedValueOnce([
        { ...drill, usage: { predictions: 160, fallbackPredictions: 11, since } },
      ]);
    endpoints.configure(settings);
    await vi.waitFor(() =>
      expect(fact("traffic")[0]).toMatch(/^100 predictions since .* · 5% by the fallback$/),
    );
    clock = 30_000;
    await endpoints.refresh();
    expect(fact("traffic")[0]).toMatch(
      /^120 predictions\/min · 160 predictions since .* · 10% by the fallback$/,
    );
  });

  it("says so when an endpoint has no fallback, or no traffic yet", async () => {
    list.mockResolvedValue([
      { ...drill, fallback: null, usage: { predictions: 0, fallbackPredictions: 0, since } },
    ]);
    endpoints.configure(settings);
    await vi.waitFor(() =>
      expect(fact("fallback")).toEqual(["none: a row missing a required feature is refused"]),
    );
    expect(fact("traffic")[0]).toMatch(/^no predictions since /);
  });

  it("rolls back after confirmation, to the version it names", async () => {
    list.mockResolvedValue([drill]);
    vi.mocked(rollbackEndpoint).mockResolvedValue({ ...drill, current: drill.previous! });
    endpoints.configure(settings);
    await vi.waitFor(() => expect(fact("rollback")).toEqual(["Roll back to v1"]));
    list.mockResolvedValue([{ ...drill, current: drill.previous!, previous: drill.current }]);
    section.node.querySelector<HTMLButtonElement>(".jp-KilnEndpoints-rollback")!.click();
    await vi.waitFor(() => expect(fact("version")).toEqual(["drill-anomaly v1"]));
    expect(confirmRollback).toHaveBeenCalledWith(expect.objectContaining({ name: "drill" }));
    expect(rollbackEndpoint).toHaveBeenCalledWith(settings, "drill");
  });

  it("does not roll back when the confirmation is cancelled", async () => {
    list.mockResolvedValue([drill]);
    confirmRollback.mockResolvedValue(false);
    endpoints.configure(settings);
    await vi.waitFor(() => expect(fact("rollback")).toEqual(["Roll back to v1"]));
    section.node.querySelector<HTMLButtonElement>(".jp-KilnEndpoints-rollback")!.click();
    await vi.waitFor(() => expect(confirmRollback).toHaveBeenCalled());
    expect(rollbackEndpoint).not.toHaveBeenCalled();
  });

  it("offers no rollback for an endpoint that served one version only", async () => {
    list.mockResolvedValue([{ ...drill, previous: undefined }]);
    endpoints.configure(settings);
    await vi.waitFor(() => expect(fact("previous")).toEqual(["none"]));
    expect(
      section.node.querySelector<HTMLButtonElement>(".jp-KilnEndpoints-rollback")!.disabled,
    ).toBe(true);
  });

  it("says why the endpoints cannot be listed, e.g. a bad key, and retries on a click", async () => {
    list.mockRejectedValueOnce(
      new KilnServerError(
        "bad-response",
        "This endpoint needs an API key.",
        "Set an API key (`kiln keys create --scope admin`) in Settings → Kiln.",
        {
          serverUrl: settings.serverUrl,
          code: "UNAUTHENTICATED",
        },
      ),
    );
    endpoints.configure(settings);
    await vi.waitFor(() =>
      expect(section.node.querySelector(".jp-KilnProblem")?.textContent).toBe(
        "This endpoint needs an API key: set an API key (kiln keys create --scope admin) in Settings → Kiln.",
      ),
    );
    list.mockResolvedValue([]);
    section.node.querySelector<HTMLButtonElement>(".jp-KilnEndpoints-retry")!.click();
    await vi.waitFor(() =>
      expect(section.node.textContent).toContain(
        "No endpoint yet: promote a model from the Models section.",
      ),
    );
  });
});
