// @vitest-environment happy-dom
import { Widget } from "@lumino/widgets";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getEndpointReport } from "../api/endpoints-api";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import { EndpointReportModel } from "./endpoint-report-model";
import { EndpointReportView } from "./EndpointReportView";

vi.mock("../api/endpoints-api", () => ({ getEndpointReport: vi.fn() }));
const get = vi.mocked(getEndpointReport);

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const page = (endpoint: string) =>
  `<!doctype html><header><h1>Monitoring report: ${endpoint}</h1></header><svg></svg>`;

describe("EndpointReportView", () => {
  let report: EndpointReportModel;
  let view: EndpointReportView;
  const frame = () => view.node.querySelector("iframe")!;
  const status = () => view.node.querySelector(".jp-KilnReport-status")!.textContent;

  beforeEach(() => {
    get.mockReset();
    report = new EndpointReportModel("drill");
    view = new EndpointReportView(report);
    Widget.attach(view, document.body);
  });
  afterEach(() => view.dispose());

  it("is titled after the endpoint, and closable", () => {
    expect(view.title.label).toBe("Report: drill");
    expect(view.title.closable).toBe(true);
  });

  it("shows the server's page in a frame that allows no scripts", async () => {
    get.mockResolvedValue(page("drill"));
    report.configure(settings);
    expect(status()).toBe("Loading the report…");
    expect(frame().hidden).toBe(true);
    await vi.waitFor(() => expect(frame().getAttribute("srcdoc")).toBe(page("drill")));
    expect(frame().hidden).toBe(false);
    expect(frame().getAttribute("sandbox")).toBe("");
    expect(status()).toBe("");
  });

  it("keeps the page while refreshing, then shows the new one", async () => {
    get.mockResolvedValueOnce(page("drill")).mockResolvedValueOnce(`${page("drill")}<p>2</p>`);
    report.configure(settings);
    await vi.waitFor(() => expect(view.node.dataset.state).toBe("loaded"));
    const refreshed = report.refresh();
    expect(status()).toBe("Refreshing…");
    expect(frame().getAttribute("srcdoc")).toBe(page("drill"));
    await refreshed;
    expect(frame().getAttribute("srcdoc")).toBe(`${page("drill")}<p>2</p>`);
  });

  it("says what went wrong and what to do, instead of the page", async () => {
    get
      .mockResolvedValueOnce(page("drill"))
      .mockRejectedValueOnce(
        new KilnServerError(
          "unreachable",
          "Kiln server unreachable at http://127.0.0.1:8700",
          "Start it with `npm start` or `kiln serve`, or change the server URL in Settings → Kiln.",
          { serverUrl: settings.serverUrl },
        ),
      );
    report.configure(settings);
    await vi.waitFor(() => expect(view.node.dataset.state).toBe("loaded"));
    await report.refresh();
    expect(view.node.querySelector(".jp-KilnProblem")?.textContent).toBe(
      "Kiln server unreachable at http://127.0.0.1:8700: start it with npm start or kiln serve, or change the server URL in Settings → Kiln.",
    );
    expect(frame().hidden).toBe(true);
  });

  it("disposes its model with itself", () => {
    view.dispose();
    expect(report.isDisposed).toBe(true);
  });
});
