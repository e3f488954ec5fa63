import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as kiln from "@kiln/kernel-lib";
import { ReportFetchError } from "./errors";
import { reportDataUrl } from "./fetch-report-data";
import type { MonitoringReportData } from "./report-data";
import { report } from "./show-report";

const data: MonitoringReportData = {
  endpoint: "wafer-quality",
  model: { name: "wafer-model", version: "3" },
  generatedAt: "2024-05-07T12:00:00.000Z",
  window: { rows: 500 },
  performance: { unavailable: "no labels received yet" },
};

/** A stand-in Kiln server: answers report.json for the right key, Kiln's error body otherwise. */
let server: Server;
let serverUrl: string;
const requests: { url: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    requests.push({ url: request.url ?? "", headers: request.headers });
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    };
    if (request.headers.authorization !== "Bearer admin-key") {
      return json(401, {
        error: { code: "UNAUTHORIZED", message: "A valid API key is required." },
      });
    }
    if (request.url === "/api/endpoints/wafer-quality/report.json") return json(200, data);
    if (request.url === "/api/endpoints/not%20json/report.json") {
      response.writeHead(200, { "content-type": "text/html" });
      return response.end("<html>JupyterLab</html>");
    }
    return json(404, {
      error: { code: "ENDPOINT_NOT_FOUND", message: "No endpoint nope.", fix: "List them." },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const savedEnv = { url: process.env.KILN_SERVER_URL, key: process.env.KILN_ADMIN_KEY };
afterEach(() => {
  requests.length = 0;
  restoreEnv("KILN_SERVER_URL", savedEnv.url);
  restoreEnv("KILN_ADMIN_KEY", savedEnv.key);
});

function restoreEnv(name: string, value: string | undefined) {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe("kiln.report", () => {
  it("is exported at the package root and under kiln.monitoring", () => {
    expect(kiln.report).toBe(report);
    expect(kiln.monitoring.report).toBe(report);
    expect(typeof kiln.monitoring.renderReport).toBe("function");
    expect(typeof kiln.monitoring.driftDistributions).toBe("function");
  });

  it("renders report data it is given and returns the fragment", async () => {
    const html = await report(data);
    expect(html.startsWith('<div class="kiln-report">')).toBe(true);
    expect(html).toContain("Monitoring report: wafer-quality");
    expect(html).toContain("Not available: no labels received yet");
    expect(requests).toHaveLength(0);
  });

  it("shows the fragment on the display it is given, and on none when told", async () => {
    const shown: string[] = [];
    const html = await report(data, { display: { html: (s) => shown.push(s) } });
    expect(shown).toEqual([html]);
    await report(data, { display: false });
    expect(shown).toHaveLength(1);
  });

  it("fetches the data of { endpoint, serverUrl, key } from the server", async () => {
    const html = await report({
      endpoint: "wafer-quality",
      serverUrl: `${serverUrl}/`,
      key: "admin-key",
    });
    expect(html).toContain("wafer-model v3");
    expect(requests).toEqual([
      expect.objectContaining({
        url: "/api/endpoints/wafer-quality/report.json",
        headers: expect.objectContaining({ authorization: "Bearer admin-key" }),
      }),
    ]);
  });

  it("takes the server and key from KILN_SERVER_URL and KILN_ADMIN_KEY", async () => {
    process.env.KILN_SERVER_URL = serverUrl;
    process.env.KILN_ADMIN_KEY = "admin-key";
    expect(await report({ endpoint: "wafer-quality" })).toContain("wafer-model v3");
  });

  const failures = [
    {
      name: "a refused key",
      source: { endpoint: "wafer-quality", key: "wrong" },
      status: 401,
      serverMessage: "A valid API key is required.",
      message:
        /answered 401: A valid API key is required\. Check the admin key: pass \{ key \} or set KILN_ADMIN_KEY/,
    },
    {
      name: "an unknown endpoint",
      source: { endpoint: "nope", key: "admin-key" },
      status: 404,
      serverMessage: "No endpoint nope.",
      message: /answered 404: No endpoint nope\. List them\./,
    },
    {
      name: "an answer that is not JSON",
      source: { endpoint: "not json", key: "admin-key" },
      status: 200,
      serverMessage: undefined,
      message: /answered 200, but not with JSON/,
    },
  ];

  it.each(failures)("throws a ReportFetchError for $name", async (failure) => {
    const source = { ...failure.source, serverUrl };
    const error = await report(source).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportFetchError);
    const fetchError = error as ReportFetchError;
    expect(fetchError.url).toBe(reportDataUrl(source));
    expect(fetchError.message).toContain(fetchError.url);
    expect(fetchError.message).toMatch(failure.message);
    expect(fetchError.status).toBe(failure.status);
    expect(fetchError.serverMessage).toBe(failure.serverMessage);
  });

  it("says to start the server when none answers", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await report({
      endpoint: "wafer-quality",
      serverUrl: `http://127.0.0.1:${port}`,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportFetchError);
    expect((error as ReportFetchError).status).toBeUndefined();
    expect((error as ReportFetchError).message).toMatch(
      new RegExp(
        `from http://127\\.0\\.0\\.1:${port}/api/endpoints/wafer-quality/report\\.json: .*ECONNREFUSED.*kiln serve`,
      ),
    );
  });

  it("refuses input that is neither report data nor { endpoint }", async () => {
    await expect(report({} as { endpoint: string })).rejects.toThrow(
      /expects \{ endpoint: "<name>" \}/,
    );
  });
});
