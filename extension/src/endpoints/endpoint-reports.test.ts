// @vitest-environment happy-dom
import { Widget } from "@lumino/widgets";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { getEndpointReport } from "../api/endpoints-api";
import type { KilnSettings } from "../settings";
import { EndpointReports, type ReportShell } from "./endpoint-reports";

vi.mock("../api/endpoints-api", () => ({ getEndpointReport: vi.fn() }));
const get = vi.mocked(getEndpointReport);

const settings: KilnSettings = { serverUrl: "http://127.0.0.1:8700", apiKey: "k" };
const page = (endpoint: string) => `<!doctype html><h1>Monitoring report: ${endpoint}</h1>`;

describe("EndpointReports", () => {
  let shell: ReportShell & { widgets: Widget[]; activated: string[] };

  beforeEach(() => {
    get.mockReset();
    get.mockImplementation(async (_settings, endpoint) => page(endpoint));
    const widgets: Widget[] = [];
    const activated: string[] = [];
    shell = {
      widgets,
      activated,
      add: (widget) => void widgets.push(widget),
      activateById: (id) => void activated.push(id),
    };
  });

  it("opens one report per endpoint in the main area, and activates it when open already", async () => {
    const reports = new EndpointReports({ shell });
    reports.configure(settings);
    const drill = reports.open("drill");
    expect(drill.id).toBe("kiln-endpoint-report-drill");
    expect(drill.title.label).toBe("Report: drill");
    expect(reports.open("drill")).toBe(drill);
    reports.open("press");
    expect(shell.widgets.map((w) => w.id)).toEqual([
      "kiln-endpoint-report-drill",
      "kiln-endpoint-report-press",
    ]);
    expect(shell.activated).toEqual([
      "kiln-endpoint-report-drill",
      "kiln-endpoint-report-drill",
      "kiln-endpoint-report-press",
    ]);
    await vi.waitFor(() =>
      expect(drill.node.querySelector("iframe")?.getAttribute("srcdoc")).toBe(page("drill")),
    );
  });

  it("opens a new report once the old one is closed", () => {
    const reports = new EndpointReports({ shell });
    reports.configure(settings);
    const first = reports.open("drill");
    first.dispose();
    const second = reports.open("drill");
    expect(second).not.toBe(first);
    expect(shell.widgets).toHaveLength(2);
    second.dispose();
  });

  it("puts the view in the frame it is given, whose refresh fetches the report again", async () => {
    let refresh: () => void = () => undefined;
    const reports = new EndpointReports({
      shell,
      frame: (view, refreshReport) => {
        refresh = refreshReport;
        const frame = new Widget();
        frame.node.append(view.node);
        return frame;
      },
    });
    reports.configure(settings);
    const frame = reports.open("drill");
    await vi.waitFor(() => expect(get).toHaveBeenCalledTimes(1));
    refresh();
    await vi.waitFor(() => expect(get).toHaveBeenCalledTimes(2));
    expect(frame.title.label).toBe("Report: drill");
    expect(frame.title.closable).toBe(true);
  });

  it("fetches open reports again with new settings, and new ones with the latest", async () => {
    const reports = new EndpointReports({ shell });
    reports.open("drill");
    expect(get).not.toHaveBeenCalled();
    reports.configure(settings);
    const other = { ...settings, apiKey: "other" };
    reports.configure(other);
    reports.open("press");
    await vi.waitFor(() => expect(get).toHaveBeenCalledTimes(3));
    expect(get.mock.calls).toEqual([
      [settings, "drill"],
      [other, "drill"],
      [other, "press"],
    ]);
  });
});
