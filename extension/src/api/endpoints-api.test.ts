// Against a real HTTP server on the loopback interface, not a mocked fetch.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KilnSettings } from "../settings";
import { KilnServerError } from "../tokens";
import {
  getEndpointReport,
  getModelReadiness,
  promoteModel,
  rollbackEndpoint,
} from "./endpoints-api";

const REPORT = "<!doctype html><html><body><h1>Monitoring report: drill</h1></body></html>";

let server: Server;
let settings: KilnSettings;
let last: { request: IncomingMessage; body: string } | undefined;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      last = { request, body };
      // A string is answered as HTML, anything else as JSON.
      const answers: Record<string, [number, unknown]> = {
        "POST /api/endpoints/drill/promote": [
          200,
          { name: "drill", current: { model: "m", version: "3", promotedAt: "t" } },
        ],
        "POST /api/endpoints/drill/rollback": [
          409,
          {
            error: {
              code: "NOTHING_TO_ROLL_BACK",
              message: 'Endpoint "drill" has served only m v3.',
              fix: "Promote another version first.",
            },
          },
        ],
        "GET /v2/models/drill/ready": [200, { name: "drill", version: "3", ready: true }],
        "GET /api/endpoints/drill/report": [200, REPORT],
        "GET /api/endpoints/gone/report": [
          404,
          {
            error: {
              code: "ENDPOINT_NOT_FOUND",
              message: 'No endpoint "gone".',
              fix: "List endpoints with GET /api/endpoints; promote a model to create one.",
            },
          },
        ],
        "GET /api/endpoints/json/report": [200, { endpoint: "json" }],
        "GET /v2/models/gone/ready": [
          404,
          { error: 'No model "gone" is served. Served models: "drill".' },
        ],
      };
      const [status, answer] = answers[`${request.method} ${request.url}`] ?? [404, {}];
      if (typeof answer === "string") {
        response.writeHead(status, { "content-type": "text/html; charset=UTF-8" }).end(answer);
      } else {
        response
          .writeHead(status, { "content-type": "application/json" })
          .end(JSON.stringify(answer));
      }
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  settings = {
    serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKey: "admin-key",
  };
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe("promoteModel", () => {
  it("POSTs the model and version as JSON with the admin key", async () => {
    const state = await promoteModel(
      settings,
      "drill",
      { model: "m", version: "3" },
      AbortSignal.timeout(5_000),
    );
    expect(state.current.version).toBe("3");
    expect(last?.request.headers.authorization).toBe("Bearer admin-key");
    expect(last?.request.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(last?.body ?? "")).toEqual({ model: "m", version: "3" });
  });
});

describe("rollbackEndpoint", () => {
  it("passes on the server's message and fix when there is nothing to roll back to", async () => {
    const error = await rollbackEndpoint(settings, "drill").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KilnServerError);
    expect(error).toMatchObject({
      code: "NOTHING_TO_ROLL_BACK",
      message: 'Endpoint "drill" has served only m v3.',
      fix: "Promote another version first.",
    });
  });
});

describe("getModelReadiness", () => {
  it("answers the version being served", async () => {
    expect(await getModelReadiness(settings, "drill")).toEqual({
      name: "drill",
      version: "3",
      ready: true,
    });
  });

  it("carries the v2 route's own error message, and says to promote a model", async () => {
    const error = await getModelReadiness(settings, "gone").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KilnServerError);
    expect(error).toMatchObject({
      message: 'No model "gone" is served. Served models: "drill".',
      fix: expect.stringMatching(/^Promote a model to this endpoint/) as string,
    });
    expect((error as KilnServerError).response?.status).toBe(404);
  });
});

describe("getEndpointReport", () => {
  it("answers the report page, asked for with the admin key", async () => {
    expect(await getEndpointReport(settings, "drill")).toBe(REPORT);
    expect(last?.request.headers.authorization).toBe("Bearer admin-key");
    expect(last?.request.headers.accept).toBe("text/html");
  });

  it("passes on the server's message and fix for an unknown endpoint", async () => {
    const error = await getEndpointReport(settings, "gone").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KilnServerError);
    expect(error).toMatchObject({
      code: "ENDPOINT_NOT_FOUND",
      message: 'No endpoint "gone".',
      fix: "List endpoints with GET /api/endpoints; promote a model to create one.",
    });
  });

  it("refuses an answer that is not an HTML page", async () => {
    const error = await getEndpointReport(settings, "json").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KilnServerError);
    expect(error).toMatchObject({
      reason: "bad-response",
      message: `The server at ${settings.serverUrl} answered /api/endpoints/json/report with something other than an HTML page`,
    });
  });
});
