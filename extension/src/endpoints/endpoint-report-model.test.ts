import { beforeEach, describe, expect, it, vi } from "vitest";
import { getEndpointReport } from "../api/endpoints-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { EndpointReportModel } from "./endpoint-report-model";

vi.mock("../api/endpoints-api", () => ({ getEndpointReport: vi.fn() }));
const get = vi.mocked(getEndpointReport);

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const page = (title: string) => `<!doctype html><h1>${title}</h1>`;
const notFound = new KilnServerError(
  "bad-response",
  'No endpoint "drill".',
  "List endpoints with GET /api/endpoints; promote a model to create one.",
  { serverUrl: settings.serverUrl, code: "ENDPOINT_NOT_FOUND" },
);

describe("EndpointReportModel", () => {
  beforeEach(() => get.mockReset());

  it("waits for the settings, then fetches the endpoint's report with them", async () => {
    const report = new EndpointReportModel("drill");
    expect(report.state).toEqual({ status: "unconfigured" });
    await report.refresh();
    expect(get).not.toHaveBeenCalled();
    get.mockResolvedValue(page("one"));
    report.configure(settings);
    expect(report.state).toEqual({ status: "loading", html: null });
    await vi.waitFor(() => expect(report.state).toEqual({ status: "loaded", html: page("one") }));
    expect(get).toHaveBeenCalledWith(settings, "drill");
  });

  it("keeps the report shown while a refresh fetches the next one", async () => {
    const report = new EndpointReportModel("drill");
    get.mockResolvedValueOnce(page("one")).mockResolvedValueOnce(page("two"));
    report.configure(settings);
    await vi.waitFor(() => expect(report.state.status).toBe("loaded"));
    const refreshed = report.refresh();
    expect(report.state).toEqual({ status: "loading", html: page("one") });
    await refreshed;
    expect(report.state).toEqual({ status: "loaded", html: page("two") });
  });

  it("holds the server's error, and recovers on the next refresh", async () => {
    const report = new EndpointReportModel("drill");
    get.mockRejectedValueOnce(notFound).mockResolvedValueOnce(page("one"));
    report.configure(settings);
    await vi.waitFor(() => expect(report.state).toEqual({ status: "failed", error: notFound }));
    await report.refresh();
    expect(report.state).toEqual({ status: "loaded", html: page("one") });
  });

  it("shows the latest request's answer, whichever comes first", async () => {
    const report = new EndpointReportModel("drill");
    let answerFirst: (html: string) => void = () => undefined;
    get
      .mockReturnValueOnce(new Promise((resolve) => (answerFirst = resolve)))
      .mockResolvedValueOnce(page("second"));
    report.configure(settings);
    await report.refresh();
    answerFirst(page("first"));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(report.state).toEqual({ status: "loaded", html: page("second") });
  });

  it("stops telling and fetching once disposed", async () => {
    const report = new EndpointReportModel("drill");
    const changed = vi.fn();
    report.changed.connect(changed);
    report.dispose();
    report.configure(settings);
    expect(get).not.toHaveBeenCalled();
    expect(changed).not.toHaveBeenCalled();
    expect(report.isDisposed).toBe(true);
  });
});
